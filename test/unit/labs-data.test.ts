/**
 * A lab's data folder in a workspace from a stranger: the folders are made without following
 * links, and a planted link anywhere on the way or inside refuses the command before it runs,
 * so `echo ... > ${labData}/notes.txt` never writes through it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPlaceholders, ensureLabData, fillCommand, LabDataError } from '../../src/core/labs/placeholders';

describe('lab data folders: no writes through planted links', function () {
  this.timeout(20_000);
  let ws: string;
  let outside: string;
  let victim: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-labdata-ws-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-labdata-home-'));
    victim = path.join(outside, '.bashrc');
    fs.writeFileSync(victim, 'the user\'s own file\n');
  });
  afterEach(() => {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const values = () => defaultPlaceholders({ workspaceFolder: ws, labId: 'data', home: outside });
  const refusal = async (): Promise<string> => {
    try {
      await ensureLabData(values());
    } catch (error) {
      assert.ok(error instanceof LabDataError, String(error));
      return error.message;
    }
    return assert.fail('the data folder was accepted');
  };

  it('makes .container-labs/data/<lab> when it is missing, and a lab command writes there', async () => {
    await ensureLabData(values());
    const dir = path.join(ws, '.container-labs', 'data', 'data');
    assert.ok(fs.lstatSync(dir).isDirectory());
    const run = spawnSync('bash', ['-c', fillCommand('echo "hello from the host" > ${labData}/notes.txt', values())], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'hello from the host\n');
    // Used again (its own files inside): still accepted.
    await ensureLabData(values());
  });

  it('refuses a planted link to a file of the user inside the data folder, and the file stays as it was', async () => {
    const dir = path.join(ws, '.container-labs', 'data', 'data');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(victim, path.join(dir, 'notes.txt'));
    assert.equal(await refusal(), `${path.join(dir, 'notes.txt')} is a symbolic link (to ${victim}): a lab's data folder holds only its own files, and a lab command could write through the link. Remove it (rm '${path.join(dir, 'notes.txt')}') and run the command again`);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'the user\'s own file\n');
  });

  it('refuses a link on the way: .container-labs, data, or the lab folder itself', async () => {
    for (const [link, at] of [
      ['.container-labs', ''],
      ['data', '.container-labs'],
      ['data', path.join('.container-labs', 'data')],
    ] as const) {
      fs.rmSync(path.join(ws, '.container-labs'), { recursive: true, force: true });
      fs.mkdirSync(path.join(ws, at), { recursive: true });
      const where = path.join(ws, at, link);
      fs.symlinkSync(outside, where);
      assert.equal(await refusal(), `${where} is a symbolic link (to ${outside}): a lab's data folder is never reached through a link. Remove it (rm '${where}') and run the command again`);
      assert.deepEqual(fs.readdirSync(outside), ['.bashrc']);
    }
  });

  it('refuses a FIFO in the data folder and a file where a folder should be', async () => {
    const dir = path.join(ws, '.container-labs', 'data', 'data');
    fs.mkdirSync(dir, { recursive: true });
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'pipe')]).status, 0);
    assert.match(await refusal(), /pipe is not a regular file or folder \(a FIFO, socket or device\)/);
    fs.rmSync(path.join(ws, '.container-labs'), { recursive: true, force: true });
    fs.mkdirSync(path.join(ws, '.container-labs'));
    fs.writeFileSync(path.join(ws, '.container-labs', 'data'), 'not a folder');
    assert.equal(await refusal(), `${path.join(ws, '.container-labs', 'data')} is in the way of the lab's data folder and is not a folder; move it away and run the command again`);
  });
});
