/**
 * The lab scan on untrusted workspaces: a `.container-labs` that links out of the workspace is
 * refused, and a scan stops (with a reason) past its depth, size and time limits.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLabFiles, loadCatalog, ScanError, SCAN_LIMITS } from '../../src/core/labs/loader';

const LAB = 'id: scan-lab\ntitle: Scan\nsummary: A lab.\nminutes: 5\nsteps:\n  - id: read\n    title: Read\n    instructions: Read this.\n';

describe('lab scan: bounded, and never out of the workspace', function () {
  this.timeout(30_000);
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-scan-'));
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('refuses a .container-labs that is a link to a folder outside the workspace, and says where it leads', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-scan-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'x.lab.yaml'), LAB);
      fs.symlinkSync(outside, path.join(ws, '.container-labs'));
      const catalog = await loadCatalog([{ path: path.join(ws, '.container-labs'), origin: 'workspace' }]);
      assert.deepEqual(catalog.labs, []);
      assert.equal(catalog.broken.length, 1);
      assert.equal(catalog.broken[0]?.issues[0]?.message, `cannot read the folder: ${path.join(ws, '.container-labs')} leads to ${fs.realpathSync(outside)}, outside ${ws}: not scanned (labs must be in the workspace; a link out of it is refused)`);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('still scans a .container-labs that is a link inside the workspace', async () => {
    fs.mkdirSync(path.join(ws, 'course'));
    fs.writeFileSync(path.join(ws, 'course', 'x.lab.yaml'), LAB);
    fs.symlinkSync(path.join(ws, 'course'), path.join(ws, '.container-labs'));
    const catalog = await loadCatalog([{ path: path.join(ws, '.container-labs'), origin: 'workspace' }]);
    assert.deepEqual(catalog.labs.map((l) => l.id), ['scan-lab']);
  });

  it('stops past the depth, entry and file limits with a reason', async () => {
    let deep = ws;
    for (let i = 0; i < 4; i++) deep = path.join(deep, `d${i}`);
    fs.mkdirSync(deep, { recursive: true });
    await assert.rejects(findLabFiles(ws, { limits: { ...SCAN_LIMITS, maxDepth: 2 } }), (e: unknown) => e instanceof ScanError && e.message === `${path.join(ws, 'd0', 'd1', 'd2')} is more than 2 folders deep below ${ws}; scanning stopped. Keep lab files nearer the top`);
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(ws, `f${i}.txt`), '');
    await assert.rejects(findLabFiles(ws, { limits: { ...SCAN_LIMITS, maxEntries: 20 } }), (e: unknown) => e instanceof ScanError && /holds more than 20 files and folders; scanning stopped/.test(e.message));
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(ws, `l${i}.lab.yaml`), LAB.replace('scan-lab', `scan-lab-${i}`));
    await assert.rejects(findLabFiles(ws, { limits: { ...SCAN_LIMITS, maxFiles: 3 } }), (e: unknown) => e instanceof ScanError && /holds more than 3 lab and course files/.test(e.message));
    await assert.rejects(findLabFiles(ws, { limits: { ...SCAN_LIMITS, deadlineMs: -1 } }), (e: unknown) => e instanceof ScanError && /took longer than/.test(e.message));
    // Within the limits, the same tree scans.
    assert.equal((await findLabFiles(ws)).length, 5);
  });

  it('does not follow a linked folder, even one inside the workspace (no loops)', async () => {
    fs.mkdirSync(path.join(ws, 'a'));
    fs.writeFileSync(path.join(ws, 'a', 'x.lab.yaml'), LAB);
    fs.symlinkSync(ws, path.join(ws, 'a', 'loop'));
    assert.deepEqual(await findLabFiles(ws), [path.join(ws, 'a', 'x.lab.yaml')]);
  });
});
