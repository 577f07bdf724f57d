/**
 * UI test: the packaged extension in code-server, its view opened from the activity bar (the
 * smoke test), then a student clicks through the first lab from the Labs tree and the walkthrough
 * (Run in terminal, then the step passing by itself with no further click), and the Jupyter
 * step up to its Open button. Saves the screenshots the README shows (screenshots/*.png).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import Dockerode from 'dockerode';
import { Workbench } from './harness';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

async function containerExists(name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect({ abortSignal: AbortSignal.timeout(60_000) });
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

async function imageExists(ref: string): Promise<boolean> {
  const found = await docker.listImages({ filters: { reference: [ref] }, abortSignal: AbortSignal.timeout(60_000) });
  return found.length > 0;
}

/** Removes containers made from `image` after `since` (seconds): only what this test started. */
async function removeStartedSince(image: string, since: number): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { ancestor: [image] }, abortSignal: AbortSignal.timeout(60_000) });
  for (const c of list.filter((x) => x.Created >= since)) {
    await docker.getContainer(c.Id).remove({ force: true, abortSignal: AbortSignal.timeout(60_000) }).catch(() => undefined);
  }
}

describe('UI: the first lab and the Jupyter step, as a student clicks', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  const since = Math.floor(Date.now() / 1000) - 1;

  before(async function () {
    assert.ok(await imageExists('hello-world:latest'), 'hello-world:latest must exist (node scripts/images.mjs)');
    wb = await Workbench.open();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const name = `failed-${this.currentTest.title.slice(0, 40)}`;
      const shot = await wb.screenshot(name).catch(() => 'none');
      const text = await wb.terminalText().catch(() => '');
      process.stdout.write(`    screenshot: ${shot}\n    terminal: ${text.slice(-600)}\n`);
    }
  });

  after(async function () {
    await wb?.close();
    await removeStartedSince('hello-world', since);
    await removeStartedSince('jupyter/base-notebook', since);
  });

  async function openStep(labTitle: RegExp, stepTitle: RegExp): Promise<void> {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openContainerLabs();
    const lab = wb.treeItem(labTitle);
    await lab.waitFor({ state: 'visible', timeout: 120_000 });
    // A click opens the lab's walkthrough; the twistie key (Right) shows its steps.
    await lab.click();
    if ((await lab.getAttribute('aria-expanded')) !== 'true') await wb.page.keyboard.press('ArrowRight');
    const step = wb.treeItem(stepTitle);
    await step.waitFor({ state: 'visible', timeout: 30_000 });
    // One click must do it. (A click used to fail now and then with "Actual command not
    // found": opening a lab refreshed its row, which makes VS Code replace its step rows and
    // drop their commands for a moment. The tree now refreshes only rows whose look changed.)
    const heading = wb.webview().getByRole('heading', { name: stepTitle });
    await step.click();
    try {
      await heading.first().waitFor({ state: 'visible', timeout: 20_000 });
    } catch (error) {
      const toasts = await wb.page.locator('.notification-toast').allInnerTexts();
      throw new Error(`the step's page did not show within 20 s of one click (notifications: ${JSON.stringify(toasts)}): ${String(error)}`, { cause: error });
    }
  }

  // The smoke test: the packaged VSIX installed, the view opened by a click on its entry in
  // the activity bar, the course and its labs listed, a screenshot saved.
  it('opens the Container Labs view from the activity bar and lists the course and its labs', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openContainerLabs();
    // With one visible view the Labs pane has no header of its own: read every sidebar row.
    const rows = await wb.treeItems(undefined, { atLeast: 3, timeoutMs: 120_000 });
    const shot = await wb.screenshot('labs-tree');
    assert.ok(fs.statSync(shot).size > 10_000, `screenshot ${shot} looks empty`);
    assert.ok(rows.some((r) => /Containers for reproducible research/.test(r)), `rows: ${rows.join(' | ')} (page errors: ${wb.pageErrors.join('; ') || 'none'})`);
    assert.ok(rows.some((r) => /1\. Your first containers/.test(r)), `rows: ${rows.join(' | ')}`);
  });

  it('runs "Run your first container" from the walkthrough and the step passes by itself', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await openStep(/1\. Your first containers/, /Run your first container/);
    const page = wb.webview();
    const status = page.getByTestId('check-status');
    assert.notStrictEqual(await status.getAttribute('data-status'), 'passed', 'not passed before running');
    await page.getByTestId('run-0').click();
    // No further click: the live check passes the step.
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    const text = await wb.terminalText();
    assert.match(text, /docker run hello-world|Hello from Docker/, `terminal: ${text.slice(-400)}`);
    // The tree and the status bar follow without a click.
    const statusBar = wb.page.locator('.statusbar').getByText(/Your first containers/);
    await statusBar.first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('walkthrough-step-passed');
  });

  it('starts Jupyter from its step and offers the Open button', async function () {
    if (!wb) throw new Error('the workbench did not open');
    assert.ok(await imageExists('jupyter/base-notebook:latest'), 'jupyter/base-notebook:latest must exist (node scripts/images.mjs)');
    assert.strictEqual(await containerExists('cl-lab-jupyter'), false, 'a container cl-lab-jupyter already exists: remove it first');
    await openStep(/5\. Jupyter on a published port/, /Start Jupyter in the foreground/);
    const page = wb.webview();
    await page.getByTestId('run-0').click();
    const open = page.getByTestId('open-service');
    await open.waitFor({ state: 'visible', timeout: 120_000 });
    assert.match((await open.innerText()).trim(), /Open Jupyter on port 8888/);
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    await open.scrollIntoViewIfNeeded();
    await wb.screenshot('jupyter-open-button');
    // Stop the foreground server as the student would: the Stop (Ctrl+C) button.
    const stop = page.getByTestId('stop-0');
    if (await stop.count()) await stop.click();
  });
});
