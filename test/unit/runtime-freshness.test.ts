/**
 * Fresh results, on the real engine: for each kind of engine event (create, start, stop, die,
 * destroy, mount, tag, delete, and a fix of a wrong port), the result the runtime shows for
 * the current step changes by itself, driven by the event: nobody presses Check now, and the
 * checks used do not poll. Failures are fresh too (a stopped container's step shows why it no
 * longer holds), and the status, reason and parts shown always come from one result.
 * The latency figures are in scripts/bench.mjs, not here.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type Dockerode from 'dockerode';
import type { EngineEvents } from '../../src/core/checks/events';
import { shownCheck, type ShownCheck } from '../../src/core/runtime/steps';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { connectedEvents, LABELS, loadLabs, removeRunObjects, runName, shellRuntime, tempDir, type TestRuntime } from './runtime-support';

const N = runName('fresh');
const LAB_ID = `${N}-lab`;
const C = `${N}-c`;
const DIES = `${N}-dies`;
const MOUNTS = `${N}-mounts`;
const WEB = `${N}-web`;
const VOLUME = `${N}-vol`;
const TAG = `${N}-tag:v1`;

describe('fresh results: the shown result follows each engine event by itself (real engine)', function () {
  this.timeout(180_000);
  const docker = mainDocker();
  let events: EngineEvents;
  let t: TestRuntime;
  let workspace = '';
  let labDir = '';
  let hostPort = 0;
  let wrongPort = 0;

  const step = (id: string, check: string): string[] => [`  - id: ${id}`, `    title: ${id}`, '    instructions: Watch it.', `    check: ${check}`];

  before(async () => {
    await ensureBusybox(docker);
    await removeRunObjects(docker, [TAG]);
    hostPort = await freePort();
    wrongPort = await freePort();
    workspace = await tempDir();
    events = await connectedEvents(docker);
    const yaml = [
      `id: ${LAB_ID}`,
      'title: Fresh results',
      'summary: Each step watches one kind of engine event.',
      'minutes: 1',
      'steps:',
      ...step('create', `{ container: { name: ${C} } }`),
      ...step('start', `{ container: { name: ${C}, state: running, since: any } }`),
      ...step('destroy', `{ containerAbsent: { name: ${C}, since: any } }`),
      ...step('die', `{ container: { name: ${DIES}, exitCode: 0 } }`),
      ...step('mount', `{ all: [ { volume: { name: ${VOLUME} } }, { mount: { container: { name: ${MOUNTS} }, type: volume, source: ${VOLUME}, destination: /d } } ] }`),
      ...step('tag', `{ image: { ref: ${TAG} } }`),
      ...step('delete', `{ imageAbsent: { ref: ${TAG} } }`),
      ...step('port', `{ port: { container: { name: ${WEB} }, containerPort: 80, hostPort: ${hostPort} } }`),
      '',
    ].join('\n');
    const loaded = await loadLabs({ 'fresh.lab.yaml': yaml });
    labDir = loaded.dir;
    t = shellRuntime(docker, events, workspace);
    await t.runtime.setCatalog(loaded.catalog);
  });

  after(async () => {
    t?.runtime.dispose();
    events?.dispose();
    await removeRunObjects(docker, [TAG]);
    if (labDir) await fs.rm(labDir, { recursive: true, force: true });
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  /** The step's shown result, once it matches: one result (its status, reason and parts together). */
  async function shown(stepId: string, status: string, reason: RegExp, what: string): Promise<void> {
    const ref = { labId: LAB_ID, stepId };
    let found: ShownCheck | undefined;
    await waitFor(
      `${stepId}: ${what}`,
      () => {
        const s = shownCheck(t.runtime.getState(ref));
        found = s.status === status && reason.test(s.reason ?? '') ? s : undefined;
        return found !== undefined;
      },
      20_000,
      10,
    ).catch((error: unknown) => {
      const s = shownCheck(t.runtime.getState(ref));
      throw new Error(`${String(error)}; shown: ${s.status} ${s.reason ?? ''}`);
    });
    assert.equal(found?.result, t.runtime.getState(ref).result, 'the shown parts are of the same result');
  }

  const open = (stepId: string): Promise<void> => t.runtime.openStep({ labId: LAB_ID, stepId });
  const make = (opts: Dockerode.ContainerCreateOptions): Promise<Dockerode.Container> => docker.createContainer({ Image: BUSYBOX, Labels: LABELS, ...opts });

  it('create, start, stop (the reason why it no longer holds), destroy', async () => {
    await open('create');
    await shown('create', 'current', /no container named .* exists/, 'nothing yet');
    const c = await make({ name: C, Cmd: ['sleep', '300'] });
    await shown('create', 'passed', new RegExp(C), 'the create event');

    await open('start');
    await shown('start', 'current', /created but never ran/, 'created, not started');
    await c.start();
    await shown('start', 'passed', /is running/, 'the start event');
    await c.stop({ t: 0 });
    await shown('start', 'failed', /exited .*\(this step passed at \d\d:\d\d; that no longer holds\)$/, 'the stop event: passed earlier, not any more');

    await open('destroy');
    await shown('destroy', 'current', /still exists/, 'it exists');
    await c.remove({ force: true });
    await shown('destroy', 'passed', /no container named .* exists/, 'the destroy event');
  });

  it('die: a created container that starts and exits by itself', async () => {
    await open('die');
    const c = await make({ name: DIES, Cmd: ['sh', '-c', 'sleep 1; exit 0'] });
    await shown('die', 'current', /created but never ran/, 'created, not started');
    await c.start();
    await shown('die', 'passed', /exited with code 0/, 'the die event, with nothing else happening');
  });

  it('mount: a container that creates and mounts a named volume', async () => {
    await open('mount');
    await shown('mount', 'current', new RegExp(`volume ${VOLUME}|${MOUNTS}`), 'neither the volume nor the container');
    const c = await make({ name: MOUNTS, Cmd: ['sleep', '300'], HostConfig: { Binds: [`${VOLUME}:/d`] } });
    await c.start();
    await shown('mount', 'passed', new RegExp(VOLUME), 'the volume create and mount events');
  });

  it('tag and delete of an image reference', async () => {
    await open('tag');
    await shown('tag', 'current', /is not present/, 'no such tag');
    const [repo = '', tag = ''] = TAG.split(':');
    await docker.getImage(BUSYBOX).tag({ repo, tag });
    await shown('tag', 'passed', /is present/, 'the tag event');

    await open('delete');
    await shown('delete', 'current', /still present/, 'the tag is there');
    await docker.getImage(TAG).remove({ noprune: true });
    await shown('delete', 'passed', /is not present/, 'the untag event');
  });

  it('a wrong published port, then the fix: the failure reason is the present one, then it passes', async () => {
    await open('port');
    const publish = (port: number): Dockerode.ContainerCreateOptions => ({
      name: WEB,
      Cmd: ['sleep', '300'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
    const wrong = await make(publish(wrongPort));
    await wrong.start();
    await shown('port', 'current', new RegExp(`host port ${wrongPort}, not ${hostPort}`), 'the wrong port');
    await wrong.remove({ force: true });
    await shown('port', 'current', /no container named/, 'the wrong one removed');
    const right = await make(publish(hostPort));
    await right.start();
    await shown('port', 'passed', new RegExp(`host port ${hostPort}`), 'the right port');
  });
});
