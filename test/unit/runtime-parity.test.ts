/**
 * Parity, on the real engine: the same lab through the CLI path (`runLab`, the solution in a
 * shell, as `container-labs test` runs it) and through the extension's path (the runtime the
 * session drives: open the step, run each command in a terminal that reports when it ends,
 * watch the step's state). The same steps pass and fail, and the clean-up removes the same
 * things, each for the same reason.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { EngineEvents } from '../../src/core/checks/events';
import type { Lab } from '../../src/core/model';
import { runLab } from '../../src/core/runner/run';
import type { CleanupResult } from '../../src/core/runtime/cleanup';
import { LabRuntime } from '../../src/core/runtime/labRuntime';
import { isGeneratedName } from '../../src/core/runtime/ownership';
import { MemoryStore, type CommandExecution, type CommandExecutor } from '../../src/core/runtime/types';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { waitFor } from '../support/wait';
import { connectedEvents, LABEL_ARG, loadLabs, removeRunObjects, runName, tempDir } from './runtime-support';

const P = runName('parity');
const LAB_ID = `${P}-lab`;
const TAG = `${P}-tag:v1`;

const YAML = [
  `id: ${LAB_ID}`,
  'title: Parity',
  'summary: The same lab through the CLI and the extension.',
  'minutes: 1',
  `images: [${BUSYBOX}]`,
  'steps:',
  '  - id: read',
  '    title: Read',
  '    instructions: Nothing to run.',
  '  - id: volume',
  '    title: A volume',
  '    instructions: Create it.',
  '    commands:',
  `      - run: 'docker volume create ${LABEL_ARG} ${P}-vol'`,
  `    check: { volume: { name: ${P}-vol } }`,
  '  - id: write',
  '    title: A named container writes into it',
  '    instructions: Run it.',
  '    commands:',
  `      - run: 'docker run ${LABEL_ARG} --name ${P}-writer -v ${P}-vol:/data cl-test-busybox sh -c "echo hi > /data/x && echo wrote-it"'`,
  `    check: { all: [ { container: { name: ${P}-writer, exitCode: 0 } }, { logs: { container: { name: ${P}-writer }, contains: wrote-it } } ] }`,
  '  - id: unnamed',
  '    title: A container the engine names',
  '    instructions: Run it.',
  '    commands:',
  `      - run: 'docker run ${LABEL_ARG} cl-test-busybox echo ${P}-unnamed'`,
  `    check: { container: { image: cl-test-busybox, commandContains: ${P}-unnamed, exitCode: 0 } }`,
  '  - id: tag',
  '    title: A tag',
  '    instructions: Tag it.',
  '    commands:',
  `      - run: 'docker tag ${BUSYBOX} ${TAG}'`,
  `    check: { image: { ref: ${TAG} } }`,
  '  - id: file',
  '    title: A file in the lab data folder',
  '    instructions: Write it.',
  '    commands:',
  '      - run: echo parity > ${labData}/note.txt',
  '    check: { file: { path: "${labData}/note.txt", contains: parity } }',
  '  - id: wrong',
  '    title: A container that fails',
  '    instructions: It exits with 3; the check wants 0.',
  '    commands:',
  `      - run: 'docker run ${LABEL_ARG} --name ${P}-wrong cl-test-busybox sh -c "exit 3"'`,
  `    check: { container: { name: ${P}-wrong, exitCode: 0 } }`,
  '  - id: quiz',
  '    title: A question',
  '    instructions: Answer it.',
  '    quiz: { question: Which?, choices: [a, b], answer: [0], explanation: Because. }',
  '',
].join('\n');

/** A terminal as the extension has one: it takes the text and reports when the command ends (shell integration). */
function terminalExecutor(cwd: string): CommandExecutor {
  return {
    run(text): Promise<CommandExecution> {
      const child = spawn('/bin/sh', ['-c', text], { cwd, stdio: 'ignore' });
      const ended = new Promise<number | undefined>((resolve) => {
        child.once('error', () => resolve(undefined));
        child.once('exit', (code) => resolve(code ?? undefined));
      });
      return Promise.resolve({ ended });
    },
  };
}

/** A clean-up result as both paths must agree on it: the engine's made-up names and the times differ between runs. */
function comparable(items: CleanupResult[]): string[] {
  return items
    .map((i) => `${i.kind} ${isGeneratedName(i.name) ? '<generated>' : i.name} ${i.outcome} ${i.why.replace(/ at \d\d:\d\d/, ' at HH:MM')}`)
    .sort();
}

describe('parity: the CLI path and the extension path of one runtime (real engine)', function () {
  this.timeout(240_000);
  const docker = mainDocker();
  let events: EngineEvents;
  let lab: Lab;
  let labDir = '';
  let cliWorkspace = '';
  let extWorkspace = '';

  before(async () => {
    await ensureBusybox(docker);
    await removeRunObjects(docker, [TAG]);
    events = await connectedEvents(docker);
    const loaded = await loadLabs({ 'parity.lab.yaml': YAML });
    labDir = loaded.dir;
    const found = loaded.catalog.labs[0];
    assert.ok(found);
    lab = found;
    cliWorkspace = await tempDir();
    extWorkspace = await tempDir();
  });

  after(async () => {
    events?.dispose();
    await removeRunObjects(docker, [TAG]);
    for (const dir of [labDir, cliWorkspace, extWorkspace]) if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('the same steps pass and fail, and the same clean-up plan is removed', async () => {
    // The CLI path.
    const cli = await runLab(lab, { docker, publishedHost: '127.0.0.1', workspaceFolder: cliWorkspace, events, checkTimeoutMs: 10_000 });
    const cliStatus = Object.fromEntries(cli.steps.map((s) => [s.id, s.status]));
    assert.deepEqual(cliStatus, { read: 'info', volume: 'passed', write: 'passed', unnamed: 'passed', tag: 'passed', file: 'passed', wrong: 'failed', quiz: 'quiz' }, JSON.stringify(cli.steps.map((s) => [s.id, s.reason])));
    assert.ok(cli.cleanup);

    // The extension's path: the runtime the session drives, a terminal as the executor.
    const runtime = new LabRuntime({
      engine: { docker, publishedHost: '127.0.0.1', events },
      store: new MemoryStore(),
      executor: terminalExecutor(extWorkspace),
      workspaceFolder: () => extWorkspace,
      graceMs: 4000,
    });
    try {
      await runtime.setCatalog({ courses: [], labs: [lab], broken: [], warnings: [] });
      const extStatus: Record<string, string | undefined> = {};
      for (const step of lab.steps) {
        const ref = { labId: lab.id, stepId: step.id };
        await runtime.openStep(ref);
        for (let i = 0; i < step.commands.length; i++) {
          // The student clicks Run, and waits for the terminal before the next one.
          const execution = await runtime.run(await runtime.prepare(ref, i));
          await execution.ended;
        }
        if (step.check) {
          // As a student would: until it passed, or it is red and the live check has seen every event since.
          await waitFor(`${step.id} to settle`, () => runtime.getState(ref).status === 'passed' || (['failed', 'error'].includes(runtime.getState(ref).status) && runtime.liveSettled(ref)), 30_000, 20);
        }
      }
      const reasons: string[] = [];
      for (const step of lab.steps) {
        const state = runtime.getState({ labId: lab.id, stepId: step.id });
        extStatus[step.id] = state.status;
        reasons.push(`${step.id}: ${state.status} ${state.reason ?? ''}`);
      }
      for (const s of cli.steps) {
        if (s.status === 'passed' || s.status === 'failed') assert.equal(extStatus[s.id], s.status, `${s.id}\n${reasons.join('\n')}`);
      }
      // Without a check: done once moved past (read), not answered yet (quiz); the CLI calls these info and quiz.
      assert.deepEqual(extStatus, { read: 'passed', volume: 'passed', write: 'passed', unnamed: 'passed', tag: 'passed', file: 'passed', wrong: 'failed', quiz: 'current' }, reasons.join('\n'));

      const plan = await runtime.cleanupPlan(lab.id);
      const ext = await runtime.cleanup(plan);
      assert.deepEqual(comparable(ext.items), comparable(cli.cleanup.items));
      assert.deepEqual(
        comparable(ext.items).map((line) => line.split(' ').slice(0, 3).join(' ')),
        [
          'container <generated> removed',
          `container ${P}-wrong removed`,
          `container ${P}-writer removed`,
          `image ${TAG} removed`,
          `volume ${P}-vol removed`,
        ].sort(),
      );
    } finally {
      runtime.dispose();
    }
  });
});
