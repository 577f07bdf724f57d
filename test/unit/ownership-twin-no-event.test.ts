/**
 * Another program runs the lab's unnamed `docker run` at the same moment: the two containers
 * cannot be told apart, so neither is the lab's. On a busy engine the other program's event may
 * come after the command's window closed (Podman under load, in the forced-overlap run), or its
 * inspect may not answer in time; the engine's own list, read when the command ends, still
 * counts it. On the real engine, with only the lab's own event fed to the recorder.
 */
import * as assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { ResourceLedger } from '../../src/core/ledger';
import { CommandWindows, dockerLookup, LabClaims } from '../../src/core/runtime/ownership';
import { OwnershipRecorder } from '../../src/core/runtime/recorder';
import { BUSYBOX, ensureBusybox, mainDocker, requireEngine } from '../support/engine';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';

describe('ownership: a twin whose event never came', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const word = uniqueName('twin');
  const [label = ''] = Object.keys(RUN_LABELS);
  const text = `docker run --label ${label}=${RUN_ID} ${BUSYBOX} echo ${word}`;
  const made: Dockerode.Container[] = [];

  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
  });
  after(async () => {
    for (const c of made) await c.remove({ force: true }).catch(() => undefined);
  });

  const container = async (): Promise<Dockerode.Container> => {
    const c = await docker.createContainer({ Image: BUSYBOX, Cmd: ['echo', word], Labels: { ...RUN_LABELS }, HostConfig: { NetworkMode: 'none' } });
    made.push(c);
    return c;
  };

  it('takes the lab\'s container when it is the only one, and neither when a twin was made in the window', async () => {
    for (const twin of [false, true]) {
      const ledger = new ResourceLedger('lab', Date.now());
      const windows = new CommandWindows({ tailMs: 500 });
      const lookup = dockerLookup(docker);
      const recorder = new OwnershipRecorder({ ledger, windows, lookup });
      try {
        const { window, end } = windows.begin(text, 'sent', new LabClaims([text]), lookup);
        await window.ready;
        const lab = await container();
        const info = await lab.inspect();
        // The lab's container's event reaches the recorder; the twin's never does.
        recorder.handle({ type: 'container', action: 'create', id: lab.id, name: info.Name.replace(/^\//, '') });
        if (twin) await container();
        await ledger.settled();
        assert.deepEqual(ledger.list().map((e) => e.id), [lab.id], 'taken on its event, while the command runs');
        end();
        await ledger.settled();
        assert.deepEqual(ledger.list().map((e) => e.id), twin ? [] : [lab.id], twin ? 'the twin the engine lists makes it ambiguous: withdrawn' : 'alone: kept');
      } finally {
        recorder.dispose();
      }
    }
  });
});
