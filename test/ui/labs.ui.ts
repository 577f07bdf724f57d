/**
 * UI test: the packaged extension in code-server, its view opened from the activity bar (the
 * smoke test), then a student clicks through the first lab from the Labs tree and the walkthrough
 * (Run in terminal, then the step passing by itself with no further click), and the Jupyter
 * step up to its Open button. Saves the screenshots the README shows (screenshots/*.png).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import Dockerode from 'dockerode';
import * as path from 'path';
import { screenshotsDir, Workbench } from './harness';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
/** The real Jupyter lab's container: a fixed name (the course layer never runs beside this one). */
const JUPYTER_CONTAINER = 'cl-lab-jupyter';

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

/** Removes a container by name; one that is gone already is fine. */
async function removeContainer(name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, abortSignal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const code = (error as { statusCode?: number }).statusCode;
    if (code !== 404 && code !== 409) throw error;
  }
}

async function waitUntilGone(name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await containerExists(name)) {
    if (Date.now() > deadline) throw new Error(`container ${name} still exists ${timeoutMs / 1000} s later`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('UI: the first lab and the Jupyter step, as a student clicks', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  /** The hello-world container the step's check found (named by the engine): ours to remove. */
  let helloContainer: string | undefined;

  before(async function () {
    assert.ok(await imageExists('hello-world:latest'), 'hello-world:latest must exist (node scripts/images.mjs)');
    wb = await Workbench.open();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure(this.currentTest.title);
    }
  });

  after(async function () {
    await wb?.close();
    // Only what this test made: the container the check named, and the lab's named one.
    if (helloContainer) await removeContainer(helloContainer);
    await removeContainer(JUPYTER_CONTAINER);
  });

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
    await wb.openStep(/1\. Your first containers/, /Run your first container/);
    const page = wb.webview();
    const status = page.getByTestId('check-status');
    assert.notStrictEqual(await status.getAttribute('data-status'), 'passed', 'not passed before running');
    await page.getByTestId('run-0').click();
    // No further click: the live check passes the step.
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    // The check names the container it found: the one the command made (given a name by the engine).
    const verdict = await status.innerText();
    const found = /hello-world \(container "([\w.-]+)"\) exited with code 0\b/.exec(verdict);
    assert.ok(found, `the check names the hello-world container: ${verdict}`);
    helloContainer = found[1];
    // The command ran in the terminal, which shows it and the greeting.
    const text = await wb.waitForTerminalText(/Hello from Docker/);
    assert.match(text, /docker run hello-world/, `terminal: ${text.slice(-400)}`);
    // The tree and the status bar follow without a click.
    const statusBar = wb.page.locator('.statusbar').getByText(/Your first containers/);
    await statusBar.first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('walkthrough-step-passed');
  });

  it('starts Jupyter from its step and offers the Open button', async function () {
    if (!wb) throw new Error('the workbench did not open');
    assert.ok(await imageExists('jupyter/base-notebook:latest'), 'jupyter/base-notebook:latest must exist (node scripts/images.mjs)');
    assert.strictEqual(await containerExists(JUPYTER_CONTAINER), false, `a container ${JUPYTER_CONTAINER} already exists: remove it first`);
    await wb.openStep(/5\. Jupyter on a published port/, /Start Jupyter in the foreground/);
    const page = wb.webview();
    await page.getByTestId('run-0').click();
    const open = page.getByTestId('open-service');
    await open.waitFor({ state: 'visible', timeout: 120_000 });
    assert.match((await open.innerText()).trim(), /Open Jupyter on port 8888/);
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    await open.scrollIntoViewIfNeeded();
    await wb.screenshot('jupyter-open-button');

    // Open: code-server as npm start runs it proxies port 8888 by host name
    // (http://8888.localhost:PORT/, where Jupyter works at its root), and the button opens that
    // address with the token (code-server's own address for the port has none): the page is
    // Jupyter's file list, signed in, with its styles loaded.
    const opened = wb.page.context().waitForEvent('page', { timeout: 30_000 });
    await open.click();
    const jupyter = await opened;
    try {
      await jupyter.waitForLoadState('load', { timeout: 30_000 });
      assert.match(jupyter.url(), /^http:\/\/8888\.localhost:\d+\/tree/, `signed in with the token, Jupyter goes on to its file list; the page is at ${jupyter.url()}`);
      // Jupyter shows its page once its scripts (dozens of files through code-server's proxy)
      // have loaded: on the 2-core CI machine beside other layers that took more than 30 s once
      // (the page at /tree, its list still hidden). The budget of the other waits here.
      await jupyter.locator('#notebook_list').waitFor({ state: 'visible', timeout: 120_000 });
      const sheets = await jupyter.evaluate(() => Array.from(document.styleSheets).filter((sheet) => (sheet.href ?? '').includes('/static/')).map((sheet) => sheet.cssRules.length));
      assert.ok(sheets.length > 0, 'the page links Jupyter\'s own stylesheets');
      assert.deepEqual(sheets.filter((rules) => rules === 0), [], `every stylesheet loaded with its rules: ${JSON.stringify(sheets)}`);
      await jupyter.screenshot({ path: path.join(screenshotsDir, 'jupyter-opened.png') });
    } finally {
      await jupyter.close();
    }
    // Stop the foreground server as the student would: the Stop (Ctrl+C) button. The server
    // ends and --rm removes its container.
    await page.getByTestId('stop-0').click();
    await waitUntilGone(JUPYTER_CONTAINER, 60_000);
  });
});
