/**
 * UI test: an instructor records a lab. Record a Lab (the title typed into the input box), the
 * commands typed into the recording terminal (shell integration reports them), Stop Recording:
 * the drafted lab opens in an editor, valid, with the checks the engine showed. Saves the
 * screenshot the authoring guide shows (screenshots/recorded-lab-draft.png); "Test this lab" then
 * cleans up and solves the draft with the CLI in a terminal. Only this run's
 * names: a container and a volume of uniqueName, labelled with the run's label.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { validateText } from '../../src/core/labs/loader';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';
import { Workbench } from './harness';

const docker = mainDocker();
const LABEL = `--label ${Object.keys(RUN_LABELS)[0] ?? ''}=${RUN_ID}`;

describe('UI: record a lab by doing it', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  const container = uniqueName('ui-rec');
  const volume = uniqueName('ui-rec-vol');
  let drafted = false;

  before(async function () {
    await ensureBusybox(docker);
    wb = await Workbench.open();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure('record');
    }
  });

  after(async function () {
    await wb?.close();
    await docker.getContainer(container).remove({ force: true }).catch(() => undefined);
    await docker.getVolume(volume).remove().catch(() => undefined);
  });

  async function typeInTerminal(w: Workbench, text: string, recorded: number): Promise<void> {
    await w.typeInTerminal(text);
    const label = `Recording lab: ${recorded} ${recorded === 1 ? 'command' : 'commands'}`;
    await w.page.locator('.statusbar').getByText(label).waitFor({ state: 'visible', timeout: 60_000 });
  }

  it('drafts the lab from the commands typed in the recording terminal and opens it', async function () {
    if (!wb) throw new Error('the workbench did not open');
    const w = wb;
    // The command's input box comes once the extension is up: on a loaded machine (CI's two
    // lanes and more) activation took longer than the 15 s this test once gave the input box.
    await w.waitForExtensionReady();
    await w.runCommand('Container Labs: Record a Lab');
    const input = w.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('Volumes and containers');
    await w.page.keyboard.press('Enter');
    await w.page.locator('.statusbar').getByText('Recording lab: 0 commands').waitFor({ state: 'visible', timeout: 30_000 });
    // Shell integration must be up before the first command, or the terminal reports nothing.
    await w.waitForTerminalText(/[$#]\s*$/, 30_000);

    await typeInTerminal(w, `docker volume create ${LABEL} ${volume}`, 1);
    await typeInTerminal(w, `docker run --name ${container} ${LABEL} -v ${volume}:/data ${BUSYBOX.replace(/:latest$/, '')} sh -c 'echo hello > /data/greeting'`, 2);
    await typeInTerminal(w, 'ls', 3);
    await typeInTerminal(w, `docker rm -f ${container}`, 4);

    await w.runCommand('Container Labs: Stop Recording');
    const file = path.join(w.workspace, '.container-labs', 'volumes-and-containers.lab.yaml');
    await w.page.locator('.tabs-container .tab').filter({ hasText: 'volumes-and-containers.lab.yaml' }).waitFor({ state: 'visible', timeout: 30_000 });
    await w.page.locator('.monaco-editor .view-lines').filter({ hasText: 'Drafted by' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await w.screenshot('recorded-lab-draft');

    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(validateText(text, file).filter((i) => i.severity === 'error'), [], `the draft does not validate:\n${text}`);
    assert.match(text, new RegExp(`volume:\\s+name: ${volume}`), `the draft has no volume check for ${volume}:\n${text}`);
    assert.match(text, new RegExp(`name: ${container}\\s+exitCode: 0`), `the draft has no exited-with-0 check for ${container}:\n${text}`);
    assert.match(text, new RegExp(`type: volume\\s+destination: /data\\s+readOnly: false\\s+source: ${volume}`), `the draft has no mount of ${volume} at /data:\n${text}`);
    assert.match(text, new RegExp(`run: docker rm -f ${container}\\s+destructive: true`), `the draft does not mark docker rm -f as destructive:\n${text}`);
    assert.match(text, new RegExp(`containerAbsent:\\s+name: ${container}\\s+since: any`), `the draft has no containerAbsent check for ${container}:\n${text}`);
    drafted = true;
  });

  it('"Test this lab" removes what the recording made, then the CLI solves the draft in a terminal', async function () {
    if (!wb || !drafted) throw new Error('the previous test drafted no lab to test');
    const w = wb;
    assert.ok(await docker.getVolume(volume).inspect().then(() => true, () => false), 'the recording\'s volume is there before the test');
    // The notification's button, from the notification center (the toast hides itself after a while).
    await w.runCommand('Notifications: Show Notifications');
    const notification = w.page.locator('.notifications-center .monaco-list-row').filter({ hasText: /Drafted \d+ steps/ }).last();
    await notification.getByRole('button', { name: 'Test this lab' }).click({ timeout: 30_000 });
    const shown = await w.waitForTerminalText(/\d+ passed, \d+ failed, \d+ skipped/, 180_000);
    assert.match(shown, /\d+ passed, 0 failed/, `the draft did not pass its own test:\n${shown.slice(-1500)}`);
    // Had the recording's volume stayed, the test's `docker volume create` would have found it
    // (not the lab's, so left after the test); removed first, the test made it and removed it.
    assert.equal(await docker.getVolume(volume).inspect().then(() => true, () => false), false, 'the volume is gone after the test');
    assert.equal(await docker.getContainer(container).inspect().then(() => true, () => false), false, 'the container is gone after the test');
  });
});
