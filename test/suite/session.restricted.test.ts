/**
 * Runs only in the Restricted Mode pass (the workspace is NOT trusted): workspace labs are
 * shown but do nothing (no commands, checks, live checks, exec, host reads, remote images);
 * bundled labs still work.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/common/commands';
import { createLogger } from '../../src/common/logger';
import { restrictedReason } from '../../src/core/runtime/labRuntime';
import type { StepRef } from '../../src/core/runtime/types';
import type { ContainerLabsApi } from '../../src/extension';
import { labCommandHandlers } from '../../src/session/commands';
import type { LabSessionImpl, LabSessionOptions } from '../../src/session/labSession';
import { TERMINAL_NAME } from '../../src/terminal/labTerminal';
import { WalkthroughPanel } from '../../src/webview/panel';
import type { HostMessage } from '../../src/webview/protocol';
import {
  activateExtension,
  docker,
  EXTENSION_ID,
  MemoryMemento,
  nextEvent,
  RecordingDialogs,
  RecordingTerminal,
  removeContainer,
  RUN_ID,
  RUN_LABEL_KEY,
  runName,
  TEST_LAB,
} from './helpers';

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

/**
 * Restricted Mode means a workspace lab does nothing (issue #11, case 5): its text is shown,
 * and Run, Check, live checks, exec in a container, host file reads and remote images are
 * all refused, in the runtime itself (a forged webview message gets the same answer), until
 * the workspace is trusted, when the lab comes alive without a reload.
 *
 * Each refusal is set against a control: the same lab in a session that trusts the workspace
 * (createSession's isTrusted) does act, on the same engine and files.
 */
describe('Restricted Mode: a workspace lab does nothing', function () {
  this.timeout(120_000);
  const LAB_ID = 'cl-test-restricted';
  const LINK = '[(trust & run)](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20%2Ftmp%2Fcl-pwned%5Cn%22%7D)';
  /** A running container of this run: the exec step's check would `cat` a file in it. */
  const EXEC_CONTAINER = runName('restricted-exec');
  const RUN: StepRef = { labId: LAB_ID, stepId: 'run' };
  const HOST: StepRef = { labId: LAB_ID, stepId: 'host-file' };
  const EXEC: StepRef = { labId: LAB_ID, stepId: 'exec' };
  const d = docker();
  let base: string;
  let hostFile: string;
  let marker: string;
  let api: ContainerLabsApi;
  const made: LabSessionImpl[] = [];

  /** A session over this lab, in the real untrusted workspace unless `trusted` says otherwise. */
  function open(opts: { trusted?: () => boolean } = {}): { session: LabSessionImpl; terminal: RecordingTerminal; dialogs: RecordingDialogs; workspace: string } {
    const terminal = new RecordingTerminal();
    const dialogs = new RecordingDialogs();
    const workspace = fs.mkdtempSync(path.join(base, 'ws-'));
    const overrides: Partial<LabSessionOptions> = {
      memento: new MemoryMemento(),
      terminal,
      roots: () => [{ dir: path.join(base, 'labs'), origin: 'workspace' }],
      notices: dialogs.notices,
      confirm: dialogs.confirm,
      liveChecks: () => true,
      workspaceFolder: () => workspace,
    };
    if (opts.trusted) overrides.isTrusted = opts.trusted;
    const session = api.createSession(overrides);
    made.push(session);
    return { session, terminal, dialogs, workspace };
  }

  async function loaded<T extends { session: LabSessionImpl }>(opened: T): Promise<T> {
    await opened.session.reload();
    assert.ok(opened.session.getLab(LAB_ID), `the lab loaded: ${JSON.stringify(opened.session.catalog.broken.map((b) => b.issues[0]?.message))}`);
    return opened;
  }

  before(async () => {
    api = await activateExtension();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-restricted-'));
    hostFile = path.join(base, 'note.txt');
    marker = path.join(base, 'marker');
    fs.writeFileSync(hostFile, `restricted-${RUN_ID}\n`);
    fs.mkdirSync(path.join(base, 'labs'));
    fs.writeFileSync(
      path.join(base, 'labs', 'restricted.lab.yaml'),
      `id: ${LAB_ID}
title: "Docker basics ${LINK}"
summary: A workspace lab that would act if it could.
minutes: 2
steps:
  - id: run
    title: "Run it ${LINK}"
    instructions: |
      ![a tracking pixel](https://example.com/cl-test-${RUN_ID}.png)
    commands:
      - run: touch ${marker}
    check:
      file:
        path: ${marker}
  - id: host-file
    title: Read a file on this computer
    instructions: The check reads a file of the host.
    check:
      file:
        path: ${hostFile}
        contains: restricted-${RUN_ID}
  - id: exec
    title: Read a file in a container
    instructions: The check runs cat in a container.
    check:
      file:
        path: /etc/hostname
        container:
          name: ${EXEC_CONTAINER}
          since: any
`,
    );
    const container = await d.createContainer({ Image: 'alpine:latest', name: EXEC_CONTAINER, Cmd: ['sleep', '600'], Labels: { [RUN_LABEL_KEY]: RUN_ID } });
    await container.start();
  });

  after(async () => {
    for (const session of made) session.dispose();
    await removeContainer(d, EXEC_CONTAINER);
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it('Run: nothing is sent, no data folder is made, and a fixed sentence says why', async () => {
    const { session, terminal, dialogs, workspace } = await loaded(open());
    assert.equal(session.canRun(LAB_ID), false);
    assert.equal(await session.runCommand(RUN, 0), false);
    assert.deepEqual(terminal.commands, []);
    assert.equal(fs.existsSync(path.join(workspace, '.container-labs')), false, 'no data folder was created');
    assert.deepEqual(dialogs.shown, [{ kind: 'warning', message: restrictedReason(), actions: ['Manage Workspace Trust'] }]);
    // The runtime refuses by itself too, whoever asks.
    // (By name: the session's runtime is the bundled extension's, not this file's import.)
    await assert.rejects(session.runtime.prepare(RUN, 0), (e: unknown) => e instanceof Error && e.name === 'CommandRefused' && e.message === restrictedReason());

    const control = await loaded(open({ trusted: () => true }));
    assert.equal(await control.session.runCommand(RUN, 0), true);
    assert.deepEqual(control.terminal.commands, [`touch ${marker}`]);
    assert.equal(fs.statSync(path.join(control.workspace, '.container-labs', 'data', LAB_ID)).isDirectory(), true, 'trusted: the data folder is made');
  });

  it('Check: the host file is not read, the step keeps no result, Check Step says why', async () => {
    const { session, dialogs } = await loaded(open());
    await session.openStep(HOST);
    assert.deepEqual(await session.checkNow(HOST), { status: 'error', reason: restrictedReason() });
    assert.equal(session.getState(HOST).result, undefined, 'no result is applied');
    assert.equal(session.getState(HOST).status, 'current');
    assert.deepEqual(await session.runtime.evaluate(HOST), { status: 'error', reason: restrictedReason() });

    const channel = vscode.window.createOutputChannel('cl-test-restricted', { log: true });
    try {
      const check = labCommandHandlers({ session, logger: createLogger(channel, 'restricted'), refresh: () => session.reload() }).get(Commands.checkStep);
      assert.ok(check);
      const before = dialogs.shown.length;
      await check(LAB_ID, HOST.stepId);
      assert.deepEqual(dialogs.shown.slice(before), [{ kind: 'warning', message: restrictedReason(), actions: ['Manage Workspace Trust'] }]);
    } finally {
      channel.dispose();
    }

    const control = await loaded(open({ trusted: () => true }));
    const passed = await control.session.checkNow(HOST);
    assert.equal(passed.status, 'passed', `trusted: the same check reads the file: ${passed.reason}`);
  });

  it('exec: no process is started in the container (its first exec after the Check is the test\'s own)', async () => {
    const { session } = await loaded(open());
    const filters = { type: ['container'], container: [EXEC_CONTAINER], event: ['exec_create'] };
    const own = `echo cl-test-${RUN_ID}`;
    const first = await nextEvent(d, filters, async () => {
      assert.equal((await session.checkNow(EXEC)).reason, restrictedReason());
      // Events come in order: had the check run `cat`, its exec_create would come before this one.
      const exec = await d.getContainer(EXEC_CONTAINER).exec({ Cmd: ['sh', '-c', own] });
      await exec.start({ Detach: true });
    });
    assert.match(String(first.Action), new RegExp(`exec_create: sh -c ${own}$`));

    const control = await loaded(open({ trusted: () => true }));
    let controlResult: { status: string; reason?: string } | undefined;
    const controlFirst = await nextEvent(d, filters, async () => (controlResult = await control.session.checkNow(EXEC)));
    assert.equal(controlResult?.status, 'passed', `trusted: the check passes: ${controlResult?.reason}`);
    assert.match(String(controlFirst.Action), /^exec_create: cat -- \/etc\/hostname$/, 'trusted: the check runs cat in the container');
  });

  it('live checks: none starts when a step is opened; once trusted, the lab comes alive without a reload', async () => {
    let trusted = false;
    const { session } = await loaded(open({ trusted: () => trusted }));
    await session.openStep(EXEC);
    assert.equal(session.runtime.liveStep, undefined, 'no live check in Restricted Mode');
    assert.equal(session.canRun(LAB_ID), false);

    let changes = 0;
    const sub = session.onDidChange(() => (changes += 1));
    try {
      trusted = true;
      session.trustChanged();
      assert.deepEqual(session.runtime.liveStep, EXEC, 'trusted: the current step is live-checked');
      assert.ok(changes > 0, 'the views are told to redraw');
      assert.equal(session.canRun(LAB_ID), true);
      const result = await session.checkNow(EXEC);
      assert.equal(result.status, 'passed', result.reason);
    } finally {
      sub.dispose();
    }
  });

  it('forged webview messages (run, check, openService) do nothing and the page says why; no remote image is loaded', async () => {
    const { session, terminal } = await loaded(open());
    const ext = vscode.extensions.getExtension<ContainerLabsApi>(EXTENSION_ID);
    assert.ok(ext);
    const channel = vscode.window.createOutputChannel('cl-test-restricted-webview', { log: true });
    const panel = WalkthroughPanel.create({ session, logger: channel, extensionUri: ext.extensionUri }, RUN);
    const posted: HostMessage[] = [];
    const sub = panel.onDidPost((m) => posted.push(m));
    try {
      await panel.show(RUN);
      await panel.whenReady(90_000);
      const view = panel.lastView;
      assert.ok(view);
      assert.equal(view.canRun, false);
      assert.doesNotMatch(view.instructionsHtml, /<img/, 'no remote image in Restricted Mode');
      assert.match(view.instructionsHtml, /not loaded in Restricted Mode/);

      for (const message of [
        { type: 'run', labId: LAB_ID, stepId: RUN.stepId, index: 0 },
        { type: 'check', labId: LAB_ID, stepId: RUN.stepId },
        { type: 'openService', labId: LAB_ID, stepId: RUN.stepId },
      ]) {
        const before = posted.length;
        assert.equal(await panel.handleMessage(message), 'handled', message.type);
        const notices = posted.slice(before).filter((m) => m.type === 'notice');
        assert.equal(notices.length, 1, `${message.type}: one notice, got ${JSON.stringify(posted.slice(before))}`);
        assert.match(JSON.stringify(notices[0]), /Restricted Mode/);
      }
      assert.deepEqual(terminal.commands, [], 'nothing was sent to the terminal');
      assert.equal(session.getState(RUN).result, undefined, 'nothing was checked');
    } finally {
      sub.dispose();
      panel.dispose();
      channel.dispose();
    }
  });
});
