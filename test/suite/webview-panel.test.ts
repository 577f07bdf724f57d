/**
 * The walkthrough panel inside the real extension host: the bundled page loads under its CSP
 * and says ready; forged messages are ignored and logged and the session does not act; valid
 * messages reach the real lab session (and its terminal); the panel follows session changes
 * without a click; the command opens one panel; the serializer path restores a step.
 *
 * The session is the extension's own LabSessionImpl (api.createSession) over the real engine
 * and terminal, with an in-memory memento and a test lab written to a temporary folder, so
 * the student's real progress is left alone. A Proxy records which session methods are called.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ContainerLabsApi } from '../../src/extension';
import type { LabSession, StepRef } from '../../src/session/types';
import { WalkthroughController, WalkthroughPanel, isWalkthroughState } from '../../src/webview/index';
import { OPEN_WALKTHROUGH_COMMAND, WALKTHROUGH_VIEW_TYPE, type HostMessage, type StepView } from '../../src/webview/protocol';
import { docker as engine, EXTENSION_ID, MemoryMemento, removeContainer, RUN_ID, RUN_LABEL_KEY, runName } from './helpers';

const LAB_ID = 'cl-test-walkthrough';
/** The step's check passes when this container exists (a name of this run); the live test creates it. */
const LIVE_CONTAINER = runName('walkthrough-live');
/** A local image that creates a stopped container offline (scripts/images.mjs builds it). */
const IMAGE = 'alpine:latest';

const LAB_YAML = `id: ${LAB_ID}
title: "Walkthrough test lab"
summary: A lab for the walkthrough panel's integration tests.
minutes: 1
images: []
steps:
  - id: first
    title: First step
    instructions: |
      Read [the Docker docs](https://docs.docker.com/engine/) and run the command.

      <script>alert(1)</script> [bad](javascript:alert(1))
    commands:
      - run: echo cl-test-walkthrough-first
      - run: docker run --rm alpine sleep 1
        foreground: true
      - run: docker rm -f cl-test-walkthrough-nothing
        destructive: true
    check:
      container:
        name: ${LIVE_CONTAINER}
        since: any
    hints:
      - "First hint."
      - "Second hint, with [a link](https://docs.docker.com/reference/cli/docker/)."
    solution:
      text: "Run \`echo\`."
      commands:
        - run: echo cl-test-walkthrough-solution
  - id: quiz
    title: A quiz
    instructions: Answer the question.
    commands: []
    hints: []
    quiz:
      question: "Which command lists running containers?"
      choices: ["docker ps", "docker images", "docker pull"]
      answer: [0]
      explanation: "\`docker ps\` lists running containers."
`;

const FIRST: StepRef = { labId: LAB_ID, stepId: 'first' };
const QUIZ: StepRef = { labId: LAB_ID, stepId: 'quiz' };

/** Session methods that act (run, change state, open things); views may call the rest freely. */
const ACTIONS = new Set(['runCommand', 'interrupt', 'checkNow', 'revealHint', 'revealSolution', 'answerQuiz', 'openStep', 'resetStep', 'resetLab', 'reload']);

/** The real session, with every acting call recorded. */
function recordingSession(session: LabSession, calls: string[]): LabSession {
  return new Proxy(session, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (ACTIONS.has(String(prop))) calls.push(String(prop));
        return fn.apply(target, args);
      };
    },
  });
}

/** A real LogOutputChannel whose warnings are also kept for the assertions. */
function recordingLogger(channel: vscode.LogOutputChannel, warnings: string[]): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'warn') {
        return (message: string, ...args: unknown[]) => {
          warnings.push(message);
          target.warn(message, ...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function walkthroughTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(WALKTHROUGH_VIEW_TYPE));
}

/** Resolves with the first message the panel posts that matches, or rejects after `ms`. */
function nextPost(panel: WalkthroughPanel, match: (m: HostMessage) => boolean, ms = 5000): Promise<HostMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching message from the panel within ${ms} ms`));
    }, ms);
    const sub = panel.onDidPost((m) => {
      if (!match(m)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(m);
    });
  });
}

function viewOf(panel: WalkthroughPanel): StepView {
  const view = panel.lastView;
  assert.ok(view, 'the panel has sent a view');
  return view;
}

const docker = engine();

describe('walkthrough panel (webview)', function () {
  // Generous budgets: on a loaded machine the webview (a page in headless Chromium) can take
  // more than 30 s to load and say ready.
  this.timeout(120_000);

  let api: ContainerLabsApi;
  let extensionUri: vscode.Uri;
  let labDir: string;
  let session: LabSession & { onDidRunCommand: vscode.Event<{ ref: StepRef; text: string }>; dispose(): void };
  let channel: vscode.LogOutputChannel;
  const calls: string[] = [];
  const warnings: string[] = [];
  const ran: string[] = [];
  let confirmAnswer = false;
  let panel: WalkthroughPanel;

  before(async function () {
    const ext = vscode.extensions.getExtension<ContainerLabsApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed in the host`);
    api = await ext.activate();
    await api.ready;
    extensionUri = ext.extensionUri;
    labDir = mkdtempSync(join(tmpdir(), 'cl-test-walkthrough-'));
    writeFileSync(join(labDir, 'walkthrough.lab.yaml'), LAB_YAML);
    const real = api.createSession({
      memento: new MemoryMemento(),
      roots: () => [{ dir: labDir, origin: 'bundled' }],
      confirm: () => Promise.resolve(confirmAnswer),
    });
    await real.reload();
    assert.ok(real.getStep(FIRST), `the test lab loaded: ${JSON.stringify(real.catalog.broken)}`);
    real.onDidRunCommand((e) => ran.push(e.text));
    session = real;
    channel = vscode.window.createOutputChannel('cl-test-walkthrough', { log: true });
    panel = WalkthroughPanel.create({ session: recordingSession(real, calls), logger: recordingLogger(channel, warnings), extensionUri }, FIRST);
    await panel.show(FIRST);
    await panel.whenReady(90_000);
  });

  after(async () => {
    await removeContainer(docker, LIVE_CONTAINER);
    panel?.dispose();
    session?.dispose();
    channel?.dispose();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('loads the bundled page under a strict CSP, says ready and gets the safe view model', () => {
    assert.equal(panel.isReady, true);
    const view = viewOf(panel);
    assert.deepEqual({ labId: view.labId, stepId: view.stepId, stepIndex: view.stepIndex, stepCount: view.stepCount }, { labId: LAB_ID, stepId: 'first', stepIndex: 0, stepCount: 2 });
    assert.equal(view.commands.length, 3);
    assert.equal(view.commands[0].text, 'echo cl-test-walkthrough-first');
    assert.deepEqual(view.commands.map((c) => [c.foreground, c.destructive]), [[false, false], [true, false], [false, true]]);
    assert.match(view.instructionsHtml, /<a href="https:\/\/docs\.docker\.com\/engine\/"/);
    assert.match(view.instructionsHtml, /&lt;script&gt;/);
    assert.doesNotMatch(view.instructionsHtml, /<script|href="javascript/i);

    const webview = panel.panel.webview;
    const html = panel.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'the page has a CSP meta tag');
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 22, `the CSP has a script nonce: ${csp}`);
    assert.match(csp, /^default-src 'none';/);
    assert.ok(csp.includes(`style-src ${webview.cspSource};`), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`), scripts[0]);
    assert.ok(scripts[0].includes(webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString()), scripts[0]);
    assert.doesNotMatch(html, /style=|<style/);

    const roots = (webview.options.localResourceRoots ?? []).map((u) => u.toString());
    assert.deepEqual(roots, [vscode.Uri.joinPath(extensionUri, 'dist').toString()]);
    assert.equal(webview.options.enableScripts, true);
    assert.notEqual(webview.options.enableCommandUris, true);
  });

  it('ignores and logs forged messages, and the session does not act', async () => {
    calls.length = 0;
    const forged: Array<[string, unknown]> = [
      ['unknown type', { type: 'exec', command: 'docker system prune -af' }],
      ['raw command string riding along', { type: 'run', ...FIRST, index: 0, command: 'rm -rf ~' }],
      ['command string as index', { type: 'run', ...FIRST, index: 'docker rm -f $(docker ps -aq)' }],
      ['another lab', { type: 'run', labId: 'first-containers', stepId: 'docker-help', index: 0 }],
      ['another step of this lab', { type: 'run', ...QUIZ, index: 0 }],
      ['no such command', { type: 'run', ...FIRST, index: 7 }],
      ['solution before it is shown', { type: 'run', ...FIRST, index: 0, solution: true }],
      ['copy of a hidden solution', { type: 'copy', ...FIRST, index: 0, solution: true }],
      ['javascript: link', { type: 'openLink', href: 'javascript:alert(1)' }],
      ['link the step does not show', { type: 'openLink', href: 'https://evil.example/' }],
      ['huge payload', { type: 'check', labId: 'x'.repeat(2_000_000), stepId: 'first' }],
      ['quiz on a step without one', { type: 'quiz', ...FIRST, choices: [0] }],
      ['not an object', 'run echo pwned'],
      ['extra field on ready', { type: 'ready', html: '<script>alert(1)</script>' }],
    ];
    for (const [what, raw] of forged) {
      const before = warnings.length;
      const outcome = await panel.handleMessage(raw);
      assert.equal(outcome, 'refused', `${what}: refused`);
      assert.equal(warnings.length, before + 1, `${what}: one warning logged`);
      assert.match(warnings[warnings.length - 1], /ignored a message from the webview/, what);
      assert.ok(warnings[warnings.length - 1].length < 400, `${what}: the log line stays short`);
    }
    assert.deepEqual(calls, [], 'no session action was called');
    assert.deepEqual(ran, [], 'nothing reached the terminal');
  });

  it('sends a valid run to the session, which runs the lab’s own text in the terminal', async () => {
    calls.length = 0;
    const outcome = await panel.handleMessage({ type: 'run', ...FIRST, index: 0 });
    assert.equal(outcome, 'handled');
    assert.deepEqual(calls.filter((c) => c === 'runCommand'), ['runCommand']);
    assert.deepEqual(ran, ['echo cl-test-walkthrough-first']);
  });

  it('copies the lab’s own command text through the extension', async () => {
    const notice = nextPost(panel, (m) => m.type === 'notice');
    assert.equal(await panel.handleMessage({ type: 'copy', ...FIRST, index: 0 }), 'handled');
    assert.match(JSON.stringify(await notice), /Copied/);
    assert.equal(await vscode.env.clipboard.readText(), 'echo cl-test-walkthrough-first');
  });

  it('does not run a destructive command the student declines', async () => {
    confirmAnswer = false;
    const before = ran.length;
    const notice = nextPost(panel, (m) => m.type === 'notice');
    assert.equal(await panel.handleMessage({ type: 'run', ...FIRST, index: 2 }), 'handled');
    assert.equal(ran.length, before, 'the declined command did not run');
    assert.match(JSON.stringify(await notice), /not run/);
  });

  it('reveals hints one at a time and refuses more than there are', async () => {
    assert.equal(viewOf(panel).hints.length, 0);
    assert.equal(await panel.handleMessage({ type: 'hint', ...FIRST }), 'handled');
    assert.deepEqual(viewOf(panel).hints.length, 1);
    assert.equal(await panel.handleMessage({ type: 'hint', ...FIRST }), 'handled');
    const view = viewOf(panel);
    assert.equal(view.hints.length, 2);
    assert.match(view.hints[1], /<a href="https:\/\/docs\.docker\.com\/reference\/cli\/docker\/"/);
    assert.equal(await panel.handleMessage({ type: 'hint', ...FIRST }), 'refused');
  });

  it('shows the solution only after confirmation, then runs its commands by index', async () => {
    confirmAnswer = false;
    assert.equal(await panel.handleMessage({ type: 'solution', ...FIRST }), 'handled');
    assert.equal(viewOf(panel).solution.shown, false, 'declined: still hidden');
    assert.equal(viewOf(panel).solution.commands.length, 0);
    confirmAnswer = true;
    assert.equal(await panel.handleMessage({ type: 'solution', ...FIRST }), 'handled');
    const view = viewOf(panel);
    assert.equal(view.solution.shown, true);
    assert.match(view.solution.html ?? '', /<code>echo<\/code>/);
    assert.deepEqual(view.solution.commands.map((c) => c.text), ['echo cl-test-walkthrough-solution']);
    assert.equal(await panel.handleMessage({ type: 'run', ...FIRST, index: 0, solution: true }), 'handled');
    assert.equal(ran[ran.length - 1], 'echo cl-test-walkthrough-solution');
  });

  it('runs Check now against the engine and shows why the step is not done', async () => {
    const checking = nextPost(panel, (m) => m.type === 'view' && m.view.check.checking);
    const outcome = await panel.handleMessage({ type: 'check', ...FIRST });
    assert.equal(outcome, 'handled');
    await checking;
    const view = viewOf(panel);
    assert.equal(view.check.checking, false);
    assert.equal(view.check.status, 'failed', JSON.stringify(view.check));
    assert.equal(view.check.reason, `no container named "${LIVE_CONTAINER}" exists: run one`);
  });

  it('shows the step passing by itself when the engine changes (live check, no click)', async () => {
    const images = await docker.listImages({ filters: { reference: [IMAGE] }, abortSignal: AbortSignal.timeout(10_000) });
    assert.equal(images.length, 1, `${IMAGE} is in the engine (scripts/images.mjs builds it)`);
    const sent = calls.length;
    const passed = nextPost(panel, (m) => m.type === 'view' && m.view.check.status === 'passed', 15_000);
    await docker.createContainer({ name: LIVE_CONTAINER, Image: IMAGE, Cmd: ['true'], Labels: { [RUN_LABEL_KEY]: RUN_ID }, abortSignal: AbortSignal.timeout(15_000) });
    const message = await passed;
    assert.ok(message.type === 'view');
    assert.equal(message.view.check.reason, `container "${LIVE_CONTAINER}" is created`);
    assert.equal(calls.slice(sent).includes('checkNow'), false, 'the panel did not ask for a check');
  });

  it('redraws without a click when the session changes (reset)', async () => {
    const updated = nextPost(panel, (m) => m.type === 'view' && m.view.hints.length === 0 && !m.view.solution.shown, 5000);
    await session.resetStep(FIRST);
    await updated;
  });

  it('only interrupts when the step has a foreground command', async () => {
    calls.length = 0;
    assert.equal(await panel.handleMessage({ type: 'interrupt' }), 'handled');
    assert.deepEqual(calls, ['interrupt']);
  });

  it('navigates to the next step, makes it current and grades the quiz', async () => {
    assert.equal(await panel.handleMessage({ type: 'navigate', direction: 'next' }), 'handled');
    assert.deepEqual(panel.ref, QUIZ);
    assert.deepEqual(session.current, QUIZ);
    let view = viewOf(panel);
    assert.equal(view.stepIndex, 1);
    assert.equal(view.hasNext, false);
    assert.ok(view.quiz);
    assert.equal(view.quiz.multiple, false);
    assert.equal(view.quiz.feedback, undefined, 'no answer before submitting');

    assert.equal(await panel.handleMessage({ type: 'run', ...FIRST, index: 0 }), 'refused', 'the old step is no longer the panel’s');
    assert.equal(await panel.handleMessage({ type: 'interrupt' }), 'refused', 'the quiz step has no foreground command');
    assert.equal(await panel.handleMessage({ type: 'quiz', ...QUIZ, choices: [5] }), 'refused');
    assert.equal(await panel.handleMessage({ type: 'quiz', ...QUIZ, choices: [] }), 'refused');

    assert.equal(await panel.handleMessage({ type: 'quiz', ...QUIZ, choices: [1] }), 'handled');
    view = viewOf(panel);
    assert.equal(view.quiz?.feedback?.correct, false);
    assert.match(view.quiz?.feedback?.explanationHtml ?? '', /<code>docker ps<\/code>/);
    assert.equal(await panel.handleMessage({ type: 'quiz', ...QUIZ, choices: [0] }), 'handled');
    assert.equal(viewOf(panel).quiz?.feedback?.correct, true);

    assert.equal(await panel.handleMessage({ type: 'navigate', direction: 'previous' }), 'handled');
    assert.deepEqual(panel.ref, FIRST);
  });

  it('Next on the lab\'s last step shows the lab\'s summary; its buttons go back to a step, and forged ones are refused', async () => {
    assert.equal(await panel.handleMessage({ type: 'summary', action: 'back' }), 'refused', 'no summary is shown yet');
    await panel.show(QUIZ);
    assert.equal(viewOf(panel).lastOfLab, true, 'the quiz is the lab\'s last step: Next finishes the lab');
    const posted = nextPost(panel, (m) => m.type === 'summary', 30_000);
    assert.equal(await panel.handleMessage({ type: 'navigate', direction: 'next' }), 'handled');
    const message = await posted;
    assert.equal(message.type, 'summary');
    const summary = panel.lastSummary;
    assert.ok(summary, 'the panel shows a summary');
    const progress = session.getProgress(LAB_ID);
    assert.deepEqual(
      { labId: summary.labId, passed: summary.passed, total: summary.total, steps: summary.steps.map((st) => [st.stepId, st.status]), next: summary.nextLab },
      { labId: LAB_ID, passed: progress.passed, total: 2, steps: [['first', session.getState(FIRST).status], ['quiz', 'passed']], next: undefined },
    );
    // What the clean-up plan holds, exactly (the lab's own commands made nothing that is still there, or what they made).
    assert.deepEqual(summary.leftovers, (await session.cleanupPlan(LAB_ID)).items.map((i) => i.name));
    assert.deepEqual(panel.ref, QUIZ, 'the step stays the last one while the summary shows');

    assert.equal(await panel.handleMessage({ type: 'summary', action: 'step' }), 'refused', 'step needs a stepId');
    assert.equal(await panel.handleMessage({ type: 'summary', action: 'back', stepId: 'first' }), 'refused', 'back takes no stepId');
    assert.equal(await panel.handleMessage({ type: 'summary', action: 'rm -rf' }), 'refused');
    assert.equal(await panel.handleMessage({ type: 'summary', action: 'step', stepId: 'no-such-step' }), 'refused');
    assert.equal(await panel.handleMessage({ type: 'summary', action: 'nextLab' }), 'handled', 'no next lab: a notice, nothing opens');
    assert.deepEqual(panel.ref, QUIZ);

    assert.equal(await panel.handleMessage({ type: 'summary', action: 'step', stepId: 'first' }), 'handled');
    assert.deepEqual(panel.ref, FIRST);
    assert.equal(panel.lastSummary, undefined, 'the step is shown again');
    assert.equal(viewOf(panel).stepId, 'first');
  });

  it('restores a panel from saved state, one panel only, and closes one whose lab is gone', async () => {
    const logger = recordingLogger(channel, warnings);
    const controller = new WalkthroughController({ session, logger, extensionUri }, { restoreWaitMs: 300 });
    // A function, so TypeScript does not keep an earlier narrowing of the property.
    const activePanel = (): WalkthroughPanel | undefined => controller.activePanel;
    try {
      assert.equal(isWalkthroughState({ labId: LAB_ID, stepId: 'quiz' }), true);
      assert.equal(isWalkthroughState({ labId: LAB_ID, stepId: 'quiz', extra: 1 }), false);
      assert.equal(isWalkthroughState({ labId: 7, stepId: 'quiz' }), false);

      const gone = vscode.window.createWebviewPanel(WALKTHROUGH_VIEW_TYPE, 'restored', vscode.ViewColumn.Beside, {});
      let goneDisposed = false;
      gone.onDidDispose(() => (goneDisposed = true));
      await controller.restore(gone, { labId: 'cl-test-no-such-lab', stepId: 'x' });
      assert.equal(goneDisposed, true, 'a panel for a lab that no longer exists is closed');
      assert.equal(activePanel(), undefined, 'no panel adopted');

      const restored = vscode.window.createWebviewPanel(WALKTHROUGH_VIEW_TYPE, 'restored', vscode.ViewColumn.Beside, {});
      await controller.restore(restored, { labId: LAB_ID, stepId: 'quiz' });
      const active = activePanel();
      assert.ok(active);
      assert.deepEqual(active.ref, QUIZ);
      assert.deepEqual((restored.webview.options.localResourceRoots ?? []).map((u) => u.toString()), [vscode.Uri.joinPath(extensionUri, 'dist').toString()]);
      await active.whenReady(90_000);
      assert.equal(viewOf(active).stepId, 'quiz');

      const second = vscode.window.createWebviewPanel(WALKTHROUGH_VIEW_TYPE, 'restored', vscode.ViewColumn.Beside, {});
      let secondDisposed = false;
      second.onDidDispose(() => (secondDisposed = true));
      await controller.restore(second, { labId: LAB_ID, stepId: 'first' });
      assert.equal(secondDisposed, true, 'only one walkthrough panel');
    } finally {
      controller.dispose();
    }
  });

  it('the open command shows one walkthrough beside the editor for a bundled lab', async () => {
    panel.dispose();
    const lab = api.session.catalog.labs.find((l) => l.source.origin === 'bundled' && l.steps.length > 1);
    assert.ok(lab, `a bundled lab is loaded (labs: ${api.session.catalog.labs.length}, broken: ${api.session.catalog.broken.length})`);
    assert.equal(await vscode.commands.executeCommand(OPEN_WALKTHROUGH_COMMAND, lab.id), true);
    assert.equal(await vscode.commands.executeCommand(OPEN_WALKTHROUGH_COMMAND, lab.id, lab.steps[1].id), true);
    // Tabs of panels disposed a moment ago may linger in tabGroups; count this lab's only.
    const tabs = walkthroughTabs().filter((t) => t.label === lab.title);
    assert.equal(tabs.length, 1, `one panel, revealed again instead of a second one: ${JSON.stringify(walkthroughTabs().map((t) => [t.label, t.group.viewColumn]))}`);
    assert.deepEqual(api.session.current, { labId: lab.id, stepId: lab.steps[1].id });
    assert.equal(await vscode.commands.executeCommand(OPEN_WALKTHROUGH_COMMAND, 'cl-test-no-such-lab'), false);
    await vscode.window.tabGroups.close(tabs);
  });
});

describe('walkthrough panel: the Open button follows the engine', function () {
  this.timeout(120_000);
  const SERVICE_LAB = 'cl-test-walkthrough-service';
  const SERVER = runName('walkthrough-server');
  const REF: StepRef = { labId: SERVICE_LAB, stepId: 'serve' };
  let session: LabSession | undefined;
  let panel: WalkthroughPanel | undefined;
  let channel: vscode.LogOutputChannel | undefined;
  let labDir = '';

  before(async function () {
    const ext = vscode.extensions.getExtension<ContainerLabsApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed in the host`);
    const api = await ext.activate();
    await api.ready;
    labDir = mkdtempSync(join(tmpdir(), 'cl-test-walkthrough-service-'));
    writeFileSync(
      join(labDir, 'service.lab.yaml'),
      [
        `id: ${SERVICE_LAB}`,
        'title: "A lab with a server"',
        'summary: The Open button of a step whose check is a web server.',
        'minutes: 1',
        'images: []',
        'steps:',
        '  - id: serve',
        '    title: Serve',
        '    instructions: Start the server.',
        '    commands: []',
        '    check:',
        '      http:',
        '        container:',
        `          name: ${SERVER}`,
        '          since: any',
        '        containerPort: 8080',
        '        path: /',
        '',
      ].join('\n'),
    );
    // No live checks and no polling: whatever the button does here, the engine's events made it do.
    const real = api.createSession({ memento: new MemoryMemento(), roots: () => [{ dir: labDir, origin: 'bundled' }], confirm: () => Promise.resolve(true), liveChecks: () => false });
    await real.reload();
    assert.ok(real.getStep(REF), `the test lab loaded: ${JSON.stringify(real.catalog.broken)}`);
    session = real;
    channel = vscode.window.createOutputChannel('cl-test-walkthrough-service', { log: true });
    panel = WalkthroughPanel.create({ session: real, logger: channel, extensionUri: ext.extensionUri, servicePollMs: 3_600_000 }, REF);
    await panel.show(REF);
    await panel.whenReady(90_000);
  });

  after(async () => {
    await removeContainer(docker, SERVER);
    panel?.dispose();
    session?.dispose();
    channel?.dispose();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('appears when the server starts and goes when it stops, without a poll', async () => {
    const p = panel;
    assert.ok(p);
    assert.equal(viewOf(p).service, undefined, 'no server yet: no Open button');
    const c = await docker.createContainer({
      name: SERVER,
      Labels: { [RUN_LABEL_KEY]: RUN_ID },
      Image: IMAGE,
      Cmd: ['sh', '-c', 'mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    const shown = nextPost(p, (m) => m.type === 'view' && m.view.service !== undefined, 60_000);
    await c.start();
    const hostPort = Number((await c.inspect()).NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    const up = await shown;
    assert.equal(up.type === 'view' ? up.view.service?.label : undefined, `Port ${hostPort}`);

    const gone = nextPost(p, (m) => m.type === 'view' && m.view.service === undefined, 60_000);
    await c.stop({ t: 0 });
    await gone;
    assert.equal(viewOf(p).service, undefined, 'the stopped server has no Open button');
  });
});
