import * as assert from 'assert';
import * as vscode from 'vscode';
import { escapeRegExp, inert } from '../../src/core/text';
import type { ContainerLabsApi } from '../../src/extension';
import type { LabSessionImpl } from '../../src/session/labSession';
import { TERMINAL_NAME } from '../../src/terminal/labTerminal';
import { activateExtension, docker, ECHO_CONTAINER, LIVE_CONTAINER, MemoryMemento, nextEvent, RecordingTerminal, removeContainer, runName, TEST_LAB, waitFor } from './helpers';

const ECHO = { labId: TEST_LAB, stepId: 'echo' };
const LIVE = { labId: TEST_LAB, stepId: 'live' };
const QUIZ = { labId: TEST_LAB, stepId: 'quiz' };

describe('Lab session', function () {
  this.timeout(90_000);
  let api: ContainerLabsApi;
  const d = docker();

  before(async () => {
    api = await activateExtension();
    const images = await d.listImages({ filters: { reference: ['alpine:latest'] }, abortSignal: AbortSignal.timeout(10_000) });
    assert.ok(images.length > 0, 'alpine:latest must exist in the engine (node scripts/images.mjs builds it)');
    await removeContainer(d, ECHO_CONTAINER);
    await removeContainer(d, LIVE_CONTAINER);
  });

  after(async () => {
    await removeContainer(d, ECHO_CONTAINER);
    await removeContainer(d, LIVE_CONTAINER);
    await api.session.resetLab(TEST_LAB);
  });

  describe('terminal', () => {
    it('runStepCommand runs the lab command in the Container Labs terminal, and the container exits 0', async () => {
      let ran: unknown;
      const event = await nextEvent(d, { type: ['container'], event: ['die'], container: [ECHO_CONTAINER] }, async () => {
        ran = await vscode.commands.executeCommand('containerLabs.runStepCommand', ECHO.labId, ECHO.stepId, 0);
      });
      assert.strictEqual(ran, true);
      assert.strictEqual(event.Actor?.Attributes?.name, ECHO_CONTAINER);
      assert.strictEqual(event.Actor?.Attributes?.exitCode, '0');
      const terminals = vscode.window.terminals.filter((t) => t.name === TERMINAL_NAME);
      assert.strictEqual(terminals.length, 1, 'one Container Labs terminal');
      assert.deepStrictEqual(api.session.current, ECHO, 'running a step command makes it the current step');
    });

    it('reuses the terminal, and opens a new one after it was closed', async () => {
      const first = api.terminal.current;
      assert.ok(first);
      await nextEvent(d, { type: ['container'], event: ['die'], container: [ECHO_CONTAINER] }, () =>
        vscode.commands.executeCommand('containerLabs.runStepCommand', ECHO.labId, ECHO.stepId, 0),
      );
      assert.strictEqual(api.terminal.current, first, 'the same terminal');
      first.dispose();
      await waitFor('the terminal to close', () => api.terminal.current === undefined);
      const event = await nextEvent(d, { type: ['container'], event: ['die'], container: [ECHO_CONTAINER] }, () =>
        vscode.commands.executeCommand('containerLabs.runStepCommand', ECHO.labId, ECHO.stepId, 0),
      );
      assert.strictEqual(event.Actor?.Attributes?.exitCode, '0');
      assert.ok(api.terminal.current && api.terminal.current !== first, 'a new terminal');
      assert.strictEqual(vscode.window.terminals.filter((t) => t.name === TERMINAL_NAME && t.exitStatus === undefined).length, 1);
    });

    it('a step passes by itself after its command (live check), and the tree shows it', async () => {
      await api.session.openStep(LIVE);
      assert.notStrictEqual(api.session.getState(LIVE).status, 'passed');
      const started = Date.now();
      const ran = await vscode.commands.executeCommand('containerLabs.runStepCommand', LIVE.labId, LIVE.stepId, 0);
      assert.strictEqual(ran, true);
      await waitFor('the live step to pass', () => api.session.getState(LIVE).status === 'passed', 30_000);
      const state = api.session.getState(LIVE);
      assert.ok(state.passedAt && state.passedAt >= started);
      assert.strictEqual(state.reason, `container "${LIVE_CONTAINER}" exited with code 0`);
      const node = api.tree.provider.find(LIVE);
      assert.ok(node);
      const item = api.tree.provider.getTreeItem(node);
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'pass-filled');
    });

    it('a destructive command asks first and runs only when confirmed', async () => {
      const terminal = new RecordingTerminal();
      const answers: boolean[] = [false, true];
      const asked: string[] = [];
      const session = api.createSession({
        memento: new MemoryMemento(),
        terminal,
        liveChecks: () => false,
        confirm: (_message, detail) => {
          asked.push(detail);
          return Promise.resolve(answers.shift() ?? false);
        },
      });
      try {
        await session.reload();
        assert.strictEqual(await session.runCommand(LIVE, 1), false, 'declined');
        assert.deepStrictEqual(terminal.commands, []);
        assert.strictEqual(await session.runCommand(LIVE, 1), true, 'confirmed');
        assert.deepStrictEqual(terminal.commands, [`docker rm -f ${LIVE_CONTAINER}`]);
        assert.deepStrictEqual(asked, [`docker rm -f ${LIVE_CONTAINER}`, `docker rm -f ${LIVE_CONTAINER}`]);
      } finally {
        session.dispose();
      }
    });
  });

  describe('progress', () => {
    it('persists in the Memento: a new session over the same state reads it back', async () => {
      const memento = new MemoryMemento();
      const make = (): LabSessionImpl => api.createSession({ memento, terminal: new RecordingTerminal(), liveChecks: () => false });
      const one = make();
      await one.reload();
      await one.openStep(ECHO);
      const feedback = one.answerQuiz(QUIZ, [0]);
      assert.strictEqual(feedback?.correct, true);
      assert.strictEqual(one.revealHint(ECHO), 1);
      const opened = one.getState(ECHO).openedAt;
      one.dispose();

      const two = make();
      await two.reload();
      try {
        assert.deepStrictEqual(two.current, ECHO);
        assert.strictEqual(two.getState(QUIZ).status, 'passed');
        assert.deepStrictEqual(two.getState(QUIZ).answer, [0]);
        assert.strictEqual(two.getState(ECHO).hintsShown, 1);
        assert.strictEqual(two.getState(ECHO).openedAt, opened);
        assert.deepStrictEqual(two.getProgress(TEST_LAB), { passed: 1, total: 3, read: 0, unchecked: 0 });
        assert.ok(memento.keys().includes('containerLabs.progress.v1'));
      } finally {
        two.dispose();
      }
    });

    it('drops steps that vanished from a lab file and keeps the rest', async () => {
      const memento = new MemoryMemento();
      await memento.update('containerLabs.progress.v1', {
        version: 1,
        labs: { [TEST_LAB]: { steps: { quiz: { status: 'passed', hintsShown: 0, solutionShown: false }, gone: { status: 'passed', hintsShown: 0, solutionShown: false } } } },
        current: { labId: TEST_LAB, stepId: 'gone' },
      });
      const session = api.createSession({ memento, terminal: new RecordingTerminal(), liveChecks: () => false });
      try {
        await session.reload();
        const stored = memento.get<{ labs: Record<string, { steps: Record<string, unknown> }>; current?: unknown }>('containerLabs.progress.v1');
        assert.deepStrictEqual(Object.keys(stored?.labs[TEST_LAB].steps ?? {}), ['quiz']);
        assert.strictEqual(stored?.current, undefined);
        assert.strictEqual(session.getState(QUIZ).status, 'passed');
      } finally {
        session.dispose();
      }
    });

    it('ignores malformed stored state instead of failing', async () => {
      const memento = new MemoryMemento();
      await memento.update('containerLabs.progress.v1', { version: 1, labs: { [TEST_LAB]: { steps: { quiz: { status: 'bogus' }, echo: 'x' } } } });
      const session = api.createSession({ memento, terminal: new RecordingTerminal(), liveChecks: () => false });
      try {
        await session.reload();
        assert.strictEqual(session.getState(QUIZ).status, 'not-started');
        assert.deepStrictEqual(session.getProgress(TEST_LAB), { passed: 0, total: 3, read: 0, unchecked: 0 });
      } finally {
        session.dispose();
      }
    });

    it('resets a step and a lab', async () => {
      const session = api.createSession({ memento: new MemoryMemento(), terminal: new RecordingTerminal(), liveChecks: () => false });
      try {
        await session.reload();
        session.answerQuiz(QUIZ, [0]);
        // Without its container, a check leaves the live step failed, with the reason.
        await removeContainer(d, LIVE_CONTAINER);
        const checked = await session.checkNow(LIVE);
        assert.deepStrictEqual([checked.status, checked.reason], ['failed', `no container named "${LIVE_CONTAINER}" exists: run it and let it finish`]);
        assert.strictEqual(session.getState(LIVE).status, 'failed');
        session.revealHint(ECHO);
        assert.strictEqual(session.getState(QUIZ).status, 'passed');
        await session.resetStep(QUIZ);
        assert.strictEqual(session.getState(QUIZ).status, 'not-started');
        assert.strictEqual(session.getState(ECHO).hintsShown, 1, 'other steps keep their state');
        session.answerQuiz(QUIZ, [0]);
        await session.resetLab(TEST_LAB);
        for (const ref of [ECHO, LIVE, QUIZ]) {
          const state = session.getState(ref);
          assert.strictEqual(state.status, 'not-started', ref.stepId);
          assert.strictEqual(state.hintsShown, 0);
        }
        assert.deepStrictEqual(session.getProgress(TEST_LAB), { passed: 0, total: 3, read: 0, unchecked: 0 });
      } finally {
        session.dispose();
      }
    });

    it('the reset commands work from the command line with ids', async () => {
      await api.session.openStep(QUIZ);
      api.session.answerQuiz(QUIZ, [0]);
      assert.strictEqual(api.session.getState(QUIZ).status, 'passed');
      assert.strictEqual(await vscode.commands.executeCommand('containerLabs.resetStep', QUIZ.labId, QUIZ.stepId), true);
      assert.notStrictEqual(api.session.getState(QUIZ).status, 'passed');
    });
  });

  describe('trust and forged arguments', () => {
    it('refuses a workspace lab in an untrusted workspace but runs a bundled one', async () => {
      const terminal = new RecordingTerminal();
      const session = api.createSession({ memento: new MemoryMemento(), terminal, liveChecks: () => false, isTrusted: () => false });
      try {
        await session.reload();
        assert.strictEqual(session.getLab(TEST_LAB)?.source.origin, 'workspace');
        assert.strictEqual(session.canRun(TEST_LAB), false);
        assert.strictEqual(await session.runCommand(ECHO, 0), false);
        assert.deepStrictEqual(terminal.commands, [], 'nothing reached the terminal');
        const bundled = session.getLab('first-containers');
        assert.ok(bundled && bundled.source.origin === 'bundled');
        assert.strictEqual(session.canRun(bundled.id), true);
        const step = bundled.steps.find((s) => s.commands.length > 0 && !s.commands[0].destructive);
        assert.ok(step);
        assert.strictEqual(await session.runCommand({ labId: bundled.id, stepId: step.id }, 0), true);
        assert.deepStrictEqual(terminal.commands, [session.commandText({ labId: bundled.id, stepId: step.id }, 0)]);
      } finally {
        session.dispose();
      }
    });

    it('refuses forged command arguments (unknown lab, bad index, a raw command string)', async () => {
      const FORGED = runName('forged');
      const forged: unknown[][] = [
        ['no-such-lab', 'echo', 0],
        [TEST_LAB, 'no-such-step', 0],
        [TEST_LAB, 'echo', 7],
        [TEST_LAB, 'echo', -1],
        [TEST_LAB, 'echo', 0.5],
        [TEST_LAB, 'echo', '0'],
        [`docker run --rm --name ${FORGED} alpine echo pwned`],
        [`docker run --rm --name ${FORGED} alpine echo pwned`, 'x', 0],
        [{ labId: TEST_LAB, stepId: 'echo', run: 'docker rm -f everything' }, 0],
        [],
      ];
      const before = api.terminal.current;
      for (const args of forged) {
        const result = await vscode.commands.executeCommand('containerLabs.runStepCommand', ...args);
        assert.strictEqual(result, false, `refused ${JSON.stringify(args)}`);
      }
      assert.strictEqual(api.terminal.current, before, 'no terminal was created or replaced');
      const containers = await d.listContainers({ all: true, filters: { name: [FORGED] }, abortSignal: AbortSignal.timeout(10_000) });
      assert.strictEqual(containers.length, 0, 'no forged container ran');
    });

    it('commandText gives the lab\'s own text and nothing for a bad index', () => {
      assert.strictEqual(api.session.commandText(ECHO, 0), `docker run --rm --name ${ECHO_CONTAINER} alpine echo cl-test-hello`);
      assert.strictEqual(api.session.commandText(ECHO, 1), undefined);
      assert.strictEqual(api.session.commandText({ labId: 'x', stepId: 'y' }, 0), undefined);
    });
  });

  describe('report', () => {
    it('exports a Markdown progress report in a new untitled document', async () => {
      const doc = await vscode.commands.executeCommand<vscode.TextDocument>('containerLabs.exportReport');
      assert.ok(doc);
      assert.strictEqual(doc.languageId, 'markdown');
      assert.ok(doc.isUntitled);
      const text = doc.getText();
      assert.match(text, /^# Container Labs progress report/);
      assert.match(text, /Test lab: terminal and live checks/);
      // Lab 1's steps without a check are counted apart from its checked steps, row and heading.
      const lab1 = api.session.getProgress('first-containers');
      assert.ok(lab1.unchecked > 0, 'lab 1 has steps without a check');
      // As the report writes it: Markdown-inert ("1\\. Your first containers").
      const title = escapeRegExp(inert(api.session.getLab('first-containers')?.title ?? '', 'markdown'));
      assert.match(text, new RegExp(`\\| ${title} \\| (✅ )?${lab1.passed} \\| ${lab1.total} \\| ${lab1.read} \\| ${lab1.unchecked} \\|`));
      assert.match(text, new RegExp(`## ${title} \\(${lab1.passed}/${lab1.total}, ${lab1.read}/${lab1.unchecked} read\\)`));
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  });
});
