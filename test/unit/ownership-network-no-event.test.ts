/**
 * What no event announced in time is looked up by name once its command ended, and taken when
 * it was created inside the command's window; one of that name that existed before the command
 * is not taken. Networks: Podman 4.3 sends no network events. Volumes: on a busy engine (Podman
 * under load, in the forced-overlap run) a volume's `create` event can come after the window
 * closed. On the real engine, with no events fed to the recorder at all.
 */
import * as assert from 'node:assert/strict';
import { mainDocker, requireEngine } from '../support/engine';
import { beginLabCommand } from '../support/ownership';
import { RUN_LABELS, uniqueName } from '../support/run';

/** One lab command `text` while `during` makes things; returns the ledger's entries after the command ended. */
async function afterCommand(text: string, during: () => Promise<unknown>): Promise<Array<[string, string, string, string]>> {
  const { ledger, end, dispose } = await beginLabCommand(mainDocker(), text);
  try {
    await during();
    assert.deepEqual(ledger.list(), [], 'nothing is known before the command ended');
    end();
    await ledger.settled();
    return ledger.list().map((e) => [e.kind, e.name, e.id, e.command]);
  } finally {
    dispose();
  }
}

describe('ownership: what no event announced in time (Podman)', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const made = uniqueName('net-made');
  const existing = uniqueName('net-before');
  const volMade = uniqueName('vol-made');
  const volExisting = uniqueName('vol-before');

  before(() => requireEngine(docker));
  after(async () => {
    for (const name of [made, existing]) await docker.getNetwork(name).remove().catch(() => undefined);
    for (const name of [volMade, volExisting]) await docker.getVolume(name).remove().catch(() => undefined);
  });

  it('takes the network the command made once it ended, and not one that was there before', async () => {
    await docker.createNetwork({ Name: existing, Labels: RUN_LABELS });
    const text = `docker network create ${made} && docker network create ${existing}`;
    let id = '';
    const entries = await afterCommand(text, async () => {
      id = (await docker.createNetwork({ Name: made, Labels: RUN_LABELS })).id;
    });
    assert.deepEqual(entries, [['network', made, id, text]]);
  });

  it('takes the volume the command made once it ended (its event too late), and not one that was there before', async () => {
    await docker.createVolume({ Name: volExisting, Labels: RUN_LABELS });
    const text = `docker volume create ${volMade} && docker volume create ${volExisting}`;
    const entries = await afterCommand(text, () => docker.createVolume({ Name: volMade, Labels: RUN_LABELS }));
    assert.deepEqual(entries, [['volume', volMade, volMade, text]]);
  });
});
