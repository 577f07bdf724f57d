import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, resultsDir } from './helpers';

describe('Container Labs extension', () => {
  it('activates, returns its API and records the activation time', async () => {
    const api = await activateExtension();
    assert.ok(api.session, 'the API has a session');
    assert.strictEqual(typeof api.activationMs, 'number');
    assert.ok(api.activationMs > 0 && api.activationMs < 2000, `activation took ${api.activationMs} ms`);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'the extension is active');
    const file = path.join(resultsDir(), 'activation.json');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ activationMs: api.activationMs, vscode: vscode.version, measuredAt: new Date().toISOString() }, null, 2)}\n`,
    );
    assert.ok(fs.existsSync(file));
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
    const deadline = Date.now() + 10_000;
    while (!api.tree.view.visible && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(api.tree.view.visible, 'the Labs tree is visible within 10 s of focusing it');
  });

  it('finds a usable engine and says so through the context key', async () => {
    const api = await activateExtension();
    const report = await api.engine.checkHealth();
    assert.strictEqual(report.ok, true, `engine: ${report.message}`);
    assert.ok(report.apiVersion, 'the health report has the API version');
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
