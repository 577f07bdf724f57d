/**
 * UI test of issue #11, case 1, as an attacker would try it: a workspace (Restricted Mode) whose
 * lab title and step title carry a `command:` link to `workbench.action.terminal.sendSequence`
 * that would type `touch <marker>` into the open terminal. The student clicks Run and Check on
 * the step in the Labs tree and clicks the notification's text where the link would be; the
 * marker file must not exist. Then the walkthrough's Manage Workspace Trust button opens VS
 * Code's trust editor, and once the folder is trusted the lab comes alive without a reload.
 *
 * The proof that nothing ran: after the clicks the test itself types `touch <control>` into
 * the same terminal. A shell runs what it is sent in order, so once the control file exists,
 * a command the link had typed would have run before it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { copyWorkspace, Workbench } from './harness';

const LAB_TITLE = 'Security test lab';

function labYaml(marker: string): string {
  const sequence = encodeURIComponent(JSON.stringify({ text: `touch ${marker}\r` }));
  const link = `[(trust & run)](command:workbench.action.terminal.sendSequence?${sequence})`;
  return `id: cl-test-ui-security
title: "${LAB_TITLE} ${link}"
summary: "A stranger's lab ${link}"
minutes: 2
steps:
  - id: step
    title: "Click me ${link}"
    instructions: Nothing here should ever run in Restricted Mode.
    commands:
      - run: echo cl-test-ui-security
    check:
      file:
        path: ${marker}
`;
}

async function waitForFile(file: string, timeoutMs: number, wb: Workbench): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(`${file} did not appear within ${timeoutMs / 1000} s; the terminal shows: ${(await wb.terminalText()).slice(-600)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('UI: a command link in an untrusted lab does nothing when clicked', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let workspace: string;
  let marker: string;
  let control: string;

  before(async function () {
    workspace = copyWorkspace('ui-security');
    marker = path.join(path.dirname(workspace), 'pwned-marker');
    control = path.join(path.dirname(workspace), 'control-marker');
    fs.writeFileSync(path.join(workspace, '.container-labs', 'cl-test-ui-security.lab.yaml'), labYaml(marker));
    wb = await Workbench.open({ workspace, trusted: false });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure(`security-${this.currentTest.title}`);
    }
  });

  after(async function () {
    await wb?.close();
    if (workspace) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  /** Clicks the inline action of the step's row (the actions show on hover). */
  async function clickRowAction(label: RegExp, action: string): Promise<void> {
    if (!wb) throw new Error('the workbench did not open');
    const row = wb.treeItem(label);
    await row.hover();
    await row.getByRole('button', { name: action }).click();
  }

  /** Waits for the notification that names Restricted Mode, proves it has no link, and clicks its text. */
  async function clickNotificationText(): Promise<void> {
    if (!wb) throw new Error('the workbench did not open');
    const toast = wb.page.locator('.notification-toast').filter({ hasText: /Restricted Mode/ }).last();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const message = toast.locator('.notification-list-item-message');
    assert.equal(await message.locator('a').count(), 0, `the notification has no link: ${await message.innerHTML()}`);
    assert.doesNotMatch(await message.innerText(), /command:/, 'no lab text in the notification');
    await message.click();
    // Dismiss it, so the next one is the next one.
    await toast.hover();
    await toast.getByRole('button', { name: /Clear Notification/i }).click();
    await toast.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  it('Run and Check from the tree show a notification without a link; clicking its text runs nothing', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openContainerLabs(120_000);
    const lab = wb.treeItem(new RegExp(LAB_TITLE));
    await lab.waitFor({ state: 'visible', timeout: 120_000 });
    // The open terminal the link would type into (the panel's toggle creates one when there is none).
    await wb.runCommand('View: Toggle Terminal');
    await wb.page.locator('.terminal .xterm-rows').last().waitFor({ state: 'visible', timeout: 60_000 });
    // The tree shows the title as text: the link's parts are visible, nothing is a link.
    assert.match(await lab.innerText(), /\(command:workbench\.action\.terminal\.sendSequence/);
    await lab.click();
    if ((await lab.getAttribute('aria-expanded')) !== 'true') await wb.page.keyboard.press('ArrowRight');
    await wb.treeItem(/Click me/).waitFor({ state: 'visible', timeout: 30_000 });

    await clickRowAction(/Click me/, 'Run Step Command in Terminal');
    await clickNotificationText();
    await clickRowAction(/Click me/, 'Check Step');
    await clickNotificationText();

    // The control: typed by the test into the same terminal, after every click above.
    await wb.typeInTerminal(`touch ${control}`);
    await waitForFile(control, 30_000, wb);
    assert.equal(fs.existsSync(marker), false, `${marker} exists: a link in a notification ran`);
  });

  it('the walkthrough says why in one line; Manage Workspace Trust, then Trust, and the lab comes alive without a reload', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.treeItem(/Click me/).click();
    const page = wb.webview();
    const note = page.getByTestId('trust-note');
    await note.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await note.innerText(), /Restricted Mode/);
    assert.equal(await page.getByTestId('run-0').getAttribute('disabled'), '', 'Run is disabled');

    await page.getByTestId('manage-trust').click();
    const trustEditor = wb.page.locator('.workspace-trust-editor');
    await trustEditor.waitFor({ state: 'visible', timeout: 30_000 });
    await trustEditor.getByRole('button', { name: /^Trust/ }).first().click();

    await trustEditor.getByText('You trust this folder').waitFor({ state: 'visible', timeout: 30_000 });

    // Back to the walkthrough (close the trust editor): Run is enabled and the note gone, with no reload of the window.
    await wb.runCommand('View: Close Editor');
    await page.locator('[data-testid="run-0"]:not([disabled])').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await page.getByTestId('trust-note').isHidden(), true, 'the Restricted Mode line is gone');
    assert.equal(fs.existsSync(marker), false);
  });
});
