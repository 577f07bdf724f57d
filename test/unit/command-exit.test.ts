/**
 * `exitCode:` on a lab command: the rule (runtime/commandExit.ts), `container-labs test` failing
 * a step at once when its solution command ends otherwise (no wait for the check's deadline:
 * the check never runs), and the runtime (the extension's path) making the command's failure
 * the step's reason at once, without the grace, on the real engine.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { EngineEvents } from '../../src/core/checks/events';
import type { LabCommand } from '../../src/core/model';
import { runLab } from '../../src/core/runner/run';
import { commandFailure } from '../../src/core/runtime/commandExit';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { waitFor } from '../support/wait';
import { connectedEvents, LABEL_ARG, LABELS, loadLabs, removeRunObjects, runName, shellRuntime, tempDir } from './runtime-support';

describe('commandFailure: how a command should end', () => {
  const cmd = (exitCode?: LabCommand['exitCode']): LabCommand => (exitCode === undefined ? { run: 'x' } : { run: 'x', exitCode });

  it('0 is expected by default; another code fails with the first line of the output', () => {
    assert.equal(commandFailure('docker ps', cmd(), { exitCode: 0 }), undefined);
    assert.deepEqual(commandFailure('docker run --name a alpine', cmd(), { exitCode: 125, output: ['', '  docker: Error response from daemon: Conflict.  ', "See 'docker run --help'."] }), {
      status: 'failed',
      reason: '`docker run --name a alpine` failed with exit code 125: docker: Error response from daemon: Conflict.',
    });
    assert.deepEqual(commandFailure('false', cmd(), { exitCode: 1 }), { status: 'failed', reason: '`false` failed with exit code 1' });
  });

  it('the reason is the line that says why, not a deprecation note or a warning printed before it', () => {
    const restart = commandFailure('docker restart --time 1 web', cmd(), { exitCode: 1, output: ['Flag --time has been deprecated, use --timeout instead', 'Error response from daemon: Cannot restart container web: container is paused'] });
    assert.equal(restart?.reason, '`docker restart --time 1 web` failed with exit code 1: Error response from daemon: Cannot restart container web: container is paused');
    const plain = commandFailure('./build.sh', cmd(), { exitCode: 2, output: ['WARNING: no cache', 'step 3 of 5: make'] });
    assert.equal(plain?.reason, '`./build.sh` failed with exit code 2: step 3 of 5: make');
    const only = commandFailure('docker x', cmd(), { exitCode: 1, output: ['Flag --x has been deprecated'] });
    assert.equal(only?.reason, '`docker x` failed with exit code 1: Flag --x has been deprecated');
  });

  it('a number the lab expects, or any', () => {
    assert.equal(commandFailure('touch /ro/x', cmd(1), { exitCode: 1 }), undefined);
    assert.equal(commandFailure('touch /ro/x', cmd(1), { exitCode: 0 })?.reason, '`touch /ro/x` ended with exit code 0, not the 1 the lab expects');
    assert.equal(commandFailure('anything', cmd('any'), { exitCode: 42 }), undefined);
  });

  it('an unknown end is no failure; a signal, a timeout or a failed start always is', () => {
    assert.equal(commandFailure('x', cmd(), { exitCode: undefined }), undefined);
    assert.equal(commandFailure('x', cmd('any'), { exitCode: null, signal: 'SIGTERM' })?.reason, '`x` was stopped by SIGTERM');
    assert.equal(commandFailure('x', cmd('any'), { exitCode: null, timedOut: true, ms: 120_000 })?.reason, '`x` did not finish within 120 s');
    assert.equal(commandFailure('x', cmd(), { exitCode: null, spawnError: 'spawn /bin/sh ENOENT' })?.reason, '`x` could not start: spawn /bin/sh ENOENT');
  });
});

describe('exitCode: in test and in the runtime (real engine)', function () {
  this.timeout(120_000);
  const docker = mainDocker();
  const name = runName('exit');
  let events: EngineEvents;
  let workspace = '';
  const dirs: string[] = [];

  const lab = (id: string, steps: string[]): string => [`id: ${id}`, 'title: Exit codes', 'summary: Commands that fail.', 'minutes: 1', `images: [${BUSYBOX}]`, 'steps:', ...steps, ''].join('\n');
  const step = (id: string, run: string, check: string, extra: string[] = []): string =>
    [`  - id: ${id}`, `    title: ${id}`, '    instructions: Run it.', '    commands:', `      - run: '${run}'`, ...extra.map((e) => `        ${e}`), `    check: ${check}`].join('\n');

  before(async () => {
    await ensureBusybox(docker);
    await removeRunObjects(docker);
    workspace = await tempDir();
    events = await connectedEvents(docker);
  });

  after(async () => {
    events?.dispose();
    await removeRunObjects(docker);
    for (const dir of [workspace, ...dirs]) if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('test: a failing solution command fails its step at once with its output; the check never waits (deadline 60 s)', async () => {
    const web = `${name}-web`;
    const { catalog, dir } = await loadLabs({
      'a.lab.yaml': lab(`${name}-a`, [
        step('start', `docker run -d ${LABEL_ARG} --name ${web} ${BUSYBOX} sleep 300`, `{ container: { name: ${web}, state: running, since: any } }`),
        // The case: the file is not there, cat exits 1.
        step('read', `docker exec ${web} cat /missing`, `{ container: { name: ${web}, state: running, since: any } }`),
        // A name conflict: docker run exits 125.
        step('again', `docker run -d ${LABEL_ARG} --name ${web} ${BUSYBOX} sleep 300`, `{ container: { name: ${web}, state: running, since: any } }`),
        // Meant to fail, and says so: the check decides.
        step('meant', `docker exec ${web} cat /missing`, `{ container: { name: ${web}, state: running, since: any } }`, ['exitCode: 1']),
        step('whatever', `docker exec ${web} sh -c "exit 9"`, `{ container: { name: ${web}, state: running, since: any } }`, ['exitCode: any']),
        step('not-failing', `docker exec ${web} true`, `{ container: { name: ${web}, state: running, since: any } }`, ['exitCode: 2']),
      ]),
    });
    dirs.push(dir);
    const [found] = catalog.labs;
    assert.ok(found);
    const result = await runLab(found, { docker, publishedHost: '127.0.0.1', workspaceFolder: workspace, events, checkTimeoutMs: 60_000 });
    const byId = new Map(result.steps.map((s) => [s.id, s]));
    assert.deepEqual(result.steps.map((s) => [s.id, s.status]), [['start', 'passed'], ['read', 'failed'], ['again', 'failed'], ['meant', 'passed'], ['whatever', 'passed'], ['not-failing', 'failed']], JSON.stringify(result.steps.map((s) => s.reason)));
    const read = byId.get('read');
    assert.equal(read?.reason, `\`docker exec ${web} cat /missing\` failed with exit code 1: cat: can't open '/missing': No such file or directory`);
    assert.deepEqual(read.commands.map((c) => [c.exitCode, c.tail]), [[1, ["cat: can't open '/missing': No such file or directory"]]]);
    // The check was never waited on: the command's end decided.
    assert.equal(read.checkMs, 0);
    assert.equal(read.check, undefined);
    const again = byId.get('again');
    assert.match(again?.reason ?? '', new RegExp(`^\`docker run -d .* --name ${web} .*\` failed with exit code 125: docker: Error response from daemon: Conflict\\.`));
    assert.equal(again?.check, undefined);
    assert.equal(byId.get('not-failing')?.reason, `\`docker exec ${web} true\` ended with exit code 0, not the 2 the lab expects`);
  });

  it('the runtime: a lab command that fails makes its failure the step\'s reason at once, not after the grace; a later pass still passes', async () => {
    const box = `${name}-box`;
    const { catalog, dir } = await loadLabs({
      'b.lab.yaml': lab(`${name}-b`, [step('run', `docker run ${LABEL_ARG} --name ${box} ${BUSYBOX} sh -c "echo hi; exit 125"`, `{ container: { name: ${box}, exitCode: 0 } }`)]),
    });
    dirs.push(dir);
    // A grace far longer than the test: only the command's failure can turn the step red.
    const { runtime } = shellRuntime(docker, events, workspace, { graceMs: 600_000 });
    try {
      await runtime.setCatalog(catalog);
      const ref = { labId: `${name}-b`, stepId: 'run' };
      await runtime.openStep(ref);
      const execution = await runtime.run(await runtime.prepare(ref, 0));
      assert.equal(await execution.ended, 125);
      await waitFor('the step to turn red', () => runtime.getState(ref).status === 'failed', 30_000, 20);
      const state = runtime.getState(ref);
      assert.match(state.reason ?? '', new RegExp(`^\`docker run .*--name ${box} .*\` failed with exit code 125$`));
      // The check's own result is kept as its part.
      assert.match(state.result?.children?.[0]?.reason ?? '', /exited with code 125.*, not 0/);

      // The student fixes it by hand: the live check passes, and the command's failure is gone.
      await docker.getContainer(box).remove({ force: true });
      const fixed = await docker.createContainer({ name: box, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS });
      await fixed.start();
      await waitFor('the step to pass', () => runtime.getState(ref).status === 'passed', 30_000, 20);
    } finally {
      runtime.dispose();
    }
  });
});
