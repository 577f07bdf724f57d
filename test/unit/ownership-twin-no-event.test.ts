/**
 * Another program runs the lab's unnamed `docker run` at the same moment: the two containers
 * cannot be told apart, so neither is the lab's. On a busy engine the other program's event may
 * come after the command's window closed (Podman under load, in the forced-overlap run), or its
 * inspect may not answer in time; the engine's own list, read when the command ends, still
 * counts it. On the real engine, with only the lab's own event fed to the recorder.
 */
import * as assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { BUSYBOX, ensureBusybox, mainDocker, requireEngine } from '../support/engine';
import { beginLabCommand } from '../support/ownership';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';
import { sleep } from '../support/wait';

describe('ownership: a twin whose event never came', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const [label = ''] = Object.keys(RUN_LABELS);
  const made: Dockerode.Container[] = [];

  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
  });
  after(async () => {
    for (const c of made) await c.remove({ force: true }).catch(() => undefined);
  });

  const container = async (word: string): Promise<Dockerode.Container> => {
    const c = await docker.createContainer({ Image: BUSYBOX, Cmd: ['echo', word], Labels: { ...RUN_LABELS }, HostConfig: { NetworkMode: 'none' } });
    made.push(c);
    return c;
  };

  /**
   * One lab command `docker run ... echo WORD` while `during` runs; only the lab's own
   * container's event reaches the recorder. Returns the ledger's container ids after the end.
   */
  const labRun = async (word: string, during: () => Promise<unknown>): Promise<{ lab: string; kept: string[]; whileRunning: string[] }> => {
    const text = `docker run --label ${label}=${RUN_ID} ${BUSYBOX} echo ${word}`;
    const { ledger, recorder, end, dispose } = await beginLabCommand(docker, text);
    try {
      const lab = await container(word);
      const info = await lab.inspect();
      recorder.handle({ type: 'container', action: 'create', id: lab.id, name: info.Name.replace(/^\//, '') });
      await during();
      await ledger.settled();
      const whileRunning = ledger.list().map((e) => e.id);
      end();
      await ledger.settled();
      return { lab: lab.id, kept: ledger.list().map((e) => e.id), whileRunning };
    } finally {
      dispose();
    }
  };

  it('takes the lab\'s container when it is the only one', async () => {
    const r = await labRun(uniqueName('alone'), () => Promise.resolve());
    assert.deepEqual(r.whileRunning, [r.lab], 'taken on its event, while the command runs');
    assert.deepEqual(r.kept, [r.lab], 'alone: kept once the command ended');
  });

  it('takes neither when another program made the same container in the window, unannounced', async () => {
    const word = uniqueName('twin');
    const r = await labRun(word, () => container(word));
    assert.deepEqual(r.whileRunning, [r.lab], 'taken on its event, before the twin is known');
    assert.deepEqual(r.kept, [], 'the twin the engine lists makes it ambiguous: withdrawn');
  });

  it('the same container made a second before the command (the student\'s earlier run) is no twin', async () => {
    const word = uniqueName('before');
    await container(word);
    // Into the next second: an engine may keep creation times in whole seconds.
    await sleep(1100);
    const r = await labRun(word, () => Promise.resolve());
    assert.deepEqual(r.kept, [r.lab], 'made before the window: the lab\'s own is kept');
  });
});
