/**
 * UI test: with no engine at the configured endpoint, the "Docker Engine" view appears by
 * itself (no refresh, no click but the one on the activity bar) with the health report's
 * problem and its fix buttons (welcome content), next to the Labs view.
 *
 * The endpoint is a remote machine setting (<user-data-dir>/Machine/settings.json): the
 * code-server workbench is a remote window, and VS Code applies `machine-overridable` settings
 * such as `containerLabs.engine.host` from the machine's settings, not from the user's. This
 * test used to write it in the user settings and failed in about 1 start in 8 (6 of 49 here):
 * the setting was seen only when the user settings happened to be read before the extension's
 * settings were registered. (Its "Refresh Labs" fallback did not help: the extension never
 * knew of the endpoint.)
 * Two start-up faults of the extension showed up on the way and are fixed (src/extension.ts,
 * src/tree/engineView.ts): a configuration event that did not name the key was ignored though
 * the value had changed, and start-up showed the first (stale, "ok") health report after the
 * new endpoint's problem, which hid the view for good.
 */
import * as assert from 'assert';
import { Workbench } from './harness';

describe('UI: no Docker engine', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;

  before(async function () {
    wb = await Workbench.open({ machineSettings: { 'containerLabs.engine.host': 'unix:///tmp/cl-test-no-engine.sock' } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.screenshot('failed-engine-not-running');
      process.stdout.write(`    extension log:\n${wb.extensionLog()}\n`);
    }
  });

  after(async function () {
    await wb?.close();
  });

  it('shows the Docker Engine view with the problem and its fixes, by itself', async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openContainerLabs();
    // The labs are listed once the extension is active; the Docker Engine view must follow by
    // itself. Nothing here refreshes: a state lost at start-up stays lost and fails the test.
    await wb.treeItems(undefined, { atLeast: 1, timeoutMs: 120_000 });
    const sidebar = wb.page.locator('.part.sidebar');
    await sidebar.getByText(/The Docker engine is not running/).first().waitFor({ state: 'visible', timeout: 60_000 });
    const welcome = sidebar.locator('.welcome-view-content');
    await welcome.getByText('Show Fixes', { exact: true }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await welcome.getByText('Check Again', { exact: true }).first().isVisible(), 'the Check Again button is shown');
    // The view's description names the endpoint it asked.
    const engineHeader = sidebar.locator('.pane-header').filter({ hasText: /Docker Engine/ });
    assert.match(await engineHeader.innerText(), /unix:\/\/\/tmp\/cl-test-no-engine\.sock/);
    // The labs are still listed below: reading works without an engine.
    const rows = await wb.treeItems('Labs', { atLeast: 1, timeoutMs: 60_000 });
    assert.ok(rows.some((r) => /Containers for reproducible research/.test(r)), `rows: ${rows.join(' | ')}`);
    await wb.screenshot('engine-not-running');
  });
});
