/**
 * Security in the real extension host (trusted pass): text from a lab file and from the engine
 * never becomes a link in a notification or dialog, and secrets stay out of stored progress and
 * the exported report (issue #11, cases 1 and 6).
 *
 * VS Code renders `[label](command:…)` in notification and modal dialog text as a link that
 * runs the command. The lab below carries such links in its title, its steps' titles, its
 * commands and its checks, and a container of the lab prints one (engine text). Every message
 * the lab commands and the session pass to VS Code's window API is captured through the
 * session's dialog port (RecordingDialogs in helpers.ts) exactly as it would be shown.
 *
 * The Restricted Mode cases are in session.restricted.test.ts (they need the untrusted pass).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import * as vscode from 'vscode';
import { Commands } from '../../src/common/commands';
import { createLogger } from '../../src/common/logger';
import { STATE_KEYS } from '../../src/core/runtime/types';
import { progressReport } from '../../src/progress/report';
import { labCommandHandlers, type LabCommandHandler } from '../../src/session/commands';
import type { LabSessionImpl } from '../../src/session/labSession';
import { activateExtension, docker, MemoryMemento, RecordingDialogs, removeContainer, RUN_ID, RUN_LABEL_KEY, runName, ShellTerminal, type ShownMessage } from './helpers';

/** The link of the issue: one click types a command into the open terminal and runs it. */
const LINK = '[(trust & run)](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20%2Ftmp%2Fcl-pwned%5Cn%22%7D)';
/** A short one for the container's log line (a check quotes only the start of a long line). */
const SHORT_LINK = '[(open)](command:workbench.action.quit)';
const LAB_ID = 'cl-test-security';
const LOGS_CONTAINER = runName('security-logs');
/** A secret the container prints (a Jupyter-like token): masked in what is stored and exported. */
const SECRET = `s3cr3t${RUN_ID}`;

function labYaml(hostFile: string): string {
  return `id: ${LAB_ID}
title: "Docker basics ${LINK}"
summary: "A lab whose text carries command links ${LINK}"
minutes: 2
steps:
  - id: host-file
    title: "Read a file ${LINK}"
    instructions: The file check quotes the lab's text in its reason.
    check:
      file:
        path: ${hostFile}
        contains: "${LINK}"
  - id: logs
    title: "Print a line ${LINK}"
    instructions: The logs check quotes the container's last line (engine text).
    commands:
      - run: 'docker run --label "x=${LINK}" --name ${LOGS_CONTAINER} --label ${RUN_LABEL_KEY}=${RUN_ID} alpine echo "token=${SECRET} ${SHORT_LINK}"'
    check:
      logs:
        container:
          name: ${LOGS_CONTAINER}
          since: any
        contains: "never printed ${LINK}"
`;
}

/** VS Code's notification link syntax is `[label](target)`: no `](` may survive. */
function assertNoLink(shown: ShownMessage): void {
  for (const text of [shown.message, shown.detail ?? '']) {
    assert.doesNotMatch(text, /\]\(/, `a ${shown.kind} would show a link: ${JSON.stringify(text)}`);
  }
}

/** The message the last call showed (exactly one new one). */
function lastShown(dialogs: RecordingDialogs, before: number): ShownMessage {
  assert.equal(dialogs.shown.length, before + 1, `one message shown, got ${JSON.stringify(dialogs.shown.slice(before))}`);
  const shown = dialogs.shown[before];
  assertNoLink(shown);
  return shown;
}

describe('Security: lab and engine text in notifications and dialogs', function () {
  this.timeout(120_000);
  const dialogs = new RecordingDialogs();
  const memento = new MemoryMemento();
  const terminal = new ShellTerminal();
  let base: string;
  let workspace: string;
  let session: LabSessionImpl;
  let handlers: Map<string, LabCommandHandler>;
  let channel: vscode.LogOutputChannel;

  const call = async (id: string, ...args: unknown[]): Promise<unknown> => {
    const handler = handlers.get(id);
    assert.ok(handler, `a handler for ${id}`);
    return handler(...args);
  };

  before(async () => {
    const api = await activateExtension();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-security-'));
    const labDir = path.join(base, 'labs');
    fs.mkdirSync(labDir);
    const hostFile = path.join(base, 'note.txt');
    fs.writeFileSync(hostFile, `the lab's text: ${LINK}\n`);
    fs.writeFileSync(path.join(labDir, 'security.lab.yaml'), labYaml(hostFile));
    // A workspace folder whose very name is a link: it reaches the data folder's error message.
    workspace = path.join(base, `ws ${LINK}`);
    fs.mkdirSync(workspace);
    session = api.createSession({
      memento,
      terminal,
      roots: () => [{ dir: labDir, origin: 'workspace' }],
      notices: dialogs.notices,
      confirm: dialogs.confirm,
      liveChecks: () => false,
      workspaceFolder: () => workspace,
    });
    await session.reload();
    assert.ok(session.getLab(LAB_ID), `the lab loaded: ${JSON.stringify(session.catalog.broken.map((b) => b.issues[0]?.message))}`);
    assert.equal(session.canRun(LAB_ID), true, 'this pass trusts the workspace');
    channel = vscode.window.createOutputChannel('cl-test-security', { log: true });
    handlers = labCommandHandlers({ session, logger: createLogger(channel, 'security'), refresh: () => session.reload() });
  });

  after(async () => {
    await removeContainer(docker(), LOGS_CONTAINER);
    session?.dispose();
    channel?.dispose();
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it('Check Step, passed: the reason quotes the lab\'s text without a link, the step is named by its number', async () => {
    const before = dialogs.shown.length;
    const result = (await call(Commands.checkStep, LAB_ID, 'host-file')) as { status: string; reason: string };
    assert.equal(result.status, 'passed', result.reason);
    const shown = lastShown(dialogs, before);
    assert.equal(shown.kind, 'info');
    assert.match(shown.message, /^✓ Step 1 of 2 passed: /);
    // The text is there, inert: the link's parts are shown, not dropped.
    assert.ok(shown.message.includes('command:workbench.action.terminal.sendSequence'), shown.message);
    assert.ok(!shown.message.includes('Read a file'), `the step title is not pasted in: ${shown.message}`);
  });

  it('Check Step, failed: the engine\'s log line in the reason has no link and its token is masked', async () => {
    assert.equal(await session.runCommand({ labId: LAB_ID, stepId: 'logs' }, 0), true);
    assert.equal(await terminal.lastExit, 0, `the lab's command ran: ${terminal.commands.join(' | ')}`);
    const before = dialogs.shown.length;
    const result = (await call(Commands.checkStep, LAB_ID, 'logs')) as { status: string; reason: string };
    assert.equal(result.status, 'failed', result.reason);
    assert.ok(result.reason.includes(SECRET), `the engine's raw reason quotes the line: ${result.reason}`);
    const shown = lastShown(dialogs, before);
    assert.equal(shown.kind, 'warning');
    assert.match(shown.message, /^Step 2 of 2: the logs of /);
    assert.ok(shown.message.includes('its last line is'), shown.message);
    assert.ok(shown.message.includes('command:workbench.action.quit'), `the engine's line is shown: ${shown.message}`);
    assert.ok(!shown.message.includes(SECRET), `the token is masked: ${shown.message}`);
    assert.ok(shown.message.includes('token=***'), shown.message);
  });

  it('stores the failed step\'s reason with the secret masked (the Memento), and the report shows neither the secret nor a link', () => {
    const stored = JSON.stringify(memento.get(STATE_KEYS.progress));
    assert.ok(stored.includes('its last line is'), `the reason is stored: ${stored}`);
    assert.ok(!stored.includes(SECRET), `no secret in the stored progress: ${stored}`);
    assert.ok(stored.includes('token=***'), stored);

    const report = progressReport(session);
    assert.ok(!report.includes(SECRET), 'no secret in the report');
    assert.ok(report.includes('token=\\*\\*\\*'), 'the masked reason is in the report');
    // Rendered as VS Code's Markdown preview would: no link of any kind, no raw HTML.
    const html = new MarkdownIt().render(report);
    assert.doesNotMatch(html, /<a\s/, 'the report renders no link');
    assert.match(html, /Docker basics/, 'the lab is in the report');
  });

  it('Reset Lab: the modal names the lab in its detail, inert', async () => {
    const before = dialogs.shown.length;
    assert.equal(await call(Commands.resetLab, LAB_ID), false, 'not confirmed: not reset');
    const shown = lastShown(dialogs, before);
    assert.equal(shown.kind, 'confirm');
    assert.equal(shown.message, 'Reset your progress in this lab?');
    assert.ok(shown.detail?.includes('Docker basics'), shown.detail);
    assert.ok(shown.detail?.includes('command:workbench.action.terminal.sendSequence'), shown.detail);
    assert.equal(session.getState({ labId: LAB_ID, stepId: 'logs' }).status, 'failed', 'the progress is kept');
  });

  it('Clean Up Lab: the plan lists the command (lab text) without a link; with nothing left, a fixed sentence', async () => {
    const before = dialogs.shown.length;
    assert.equal(await call(Commands.cleanupLab, LAB_ID), undefined, 'not confirmed');
    const shown = lastShown(dialogs, before);
    assert.equal(shown.kind, 'confirm');
    assert.equal(shown.message, 'Remove what this lab created? (1 item)');
    assert.ok(shown.detail?.includes(`container ${LOGS_CONTAINER}: created by`), shown.detail);
    assert.ok(shown.detail?.includes('command:workbench'), `the command is shown: ${shown.detail}`);
    const inspected = await docker().getContainer(LOGS_CONTAINER).inspect();
    assert.equal(inspected.Name, `/${LOGS_CONTAINER}`, 'not confirmed: nothing removed');

    await removeContainer(docker(), LOGS_CONTAINER);
    const next = dialogs.shown.length;
    assert.equal(await call(Commands.cleanupLab, LAB_ID), undefined);
    const nothing = lastShown(dialogs, next);
    assert.deepEqual([nothing.kind, nothing.message], ['info', 'This lab has created nothing that is left to clean up.']);
  });

  it('a refused command\'s error (the data folder is a planted link, the folder\'s name a link) shows no link', async () => {
    const data = path.join(workspace, '.container-labs', 'data', LAB_ID);
    fs.rmSync(data, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(data), { recursive: true });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-security-elsewhere-'));
    try {
      fs.symlinkSync(elsewhere, data);
      const sent = terminal.commands.length;
      const before = dialogs.shown.length;
      assert.equal(await session.runCommand({ labId: LAB_ID, stepId: 'logs' }, 0), false);
      assert.equal(terminal.commands.length, sent, 'nothing was sent');
      const shown = lastShown(dialogs, before);
      assert.equal(shown.kind, 'error');
      assert.match(shown.message, /^Container Labs: cannot create the lab's data folder: .*is a symbolic link/);
      assert.ok(shown.message.includes('command:workbench'), `the folder's name is shown: ${shown.message}`);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
