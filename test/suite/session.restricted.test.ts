/**
 * Runs only in the Restricted Mode pass (the workspace is NOT trusted): workspace labs are
 * shown but nothing of theirs runs; bundled labs still may.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { TERMINAL_NAME } from '../../src/terminal/labTerminal';
import { activateExtension, MemoryMemento, RecordingTerminal, TEST_LAB } from './helpers';

describe('Restricted Mode', () => {
  it('the workspace is really untrusted in this pass', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  it('shows the workspace lab, marked restricted', async () => {
    const api = await activateExtension();
    const lab = api.session.getLab(TEST_LAB);
    assert.ok(lab, 'the workspace lab is in the catalog');
    assert.strictEqual(lab.source.origin, 'workspace');
    assert.strictEqual(api.session.canRun(TEST_LAB), false);
    const node = api.tree.provider.find({ labId: TEST_LAB });
    assert.ok(node);
    assert.match(String(api.tree.provider.getTreeItem(node).description), /restricted/);
  });

  it('runs none of its commands, through the command or the session', async () => {
    const api = await activateExtension();
    const result = await vscode.commands.executeCommand('containerLabs.runStepCommand', TEST_LAB, 'echo', 0);
    assert.strictEqual(result, false);
    assert.strictEqual(await api.session.runCommand({ labId: TEST_LAB, stepId: 'echo' }, 0), false);
    assert.strictEqual(
      vscode.window.terminals.filter((t) => t.name === TERMINAL_NAME).length,
      0,
      'no Container Labs terminal was opened',
    );
  });

  it('still runs a bundled lab\'s command', async () => {
    const api = await activateExtension();
    const terminal = new RecordingTerminal();
    const session = api.createSession({ memento: new MemoryMemento(), terminal, liveChecks: () => false });
    try {
      await session.reload();
      const lab = session.getLab('first-containers');
      assert.ok(lab);
      const step = lab.steps.find((s) => s.commands.length > 0 && !s.commands[0].destructive);
      assert.ok(step);
      assert.strictEqual(await session.runCommand({ labId: lab.id, stepId: step.id }, 0), true);
      assert.strictEqual(terminal.commands.length, 1);
    } finally {
      session.dispose();
    }
  });
});
