/**
 * UI smoke test: the packaged VSIX installed into code-server, the Container Labs view opened
 * by clicking its activity-bar entry, the Labs tree listing the bundled labs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { Workbench } from './harness';

describe('UI smoke: Container Labs in code-server', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;

  before(async function () {
    wb = await Workbench.open();
  });

  after(async function () {
    await wb?.close();
  });

  it('opens the Container Labs view from the activity bar and lists at least one lab', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openContainerLabs();
    const labs = await wb.treeItems('Labs', { atLeast: 1, timeoutMs: 30_000 });
    const shot = await wb.screenshot('smoke-labs-view');
    assert.ok(fs.statSync(shot).size > 10_000, `screenshot ${shot} looks empty`);
    assert.ok(labs.length >= 1, `the Labs tree shows no lab (page errors: ${wb.pageErrors.join('; ') || 'none'}); see ${shot}`);
  });
});
