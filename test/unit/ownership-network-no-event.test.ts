/**
 * Podman 4.3 sends no network events: a `docker network create NAME` of the lab's is looked up
 * by name once its command ended, and taken when it was created inside the command's window.
 * A network of that name that existed before the command is
 * not taken. On the real engine, with no events fed to the recorder at all.
 */
import * as assert from 'node:assert/strict';
import { ResourceLedger } from '../../src/core/ledger';
import { CommandWindows, dockerLookup, LabClaims } from '../../src/core/runtime/ownership';
import { OwnershipRecorder } from '../../src/core/runtime/recorder';
import { mainDocker, requireEngine } from '../support/engine';
import { RUN_LABELS, uniqueName } from '../support/run';

describe('ownership: a network no event announced (Podman)', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const made = uniqueName('net-made');
  const existing = uniqueName('net-before');

  before(() => requireEngine(docker));
  after(async () => {
    for (const name of [made, existing]) await docker.getNetwork(name).remove().catch(() => undefined);
  });

  it('takes the network the command made once it ended, and not one that was there before', async () => {
    await docker.createNetwork({ Name: existing, Labels: RUN_LABELS });
    const text = `docker network create ${made} && docker network create ${existing}`;
    const ledger = new ResourceLedger('lab', Date.now());
    const windows = new CommandWindows({ tailMs: 500 });
    const lookup = dockerLookup(docker);
    const recorder = new OwnershipRecorder({ ledger, windows, lookup });
    try {
      const { window, end } = windows.begin(text, 'sent', new LabClaims([text]), lookup);
      await window.ready;
      const id = (await docker.createNetwork({ Name: made, Labels: RUN_LABELS })).id;
      // No event reaches the recorder: only the end of the command.
      assert.deepEqual(ledger.list(), [], 'nothing is known before the command ended');
      end();
      await ledger.settled();
      assert.deepEqual(ledger.list().map((e) => [e.kind, e.name, e.id, e.command]), [['network', made, id, text]]);
    } finally {
      recorder.dispose();
    }
  });
});
