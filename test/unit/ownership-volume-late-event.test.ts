/**
 * On a busy engine (Podman under load, in the forced-overlap run) a volume's `create` event can
 * come after the command's window closed: the volume the lab's command names and made is looked
 * up by name once the command ended, and one that existed before the command is not taken. On
 * the real engine, with no events fed to the recorder at all.
 */
import * as assert from 'node:assert/strict';
import { ResourceLedger } from '../../src/core/ledger';
import { CommandWindows, dockerLookup, LabClaims } from '../../src/core/runtime/ownership';
import { OwnershipRecorder } from '../../src/core/runtime/recorder';
import { mainDocker, requireEngine } from '../support/engine';
import { RUN_LABELS, uniqueName } from '../support/run';

describe('ownership: a volume whose event came too late', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const made = uniqueName('vol-made');
  const existing = uniqueName('vol-before');

  before(() => requireEngine(docker));
  after(async () => {
    for (const name of [made, existing]) await docker.getVolume(name).remove().catch(() => undefined);
  });

  it('takes the volume the command made once it ended, and not one that was there before', async () => {
    await docker.createVolume({ Name: existing, Labels: RUN_LABELS });
    const text = `docker volume create ${made} && docker volume create ${existing}`;
    const ledger = new ResourceLedger('lab', Date.now());
    const windows = new CommandWindows({ tailMs: 500 });
    const lookup = dockerLookup(docker);
    const recorder = new OwnershipRecorder({ ledger, windows, lookup });
    try {
      const { window, end } = windows.begin(text, 'sent', new LabClaims([text]), lookup);
      await window.ready;
      await docker.createVolume({ Name: made, Labels: RUN_LABELS });
      assert.deepEqual(ledger.list(), [], 'nothing is known before the command ended');
      end();
      await ledger.settled();
      assert.deepEqual(ledger.list().map((e) => [e.kind, e.name, e.command]), [['volume', made, text]]);
    } finally {
      recorder.dispose();
    }
  });
});
