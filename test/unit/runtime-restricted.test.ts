/**
 * The core runtime's `mayAct` (issue #11, case 5), in plain Node on the real engine and a real
 * shell: a lab that may not act runs no command (neither `prepare` nor `run`, so no data folder
 * either), reads no host file, evaluates no check and starts no live check, and comes alive
 * when `permissionsChanged()` says it may. Each refusal is set against the same runtime with
 * the lab allowed. And stored progress keeps reasons with their secrets masked (case 6).
 */
import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EngineEvents } from '../../src/core/checks/events';
import { CommandRefused, restrictedReason } from '../../src/core/runtime/labRuntime';
import { parseProgress, ProgressStore } from '../../src/core/runtime/progress';
import { MemoryStore, STATE_KEYS, type StepRef } from '../../src/core/runtime/types';
import { mainDocker } from '../support/engine';
import { connectedEvents, loadLabs, shellRuntime, tempDir } from './runtime-support';

const LAB = 'cl-test-runtime-restricted';
const RUN: StepRef = { labId: LAB, stepId: 'run' };
const HOST: StepRef = { labId: LAB, stepId: 'host-file' };

describe('runtime: a lab that may not act does nothing', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  let events: EngineEvents;
  let workspace: string;
  let marker: string;
  let labDir: string;
  let catalog: Awaited<ReturnType<typeof loadLabs>>['catalog'];

  before(async () => {
    events = await connectedEvents(docker);
    workspace = await tempDir();
    marker = path.join(workspace, 'marker');
    const note = path.join(workspace, 'note.txt');
    await fs.writeFile(note, 'hello from the host\n');
    const loaded = await loadLabs({
      'restricted.lab.yaml': `id: ${LAB}
title: A lab that would act
summary: Every way in is refused while it may not act.
minutes: 1
steps:
  - id: run
    title: Touch a file
    instructions: Run it.
    commands:
      - run: touch \${labData}/../../../marker
    check:
      file:
        path: ${marker}
  - id: host-file
    title: Read a host file
    instructions: The check reads a file.
    check:
      file:
        path: ${note}
        contains: hello from the host
  - id: typed
    title: Type it as shown
    instructions: "Type \`echo hi > \${labData}/notes.txt\`"
    check:
      file:
        path: \${labData}/notes.txt
`,
    });
    catalog = loaded.catalog;
    labDir = loaded.dir;
  });

  after(async () => {
    events?.dispose();
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(labDir, { recursive: true, force: true });
  });

  it('Run: prepare and run refuse with the reason; no command runs, no data folder is made', async () => {
    const { runtime } = shellRuntime(docker, events, workspace, { mayAct: () => false });
    const allowed = shellRuntime(docker, events, workspace);
    try {
      await runtime.setCatalog(catalog);
      await allowed.runtime.setCatalog(catalog);
      const isRestricted = (e: unknown): boolean => e instanceof CommandRefused && e.message === restrictedReason();
      await assert.rejects(runtime.prepare(RUN, 0), isRestricted);
      assert.equal(existsSync(path.join(workspace, '.container-labs')), false, 'no data folder');
      // A command prepared elsewhere is refused by run() too.
      const prepared = await allowed.runtime.prepare(RUN, 0);
      await fs.rm(path.join(workspace, '.container-labs'), { recursive: true, force: true });
      await assert.rejects(runtime.run(prepared), isRestricted);
      assert.equal(existsSync(marker), false);

      // Control: the same command, allowed, runs in the shell.
      const execution = await allowed.runtime.run(await allowed.runtime.prepare(RUN, 0));
      assert.equal(await execution.ended, 0);
      assert.equal(existsSync(marker), true);
    } finally {
      runtime.dispose();
      allowed.runtime.dispose();
      await fs.rm(marker, { force: true });
    }
  });

  it('Opening a step whose text shows the data folder makes it only for a lab that may act (a student who types the command finds it there)', async () => {
    const TYPED: StepRef = { labId: LAB, stepId: 'typed' };
    const data = path.join(workspace, '.container-labs', 'data', LAB);
    const { runtime } = shellRuntime(docker, events, workspace, { mayAct: () => false });
    const allowed = shellRuntime(docker, events, workspace);
    try {
      await fs.rm(path.join(workspace, '.container-labs'), { recursive: true, force: true });
      await runtime.setCatalog(catalog);
      await runtime.openStep(TYPED);
      assert.equal(existsSync(path.join(workspace, '.container-labs')), false, 'a lab that may not act makes no folder');
      await allowed.runtime.setCatalog(catalog);
      // A step whose text does not show it: nothing made either.
      await allowed.runtime.openStep(HOST);
      assert.equal(existsSync(path.join(workspace, '.container-labs')), false, 'a step that does not show the folder makes none');
      await allowed.runtime.openStep(TYPED);
      assert.equal((await fs.stat(data)).isDirectory(), true, 'the data folder is there once the step is open');
    } finally {
      runtime.dispose();
      allowed.runtime.dispose();
      await fs.rm(path.join(workspace, '.container-labs'), { recursive: true, force: true });
    }
  });

  it('Check, evaluate and live checks: nothing is evaluated; permissionsChanged brings the lab alive', async () => {
    let may = false;
    const { runtime } = shellRuntime(docker, events, workspace, { mayAct: () => may });
    try {
      await runtime.setCatalog(catalog);
      assert.equal(runtime.mayAct(LAB), false);
      await runtime.openStep(HOST);
      assert.equal(runtime.liveStep, undefined, 'no live check');
      assert.deepEqual(await runtime.checkNow(HOST), { status: 'error', reason: restrictedReason() });
      assert.deepEqual(await runtime.evaluate(HOST), { status: 'error', reason: restrictedReason() });
      assert.equal(runtime.getState(HOST).result, undefined, 'no result applied');

      may = true;
      let changed = 0;
      const sub = runtime.onDidChange(() => (changed += 1));
      runtime.permissionsChanged();
      sub.dispose();
      assert.ok(changed > 0, 'the views are told');
      assert.deepEqual(runtime.liveStep, HOST);
      const result = await runtime.checkNow(HOST);
      assert.equal(result.status, 'passed', result.reason);
    } finally {
      runtime.dispose();
    }
  });
});

describe('stored progress: secrets masked', () => {
  const ref: StepRef = { labId: 'lab', stepId: 'step' };
  const reason = 'the logs of container "nb" do not contain "ready"; its last line is "http://127.0.0.1:8888/?token=abc123secret"';

  it('a reason is stored with its token masked, and masked again when an older build stored it as it was', async () => {
    const store = new MemoryStore();
    await new ProgressStore(store).set(ref, { status: 'failed', reason, hintsShown: 0, solutionShown: false });
    const stored = JSON.stringify(store.get(STATE_KEYS.progress));
    assert.ok(!stored.includes('abc123secret'), stored);
    assert.ok(stored.includes('?token=***'), stored);

    const old = parseProgress({ version: 1, labs: { lab: { steps: { step: { status: 'failed', reason: 'docker run -e PASSWORD=hunter2 x', hintsShown: 0, solutionShown: false } } } } });
    assert.equal(old.labs.lab.steps.step.reason, 'docker run -e PASSWORD=*** x');
  });
});
