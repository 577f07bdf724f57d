import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, resultsDir, TEST_LAB, viewStateFor, waitFor } from './helpers';

describe('Container Labs extension', () => {
  it('activates and is ready: the catalog loaded, the engine asked and its state shown', async () => {
    const api = await activateExtension();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'the extension is active');
    // `ready` means the first catalog load and health check are done and shown.
    assert.strictEqual(api.session.getLab('first-containers')?.source.origin, 'bundled', 'the bundled labs are loaded');
    assert.strictEqual(api.session.getLab(TEST_LAB)?.source.origin, 'workspace', 'the workspace lab is loaded');
    const health = api.engine.health;
    assert.ok(health, 'the engine was asked');
    assert.strictEqual(health.endpoint.url, api.engine.endpoint.url, 'about the endpoint in use');
    assert.strictEqual(api.engineView.state, viewStateFor(health), `the Docker Engine view shows the report: ${health.message}`);
    // How long activation took is a figure for scripts/bench.mjs (and the README), not a
    // pass/fail matter: it is only recorded here.
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, `activationMs is a measurement: ${api.activationMs}`);
    fs.writeFileSync(
      path.join(resultsDir(), 'activation.json'),
      `${JSON.stringify({ activationMs: api.activationMs, vscode: vscode.version, measuredAt: new Date().toISOString() }, null, 2)}\n`,
    );
  });

  it('registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = (ext?.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 15, `contributes ${contributed.length} commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('contributes the Labs view, which can be opened', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    // VS Code creates <viewId>.focus for every registered view.
    assert.ok(registered.has('containerLabs.labs.focus'), 'containerLabs.labs.focus exists');
    await vscode.commands.executeCommand('containerLabs.labs.focus');
    const api = await activateExtension();
    // The workbench reports the view's visibility a moment after the focus command resolves.
    await waitFor('the Labs tree to be visible after focusing it', () => api.tree.view.visible, 10_000, 50);
  });

  it('finds a usable engine and says so through the context key', async () => {
    const api = await activateExtension();
    const report = await api.engine.checkHealth();
    assert.strictEqual(report.ok, true, `engine: ${report.message}`);
    assert.match(report.apiVersion ?? '', /^1\.\d+$/, 'the health report has the API version');
    api.engineView.sync();
    await api.engineView.settled();
    assert.strictEqual(api.engineView.state, 'ok');
  });

  it('shows the engine health report as Markdown', async () => {
    const report = await vscode.commands.executeCommand<{ ok: boolean; endpoint: { url: string } }>('containerLabs.showHealth');
    assert.ok(report?.ok);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'container-labs-report', path: '/Docker Engine Health.md' }));
    const text = doc.getText();
    assert.match(text, /^# Docker engine health/);
    assert.match(text, /The engine answers and is usable/);
    assert.ok(text.includes(report.endpoint.url), 'the report names the endpoint');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
