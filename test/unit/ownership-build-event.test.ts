/**
 * Podman tags the image a `docker build -t REF` made without a tag event: its only event is an
 * image `build` with an empty id and the image id as the actor's name (seen on Podman 4.3). The ownership rule takes REF as the
 * lab's when it now points at that image, on the real engine's lookup; a reference the command
 * does not name, or one that points elsewhere, is not taken.
 */
import * as assert from 'node:assert/strict';
import { toEngineEvent, type EngineEvent } from '../../src/core/checks/events';
import { ResourceLedger } from '../../src/core/ledger';
import { CommandWindows, dockerLookup, LabClaims } from '../../src/core/runtime/ownership';
import { OwnershipRecorder } from '../../src/core/runtime/recorder';
import { importOwnImage, mainDocker, requireEngine } from '../support/engine';
import { uniqueName } from '../support/run';

describe('ownership: an image build event that names no reference (Podman)', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const built = `${uniqueName('built')}:v1`;
  const other = `${uniqueName('other')}:v1`;

  before(() => requireEngine(docker));
  after(async () => {
    for (const ref of [built, other]) await docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
  });

  it('takes the reference the build names once it points at the built image, and nothing else', async () => {
    const text = `docker build -t ${built} .`;
    const ledger = new ResourceLedger('lab', Date.now());
    const windows = new CommandWindows({ tailMs: 1000 });
    const lookup = dockerLookup(docker);
    const recorder = new OwnershipRecorder({ ledger, windows, lookup });
    const { window, end } = windows.begin(text, 'sent', new LabClaims([text]), lookup);
    await window.ready;
    // What the build made: an image of its own under the reference; another program's image beside it.
    await importOwnImage(docker, built);
    await importOwnImage(docker, other);
    const id = (await docker.getImage(built).inspect()).Id;
    const otherId = (await docker.getImage(other).inspect()).Id;
    // The event exactly as Podman 4.3 sends it: no id, the image id as the actor's name.
    const podmanBuild = (imageId: string): EngineEvent => {
      const event = toEngineEvent({ status: 'build', Type: 'image', Action: 'build', Actor: { ID: '', Attributes: { containerExitCode: '0', image: '', name: imageId.replace(/^sha256:/, ''), podId: '' } }, scope: 'local', time: 1796196721, timeNano: 1796196721000000000 });
      assert.ok(event, 'the stream reads Podman\'s build event');
      return event;
    };
    recorder.handle(podmanBuild(otherId));
    recorder.handle(podmanBuild(id));
    end();
    await ledger.settled();
    assert.deepEqual(ledger.list().map((e) => [e.kind, e.name, e.imageId]), [['image', built, id]]);
  });
});
