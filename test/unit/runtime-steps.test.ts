/**
 * Step states in plain Node: what used to run only inside VS Code (the grace period after a
 * command, the auto-pass of read-only steps, navigation across a course, quizzes, resets),
 * now in the core runtime; the transitions themselves as pure functions.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { EngineEvents } from '../../src/core/checks/events';
import type { CheckResult } from '../../src/core/model';
import { applyResult, emptyStepState, shownCheck, shownStatus } from '../../src/core/runtime/steps';
import type { StepState } from '../../src/core/runtime/types';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { waitFor } from '../support/wait';
import type { LabCommand } from '../../src/core/model';
import { runDetached } from '../../src/core/events';
import { shellExecutor } from '../../src/core/runner/run';
import { LabRuntime } from '../../src/core/runtime/labRuntime';
import { type CommandExecution, type CommandExecutor, MemoryStore } from '../../src/core/runtime/types';
import { sleep } from '../support/wait';
import { connectedEvents, LABEL_ARG, LABELS, loadLabs, removeRunObjects, runName, shellRuntime, tempDir } from './runtime-support';

const FAIL: CheckResult = { status: 'failed', reason: 'no container named x exists' };
const PASS: CheckResult = { status: 'passed', reason: 'container x is running' };
const ERROR: CheckResult = { status: 'error', reason: 'cannot check: the Docker Engine did not answer within 3 s' };

describe('step states: the transitions (pure)', () => {
  const base = (status: StepState['status']): StepState => ({ ...emptyStepState(), status });
  const ctx = { explicit: false, now: 10_000, graceMs: 3000 };

  it('a failing live result before any command is "not done yet", never red', () => {
    const out = applyResult(base('current'), FAIL, ctx);
    assert.equal(out.state.status, 'current');
    assert.equal(out.state.reason, FAIL.reason);
    assert.equal(out.recheckAt, undefined);
  });

  it('within the grace after a command a failure shows its reason but is not red yet, and asks to look again when the grace ends', () => {
    const out = applyResult(base('current'), FAIL, { ...ctx, attemptedAt: 9000 });
    assert.equal(out.state.status, 'current');
    assert.equal(out.recheckAt, 12_001);
    const later = applyResult(out.state, FAIL, { ...ctx, now: 12_001, attemptedAt: 9000 });
    assert.equal(later.state.status, 'failed');
    assert.equal(applyResult(base('current'), ERROR, { ...ctx, now: 12_001, attemptedAt: 9000 }).state.status, 'error');
  });

  it('while the step\'s command still runs a failure is not red, however long it runs (a pull, a loaded engine)', () => {
    const running = applyResult(base('current'), FAIL, { ...ctx, now: 60_000, attemptedAt: 9000, commandRunning: true });
    assert.equal(running.state.status, 'current', 'long past the grace, but the command has not ended');
    assert.equal(running.recheckAt, undefined);
    assert.equal(applyResult(base('current'), FAIL, { ...ctx, now: 60_000, attemptedAt: 9000 }).state.status, 'failed', 'once it ended, the grace counts');
  });

  it('"cannot check" shows at once, even before any command; once the engine answers the step is judged as before', () => {
    const lost = applyResult(base('current'), ERROR, ctx);
    assert.equal(lost.state.status, 'error', 'the tree and the status bar show the engine is gone');
    const back = applyResult(lost.state, FAIL, ctx);
    assert.equal(back.state.status, 'current', 'not done yet, never red: nothing was attempted');
    assert.equal(applyResult(base('passed'), ERROR, ctx).state.status, 'passed', 'a passed step keeps its pass while the engine is away');
  });

  it('Check now counts at once; a red step stays red until it passes', () => {
    assert.equal(applyResult(base('current'), FAIL, { ...ctx, explicit: true }).state.status, 'failed');
    assert.equal(applyResult(base('failed'), ERROR, ctx).state.status, 'error');
    const passed = applyResult(base('failed'), PASS, ctx);
    assert.equal(passed.passed, true);
    assert.equal(passed.state.status, 'passed');
    assert.equal(passed.state.passedAt, 10_000);
  });

  it('a passed step keeps its progress when the engine changes, and shows the failing result as it is (never passed over a failed part)', () => {
    const passed = applyResult(base('current'), PASS, ctx).state;
    const failing: CheckResult = { status: 'failed', reason: FAIL.reason, children: [{ status: 'failed', reason: FAIL.reason }] };
    const after = applyResult(passed, failing, { ...ctx, now: 20_000 });
    assert.equal(after.state.status, 'passed', 'progress kept');
    assert.equal(after.state.passedAt, 10_000);
    const shown = shownCheck(after.state);
    assert.equal(shown.status, 'failed');
    assert.match(shown.reason ?? '', /^no container named x exists \(this step passed at \d\d:\d\d; that no longer holds\)$/);
    assert.equal(shown.result, failing, 'the parts shown are of the same result');
    assert.equal(applyResult(passed, failing, { ...ctx, explicit: true }).state.status, 'failed', 'Check now that fails counts');
    assert.deepEqual(shownCheck(passed), { status: 'passed', reason: PASS.reason, result: PASS });
  });
});

describe('step states: the runtime on the real engine (plain Node)', function () {
  this.timeout(120_000);
  const docker = mainDocker();
  const name = runName('steps');
  let events: EngineEvents;
  let workspace = '';
  let labDir = '';
  const labA = `${name}-a`;
  const labB = `${name}-b`;
  const files = {
    'a.lab.yaml': [
      `id: ${labA}`,
      'title: A',
      'summary: First lab of the course.',
      'minutes: 1',
      `images: [${BUSYBOX}]`,
      'steps:',
      '  - id: read',
      '    title: Read this',
      '    instructions: Nothing to run.',
      '  - id: exit',
      '    title: A container that exits with 0',
      '    instructions: Run it.',
      '    commands:',
      `      - run: 'docker run ${LABEL_ARG} --name ${name}-exit cl-test-busybox sh -c "exit 3"'`,
      // Its exit code does not matter here: the check decides, after the grace.
      '        exitCode: any',
      `    check: { container: { name: ${name}-exit, exitCode: 0 } }`,
      '  - id: quiz',
      '    title: A question',
      '    instructions: Answer.',
      '    quiz: { question: Which?, choices: [a, b], answer: [1], explanation: Because. }',
      '',
    ].join('\n'),
    'b.lab.yaml': [`id: ${labB}`, 'title: B', 'summary: Second lab.', 'minutes: 1', 'steps:', '  - id: first', '    title: First', '    instructions: Read.', '  - id: last', '    title: Last', '    instructions: Read.', ''].join('\n'),
    'd.lab.yaml': [`id: ${name}-d`, 'title: D', 'summary: One container.', 'minutes: 1', 'steps:', '  - id: made', '    title: Make it', '    instructions: Make it.', `    check: { container: { name: ${name}-made } }`, ''].join('\n'),
    'c.course.yaml': [`id: ${name}-course`, 'title: Course', 'summary: Two labs.', `labs: [${labA}, ${labB}]`, ''].join('\n'),
  };

  before(async () => {
    await ensureBusybox(docker);
    await removeRunObjects(docker);
    workspace = await tempDir();
    events = await connectedEvents(docker);
    labDir = (await loadLabs(files)).dir;
  });

  after(async () => {
    events?.dispose();
    await removeRunObjects(docker);
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
    if (labDir) await fs.rm(labDir, { recursive: true, force: true });
  });

  async function runtimeFor(graceMs: number): Promise<ReturnType<typeof shellRuntime>> {
    const t = shellRuntime(docker, events, workspace, { graceMs });
    const { catalog } = await loadLabs(files);
    await t.runtime.setCatalog(catalog);
    return t;
  }

  it('navigates across the course, and passes a read-only step once the student moves on past it (not back)', async () => {
    const { runtime } = await runtimeFor(3000);
    try {
      const read = { labId: labA, stepId: 'read' };
      const quiz = { labId: labA, stepId: 'quiz' };
      assert.deepEqual(runtime.next(quiz), { labId: labB, stepId: 'first' }, 'past the end: the next lab of the course');
      assert.deepEqual(runtime.previous({ labId: labB, stepId: 'first' }), quiz, 'before the start: the previous lab\'s last step');
      assert.equal(runtime.previous(read), undefined);
      assert.equal(runtime.next({ labId: labB, stepId: 'last' }), undefined);

      await runtime.openStep(read);
      assert.equal(runtime.getState(read).status, 'current');
      await runtime.openStep({ labId: labA, stepId: 'exit' });
      assert.equal(runtime.getState(read).status, 'passed');
      assert.equal(runtime.getState(read).reason, 'Read.');
      await runtime.resetStep(read);
      await runtime.openStep(quiz);
      await runtime.openStep(read);
      await runtime.openStep(quiz);
      assert.equal(runtime.getState(read).status, 'passed', 'moving forward again passes it');
      // Counted apart from the checked steps, and read as "read", never "passed".
      assert.deepEqual(runtime.getProgress(labA), { passed: 0, total: 2, read: 1, unchecked: 1 });
      const readStep = runtime.getStep(read);
      assert.ok(readStep);
      assert.equal(shownStatus(readStep, runtime.getState(read).status), 'read');
      await runtime.resetStep(read);
      await runtime.openStep(read);
      await runtime.openStep({ labId: labB, stepId: 'first' });
      assert.equal(runtime.getState(read).status, 'not-started', 'opening another lab is not moving on past it');

      assert.equal(runtime.answerQuiz(quiz, [0])?.correct, false);
      assert.equal(runtime.getState(quiz).status, 'failed');
      assert.equal(runtime.answerQuiz(quiz, [1])?.correct, true);
      assert.equal(runtime.getState(quiz).status, 'passed');
      assert.deepEqual(runtime.getProgress(labA), { passed: 1, total: 2, read: 0, unchecked: 1 });
      await runtime.resetLab(labA);
      assert.deepEqual(runtime.getProgress(labA), { passed: 0, total: 2, read: 0, unchecked: 1 });
    } finally {
      runtime.dispose();
    }
  });

  it('Reset Step a moment after the step\'s container was made: that container is older (listed by ID as the step opened), not a pass', async () => {
    const { runtime } = await runtimeFor(3000);
    const ref = { labId: `${name}-d`, stepId: 'made' };
    const made = `${name}-made`;
    try {
      await runtime.openStep(ref);
      const container = await docker.createContainer({ name: made, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      await waitFor('the step to pass with the new container', () => runtime.getState(ref).status === 'passed', 20_000, 20);
      await runtime.resetStep(ref);
      const openedAt = runtime.getState(ref).openedAt ?? 0;
      // The case: by the engine's whole-second creation time (and its 1 s slack) it would count as made since the reset.
      const [listed] = await docker.listContainers({ all: true, filters: { id: [container.id] } });
      assert.ok(listed && listed.Created >= Math.floor(openedAt / 1000) - 1, `the container was made within the second before the reset (created ${String(listed?.Created)}, reset at ${openedAt})`);
      const result = await runtime.checkNow(ref);
      assert.equal(result.status, 'failed', result.reason);
      assert.match(result.reason, /no container named .* was created since this step opened \(1 older one exists/);
      assert.notEqual(runtime.getState(ref).status, 'passed', 'the live check did not pass it either');
    } finally {
      runtime.dispose();
    }
  });

  it('after a command, a failing live result is not red within the grace, and turns red by itself when the grace ends', async () => {
    // Long enough for the engine to start and stop the container on a busy machine.
    const graceMs = 12_000;
    const { runtime } = await runtimeFor(graceMs);
    const ref = { labId: labA, stepId: 'exit' };
    const seen: Array<{ status: string; result: string; at: number }> = [];
    const sub = runtime.onDidApplyResult((e) => {
      if (e.ref.stepId === ref.stepId) seen.push({ status: runtime.getState(ref).status, result: e.result.reason, at: Date.now() });
    });
    try {
      await runtime.openStep(ref);
      const ranAt = Date.now();
      await runtime.run(await runtime.prepare(ref, 0));
      await waitFor('the step to turn red by itself', () => runtime.getState(ref).status === 'failed', 40_000, 20);
      const exited = seen.filter((s) => /exited with code 3/.test(s.result));
      assert.ok(exited.length >= 1, JSON.stringify(seen));
      const first = exited[0];
      assert.ok(first && first.at - ranAt < graceMs, `the first result about the exit came within the grace: ${JSON.stringify(seen)}`);
      assert.equal(first.status, 'current', 'not red within the grace');
      assert.match(runtime.getState(ref).reason ?? '', /exited with code 3/);
      // What turned it red was the grace ending: no new result about another state came in between.
      assert.ok(exited.every((s) => s.result === first.result));
    } finally {
      sub.dispose();
      runtime.dispose();
    }
  });

  it('a command that waited for its terminal gets its whole grace from when it went in (no end reported: a shell without integration)', async () => {
    const graceMs = 2000;
    // As the lab terminal when a new terminal's shell integration is late: it waits longer than
    // the grace, then types the command and cannot say when it ends.
    const waitedMs = graceMs + 1500;
    const shell = shellExecutor({ cwd: workspace, env: process.env, timeoutMs: 60_000, foreground: [] });
    let typedAt = 0;
    const executor: CommandExecutor = {
      run: async (text: string, command: LabCommand): Promise<CommandExecution> => {
        await sleep(waitedMs);
        typedAt = Date.now();
        // Typed, and the runtime is not told when it ends (no `ended`).
        runDetached(shell.run(text, command), (error) => console.error(`[test] ${String(error)}`));
        return {};
      },
    };
    const runtime = new LabRuntime<CommandExecution>({
      engine: { docker, publishedHost: '127.0.0.1', events },
      store: new MemoryStore(),
      executor,
      workspaceFolder: () => workspace,
      graceMs,
    });
    const { catalog } = await loadLabs(files);
    await runtime.setCatalog(catalog);
    const ref = { labId: labA, stepId: 'exit' };
    const seen: Array<{ status: string; result: string; at: number }> = [];
    const sub = runtime.onDidApplyResult((e) => {
      if (e.ref.stepId === ref.stepId) seen.push({ status: runtime.getState(ref).status, result: e.result.reason, at: Date.now() });
    });
    try {
      await removeRunObjects(docker);
      await runtime.openStep(ref);
      await runtime.run(await runtime.prepare(ref, 0));
      await waitFor('the step to turn red by itself', () => runtime.getState(ref).status === 'failed', 40_000, 20);
      const red = seen.find((s) => s.status === 'failed');
      // Before the fix the grace ran from the click, so the step went red while the terminal was still not ready.
      assert.ok(red && typedAt > 0 && red.at >= typedAt + graceMs - 50, `red only once the grace after the command went in was over (typed at ${typedAt}): ${JSON.stringify(seen)}`);
      // On a busy engine it may still have been starting then; the reason follows the engine.
      await waitFor('the reason to name the exit code', () => /exited with code 3/.test(runtime.getState(ref).reason ?? ''), 30_000, 20);
    } finally {
      sub.dispose();
      runtime.dispose();
    }
  });

  /** A runtime whose command goes in at once and whose end is never reported: the test makes the engine's steps itself. */
  async function handRuntime(graceMs: number): Promise<LabRuntime<CommandExecution>> {
    const runtime = new LabRuntime<CommandExecution>({
      engine: { docker, publishedHost: '127.0.0.1', events },
      store: new MemoryStore(),
      executor: { run: () => Promise.resolve({}) },
      workspaceFolder: () => workspace,
      graceMs,
    });
    const { catalog } = await loadLabs(files);
    await runtime.setCatalog(catalog);
    return runtime;
  }

  it('the grace starts again when the result changes inside it (a slow engine between create and start), and a standing result still goes red', async () => {
    const graceMs = 10_000;
    const runtime = await handRuntime(graceMs);
    const ref = { labId: labA, stepId: 'exit' };
    const changes: number[] = [];
    const log: Array<{ at: number; status: string; reason: string }> = [];
    const sub = runtime.onDidApplyResult((e) => {
      if (e.ref.stepId !== ref.stepId) return;
      log.push({ at: Date.now(), status: runtime.getState(ref).status, reason: e.result.reason.slice(0, 80) });
      if (/never ran|never started/.test(e.result.reason)) changes.push(Date.now());
    });
    try {
      await removeRunObjects(docker);
      await runtime.openStep(ref);
      await runtime.run(await runtime.prepare(ref, 0));
      const typedAt = Date.now();
      await sleep(3000);
      const container = await docker.createContainer({ name: `${name}-exit`, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      await waitFor('the live result to say it was created', () => changes.length > 0, 20_000, 20);
      const changedAt = changes[0] ?? 0;
      assert.ok(changedAt < typedAt + graceMs - 1000, `the change came inside the grace (${changedAt - typedAt} ms after the command)`);
      // Past the grace from the command, inside the grace from the change.
      await sleep(typedAt + graceMs + 1000 - Date.now());
      assert.equal(runtime.getState(ref).status, 'current', `not red ${Date.now() - typedAt} ms after the command: the result changed ${changedAt - typedAt} ms in (${runtime.getState(ref).reason ?? ''})`);
      await container.start();
      await waitFor('the step to pass', () => runtime.getState(ref).status === 'passed', 20_000, 20);

      // A result that stands still for the grace goes red by itself.
      await runtime.resetStep(ref);
      await docker.getContainer(`${name}-exit`).remove({ force: true });
      await runtime.run(await runtime.prepare(ref, 0));
      const second = Date.now();
      // The removal's event may come after the command went in (a busy engine): that change stretches the grace, up to four.
      await waitFor('the step to turn red by itself', () => runtime.getState(ref).status === 'failed', graceMs * 4 + 10_000, 20).catch((error: unknown) => {
        throw new Error(`${String(error)}; now ${runtime.getState(ref).status}; results since the command: ${JSON.stringify(log.filter((l) => l.at >= second).map((l) => `${l.at - second} ms ${l.status}: ${l.reason}`))}`);
      });
      assert.ok(Date.now() - second >= graceMs - 50, `red after the grace, not before (${Date.now() - second} ms)`);
    } finally {
      sub.dispose();
      runtime.dispose();
    }
  });

  it('a result that keeps changing (a container restarted again and again) still goes red, at most four graces after the command', async () => {
    const graceMs = 1500;
    const runtime = await handRuntime(graceMs);
    const ref = { labId: labA, stepId: 'exit' };
    let reasons = 0;
    let redAt: number | undefined;
    const sub = runtime.onDidApplyResult((e) => {
      if (e.ref.stepId !== ref.stepId) return;
      reasons += 1;
      if (redAt === undefined && runtime.getState(ref).status === 'failed') redAt = Date.now();
    });
    try {
      await removeRunObjects(docker);
      await runtime.openStep(ref);
      await runtime.run(await runtime.prepare(ref, 0));
      const typedAt = Date.now();
      const container = await docker.createContainer({ name: `${name}-exit`, Image: BUSYBOX, Cmd: ['sh', '-c', 'sleep 0.2; exit 3'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      // Running, exited with 3, running again...: a new reason every few hundred ms, for 5 graces.
      while (Date.now() < typedAt + 5 * graceMs && redAt === undefined) {
        await container.start().catch(() => undefined);
        await sleep(400);
      }
      assert.ok(reasons >= 4, `the result kept changing (${reasons} results)`);
      assert.ok(redAt !== undefined, `red while it still changed, ${Date.now() - typedAt} ms after the command (the stretch is capped)`);
      assert.ok(redAt - typedAt <= 4 * graceMs + 800, `red by four graces after the command: ${redAt - typedAt} ms`);
    } finally {
      sub.dispose();
      runtime.dispose();
    }
  });
});
