/**
 * Attempts (the class report's column): each command of a step the runtime runs, and each
 * Check now, counts one; the count is stored with the step and survives a new runtime on the
 * same store; a reset starts it again. Real shell, real engine.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { EngineEvents } from '../../src/core/checks/events';
import { MemoryStore } from '../../src/core/runtime/types';
import { ensureBusybox, mainDocker } from '../support/engine';
import { connectedEvents, loadLabs, runName, shellRuntime, tempDir } from './runtime-support';

const LAB = runName('attempts').replace(/[^a-z0-9-]/g, '-');
const FILES = {
  'attempts.lab.yaml': `id: ${LAB}
title: Attempts
summary: Counting attempts.
minutes: 1
steps:
  - id: echo
    title: Echo
    instructions: Say hello.
    commands: [echo hello]
  - id: volume
    title: A volume that is not there
    instructions: Nothing makes it.
    check:
      volume: { name: ${runName('never-made')} }
`,
};

describe('runtime: attempts per step', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  let events: EngineEvents;
  let workspace: string;
  let labDir: string;

  before(async () => {
    await ensureBusybox(docker);
    events = await connectedEvents(docker);
    workspace = await tempDir();
  });
  after(async () => {
    events.dispose();
    await fs.rm(workspace, { recursive: true, force: true });
    if (labDir) await fs.rm(labDir, { recursive: true, force: true });
  });

  it('counts commands run and checks asked for, keeps them in the store, and a reset clears them', async () => {
    const loaded = await loadLabs(FILES);
    labDir = loaded.dir;
    const store = new MemoryStore();
    const echo = { labId: LAB, stepId: 'echo' };
    const volume = { labId: LAB, stepId: 'volume' };
    const first = shellRuntime(docker, events, workspace, { store });
    await first.runtime.setCatalog(loaded.catalog);
    for (let i = 0; i < 2; i++) {
      const execution = await first.runtime.run(await first.runtime.prepare(echo, 0));
      await execution.ended;
    }
    await first.runtime.checkNow(volume);
    await first.runtime.flush();
    assert.equal(first.runtime.getState(echo).attempts, 2);
    assert.equal(first.runtime.getState(volume).attempts, 1);
    first.runtime.dispose();

    const second = shellRuntime(docker, events, workspace, { store });
    await second.runtime.setCatalog(loaded.catalog);
    assert.equal(second.runtime.getState(echo).attempts, 2, 'stored with the step');
    await second.runtime.resetStep(echo);
    assert.equal(second.runtime.getState(echo).attempts, undefined);
    second.runtime.dispose();
  });
});
