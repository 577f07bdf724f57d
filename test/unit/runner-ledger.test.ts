import * as assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import type { EngineEvents } from '../../src/core/checks/events';
import { dockerCalls, runTarget } from '../../src/core/labs/dockerCommands';
import { cleanup, CommandWindows, confirmClaim, mentionedBy, mentions, ResourceLedger, type LedgerEvent } from '../../src/core/ledger';
import { normalizeImageRef } from '../../src/core/images';
import type { Lab } from '../../src/core/model';
import { BUSYBOX, connectedEvents, containerExists, ensureBusybox, imageExists, importOwnImage, mainDocker, requireEngine, volumeExists } from '../support/engine';
import { RUN_LABELS, uniqueName } from '../support/run';
import { waitFor } from '../support/wait';
import { removeNamed } from './runner-support';

/** A lab whose steps run `commands` (only their text matters to the ledger's filter). */
function labOf(id: string, commands: string[], images: string[] = []): Lab {
  return {
    id, title: id, summary: '', minutes: 1, images,
    source: { file: `/${id}.lab.yaml`, origin: 'bundled' },
    steps: [{ id: 's', title: 'S', instructions: '', hints: [], commands: commands.map((run) => ({ run })) }],
  };
}

describe('ResourceLedger (pure)', () => {
  it('normalises image refs the way the engine lists them', () => {
    assert.equal(normalizeImageRef('busybox'), 'busybox:latest');
    assert.equal(normalizeImageRef('docker.io/library/alpine:3'), 'alpine:3');
    assert.equal(normalizeImageRef('localhost:5000/me/app'), 'localhost:5000/me/app:latest');
    assert.equal(normalizeImageRef('localhost:5000/me/app:v2'), 'localhost:5000/me/app:v2');
  });

  it('mentions: whole words only, so part of a lab\'s name is not another program\'s name', () => {
    const text = "docker run --name cl-lab-web -v cl-lab-data:/data alpine:3.19 sh -c 'sleep 10'; docker tag x localhost:5000/cl-lab-hello:v1";
    // Names and command words.
    for (const word of ['cl-lab-web', 'cl-lab-data', 'sleep 10', 'sh', 'x']) assert.equal(mentions(text, word), true, word);
    for (const word of ['web', 'lab-data', 'cl-lab', 'data', '1', 'sleep 1', 'cl-lab-hello', '']) assert.equal(mentions(text, word), false, word);
    // Image refs: their last part follows a `/`.
    for (const ref of ['alpine', 'alpine:3.19', 'cl-lab-hello', 'localhost:5000/cl-lab-hello:v1']) assert.equal(mentions(text, ref, 'image'), true, ref);
    for (const ref of ['alp', 'hello', 'cl-lab', 'lab-hello']) assert.equal(mentions(text, ref, 'image'), false, ref);
  });

  it('mentionedBy keeps what the lab\'s commands name and leaves other programs\' things out', async () => {
    const lab: Lab = {
      ...labOf('l', ['docker run --name cl-lab-web -v cl-lab-data:/data alpine true', 'docker run -p 8888:8888 jupyter/base-notebook'], ['jupyter/base-notebook:latest']),
    };
    lab.steps[0].solution = { commands: [{ run: 'docker tag hello-world ${registry}/cl-lab-hello:v1' }] };
    const windows = new CommandWindows(20);
    const accept = mentionedBy(lab, windows);
    const ledger = ResourceLedger.fromSnapshot('l', 0, [], []);
    const record = (e: LedgerEvent) => {
      if (accept(e)) ledger.record(e);
    };
    // Before any command of the lab runs: the named container, its volume and the tag are the
    // lab's; a container with a generated name from the lab's image is someone else's (another
    // program on the engine, or the student's own).
    for (const e of [
      { type: 'container', action: 'create', id: 'c1', name: 'cl-lab-web', image: 'alpine' },
      { type: 'container', action: 'create', id: 'c0', name: 'eager_noether', image: 'jupyter/base-notebook' },
      { type: 'container', action: 'create', id: 'c3', name: 'my-postgres', image: 'postgres:16' },
      { type: 'container', action: 'create', id: 'c4', name: 'cl-lab-bind', image: 'alpine' },
      // Names that are only part of the lab's names belong to someone else.
      { type: 'container', action: 'create', id: 'c7', name: 'web', image: 'nginx' },
      { type: 'volume', action: 'create', id: 'lab-data' },
      { type: 'volume', action: 'create', id: 'data' },
      { type: 'volume', action: 'create', id: 'cl-lab-data' },
      { type: 'volume', action: 'create', id: 'pgdata' },
      { type: 'image', action: 'tag', id: 'sha256:' + 'c'.repeat(64), name: 'localhost:5000/cl-lab-hello:v1' },
      { type: 'image', action: 'pull', id: 'postgres:16', name: 'postgres' },
    ] satisfies LedgerEvent[]) record(e);
    // While the lab's Jupyter command runs, the container it makes (generated name) is the lab's;
    // an alpine container with a generated name is not (this command does not name alpine).
    const close = windows.begin('docker run -p 8888:8888 jupyter/base-notebook');
    record({ type: 'container', action: 'create', id: 'c2', name: 'happy_turing', image: 'jupyter/base-notebook' });
    record({ type: 'container', action: 'create', id: 'c5', name: 'brave_pike', image: 'alpine' });
    close();
    await new Promise((r) => setTimeout(r, 60));
    record({ type: 'container', action: 'create', id: 'c6', name: 'late_lovelace', image: 'jupyter/base-notebook' });
    assert.deepEqual(ledger.containerIds.map((c) => c.id), ['c1', 'c2']);
    assert.deepEqual(ledger.volumeNames, ['cl-lab-data']);
    assert.deepEqual(ledger.imageRefs, ['localhost:5000/cl-lab-hello:v1']);
  });

  it('a command window closes by itself at its cap when the command\'s end is never reported', async () => {
    const windows = new CommandWindows(10);
    windows.begin('docker run hello-world', { maxMs: 30 });
    const hello = { type: 'container', action: 'create', id: 'c1', name: 'quirky_hopper', image: 'hello-world' };
    assert.equal(windows.claims(hello), true);
    // Nobody calls close(): the window must close by itself (a loaded machine decides how soon).
    await waitFor('the window to close at its cap', () => !windows.open, 10_000, 5);
    assert.equal(windows.claims(hello), false);
  });

  it('runTarget: the image and command words of docker run / create', () => {
    const target = (text: string) => runTarget(dockerCalls(text)[0] ?? { verb: '', args: [] });
    assert.deepEqual(target("docker run -d --name web -p 8080:80 -v data:/d -e A=1 alpine sh -c 'echo hi'"), { image: 'alpine', command: ['sh', '-c', 'echo hi'] });
    assert.deepEqual(target('sudo docker run --rm -it hello-world'), { image: 'hello-world', command: [] });
    assert.deepEqual(target('docker container create --name=x busybox:1 top'), { image: 'busybox:1', command: ['top'] });
    assert.deepEqual(target('docker create -- busybox top'), { image: 'busybox', command: ['top'] });
    assert.equal(target('docker run -d'), undefined);
    assert.equal(target('docker ps -a'), undefined);
  });

  it('records only what was created after the snapshot', () => {
    const ledger = ResourceLedger.fromSnapshot('lab', 1000, ['alpine:latest'], ['old-vol']);
    const events: LedgerEvent[] = [
      { type: 'container', action: 'create', id: 'c1', name: 'web' },
      { type: 'container', action: 'start', id: 'c1', name: 'web' },
      { type: 'container', action: 'create', id: 'c1', name: 'web' },
      // The engine sends a volume create when a container mounts an existing volume.
      { type: 'volume', action: 'create', id: 'old-vol' },
      { type: 'volume', action: 'create', id: 'new-vol' },
      { type: 'image', action: 'pull', id: 'alpine:latest', name: 'alpine' },
      { type: 'image', action: 'pull', id: 'nginx:1.27', name: 'nginx' },
      { type: 'image', action: 'tag', id: 'sha256:' + 'a'.repeat(64), name: 'mine:v1' },
      { type: 'image', action: 'import', id: 'sha256:' + 'b'.repeat(64), name: 'sha256:' + 'b'.repeat(64) },
      { type: 'image', action: 'untag', id: 'sha256:' + 'a'.repeat(64), name: 'sha256:' + 'a'.repeat(64) },
      { type: 'network', action: 'connect', id: 'n1', name: 'bridge' },
    ];
    const changed = events.map((e) => ledger.record(e));
    assert.deepEqual(changed, [true, false, false, false, true, false, true, true, false, false, false]);
    const json = ledger.toJSON();
    assert.deepEqual(json.containers, [{ id: 'c1', name: 'web' }]);
    assert.deepEqual(json.volumes, ['new-vol']);
    assert.deepEqual(json.images.sort(), ['mine:v1', 'nginx:1.27']);
    assert.equal(ledger.hadImageAtStart('alpine'), true);
  });

  it('survives a JSON round trip and refuses anything else', () => {
    const ledger = ResourceLedger.fromSnapshot('lab', 42, ['a:1'], ['v']);
    ledger.record({ type: 'container', action: 'create', id: 'abc', name: 'x' });
    ledger.record({ type: 'image', action: 'tag', id: 'sha256:' + 'c'.repeat(64), name: 'b:2' });
    const copy = ResourceLedger.fromJSON(JSON.parse(JSON.stringify(ledger)));
    assert.deepEqual(copy.toJSON(), ledger.toJSON());
    assert.equal(copy.record({ type: 'image', action: 'tag', id: 'x', name: 'a:1' }), false, 'snapshot kept');
    assert.throws(() => ResourceLedger.fromJSON(null), /not an object/);
    assert.throws(() => ResourceLedger.fromJSON({ ...ledger.toJSON(), version: 99 }), /unsupported version 99/);
    assert.throws(() => ResourceLedger.fromJSON({ ...ledger.toJSON(), images: [1] }), /images must be a list of strings/);
    assert.throws(() => ResourceLedger.fromJSON({ ...ledger.toJSON(), containers: [{}] }), /needs an id/);
  });
});

describe('ResourceLedger and cleanup (real engine)', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  // This run's names: another run, another layer or a student on the same engine never uses them.
  const n = {
    outsider: uniqueName('ledger-outsider'),
    c1: uniqueName('ledger-c1'),
    c2: uniqueName('ledger-c2'),
    late: uniqueName('ledger-late'),
    foreign: uniqueName('ledger-foreign'),
    oldvol: uniqueName('ledger-oldvol'),
    newvol: uniqueName('ledger-newvol'),
    foreignVol: uniqueName('ledger-foreign-vol'),
    tag: `${uniqueName('ledger-tag')}:1`,
    own: `${uniqueName('ledger-own')}:1`,
    foreignTag: `${uniqueName('ledger-foreign-tag')}:1`,
  };
  /** Containers with names the engine made up; removed in after(). */
  const generated: Dockerode.Container[] = [];
  let events: EngineEvents;

  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
    // The product's one event stream, as the extension uses it.
    events = await connectedEvents(docker);
  });
  after(async () => {
    events.dispose();
    for (const c of generated) await c.remove({ force: true }).catch(() => undefined);
    await removeNamed(docker, {
      containers: [n.outsider, n.c1, n.c2, n.late, n.foreign],
      volumes: [n.oldvol, n.newvol, n.foreignVol],
      images: [n.tag, n.own, n.foreignTag],
    });
  });

  it('confirmClaim tells two containers of one image apart by their command', async () => {
    const create = async (opts: Dockerode.ContainerCreateOptions): Promise<Dockerode.Container> => {
      // Generated names, as from `docker run` without --name.
      const c = await docker.createContainer({ Image: BUSYBOX, Labels: { ...RUN_LABELS }, ...opts });
      generated.push(c);
      return c;
    };
    const mine = await create({ Cmd: ['echo', 'cl-test-mine'] });
    const theirs = await create({ Cmd: ['sleep', '1'] });
    const bare = await create({});
    const event = async (c: Dockerode.Container): Promise<LedgerEvent> => {
      const info = await c.inspect();
      return { type: 'container', action: 'create', id: info.Id, name: info.Name.replace(/^\//, ''), image: BUSYBOX };
    };
    const text = `docker run ${BUSYBOX} echo cl-test-mine`;
    assert.equal(await confirmClaim(docker, await event(mine), [text]), true, 'its command is in the text');
    assert.equal(await confirmClaim(docker, await event(theirs), [text]), false, 'another command from the same image');
    // `sleep 1` is not `sleep 10`: the words of the command must be the command's words.
    assert.equal(await confirmClaim(docker, await event(theirs), [`docker run ${BUSYBOX} sleep 10`]), false, 'a command whose arguments are only parts of the text\'s');
    assert.equal(await confirmClaim(docker, await event(theirs), [`docker run ${BUSYBOX} sleep 1`]), true, 'the same command');
    // `docker run IMAGE` with no arguments: the container runs the image's own command.
    assert.equal(await confirmClaim(docker, await event(bare), [`docker run --rm ${BUSYBOX}`]), true, 'no arguments: the image\'s own command');
    // ...but a command that gives its own did not make a container that runs the image's.
    assert.equal(await confirmClaim(docker, await event(bare), [`docker run -d -i --name cl-test-x ${BUSYBOX} sh`]), false, 'another program\'s bare container while the lab runs the image with a command');
    assert.equal(await confirmClaim(docker, { type: 'container', action: 'create', id: 'f'.repeat(64), name: 'gone_away', image: BUSYBOX }, [text]), false, 'a container already gone');
  });

  it('records only what the lab\'s commands made while other programs work on the engine, and cleanup removes only that', async () => {
    // The lab's commands, as the extension knows them: its filter (mentionedBy) decides what is the lab's.
    const lab = labOf('cl-test-lab', [
      `docker run --name ${n.c1} -v /anon -v ${n.oldvol}:/old -v ${n.newvol}:/new ${BUSYBOX} true`,
      `docker create --name ${n.c2} ${BUSYBOX} true`,
      `docker tag ${BUSYBOX} ${n.tag}`,
      `tar -c hello.txt | docker import - ${n.own}`,
      `docker rm ${n.c2}`,
    ]);
    // Before the lab: things the lab must never remove (the lab mounts the old volume).
    await docker.createContainer({ name: n.outsider, Image: BUSYBOX, Cmd: ['true'], Labels: { ...RUN_LABELS } });
    await docker.createVolume({ Name: n.oldvol, Labels: { ...RUN_LABELS } });

    const ledger = await ResourceLedger.begin(docker, lab.id);
    const detach = ledger.attach(events.onEvent, undefined, mentionedBy(lab, new CommandWindows(), () => docker));

    // While the lab runs, another program makes a container, one with a generated name from the
    // lab's own image, a volume and a tag: none of it is the lab's.
    await docker.createContainer({ name: n.foreign, Image: BUSYBOX, Cmd: ['true'], Labels: { ...RUN_LABELS } });
    const foreignGenerated = await docker.createContainer({ Image: BUSYBOX, Cmd: ['true'], Labels: { ...RUN_LABELS } });
    generated.push(foreignGenerated);
    await docker.createVolume({ Name: n.foreignVol, Labels: { ...RUN_LABELS } });
    const [foreignRepo, foreignVersion] = n.foreignTag.split(':');
    await docker.getImage(BUSYBOX).tag({ repo: foreignRepo, tag: foreignVersion });

    // The lab's steps.
    const c1 = await docker.createContainer({
      name: n.c1,
      Image: BUSYBOX,
      Cmd: ['true'],
      Labels: { ...RUN_LABELS },
      Volumes: { '/anon': {} },
      HostConfig: { Binds: [`${n.oldvol}:/old`, `${n.newvol}:/new`] },
    });
    const anonymous = (await c1.inspect()).Mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
    assert.match(anonymous, /^[0-9a-f]{64}$/);
    const c2 = await docker.createContainer({ name: n.c2, Image: BUSYBOX, Cmd: ['true'], Labels: { ...RUN_LABELS } });
    const [tagRepo, tagVersion] = n.tag.split(':');
    await docker.getImage(BUSYBOX).tag({ repo: tagRepo, tag: tagVersion });
    await importOwnImage(docker, n.own);
    // The engine sends its events in order: once the import is recorded, every earlier event
    // (the other program's too) has been through the filter.
    await waitFor('the import to reach the ledger', () => ledger.imageRefs.includes(n.own), 10_000, 50);
    await c2.remove(); // removed by the lab itself: "already gone" at cleanup
    await ledger.settled();
    detach.dispose();

    // After the lab: a container created outside it, from an image the lab created.
    const late = await docker.createContainer({ name: n.late, Image: n.own, Cmd: ['/hello.txt'], Labels: { ...RUN_LABELS } });

    const saved = JSON.parse(JSON.stringify(ledger.toJSON())) as unknown;
    const restored = ResourceLedger.fromJSON(saved);
    assert.deepEqual(restored.containerIds.map((c) => c.id).sort(), [c1.id, c2.id].sort());
    // Not the volume that existed before, nor the anonymous one (no command names it: it goes with its container).
    assert.deepEqual(restored.volumeNames, [n.newvol]);
    assert.deepEqual(restored.imageRefs.sort(), [n.own, n.tag].sort());

    const report = await cleanup(docker, restored, { timeoutMs: 10_000 });
    const outcome = (name: string): string | undefined => report.items.find((i) => i.name === name)?.outcome;
    assert.equal(outcome(n.c1), 'removed');
    assert.equal(outcome(n.c2), 'already-gone');
    assert.equal(outcome(n.newvol), 'removed');
    assert.equal(outcome(n.tag), 'removed');
    const own = report.items.find((i) => i.name === n.own);
    assert.equal(own?.outcome, 'failed', 'an image in use by a container outside the lab is not forced');
    assert.ok(own?.reason?.includes(late.id.slice(0, 12)), `the reason names the container using it: ${own?.reason}`);
    assert.deepEqual([report.removed, report.alreadyGone, report.failed], [3, 1, 1]);
    // The anonymous volume went with its container (rm -v).
    assert.equal(await volumeExists(docker, anonymous), false);

    assert.equal(await containerExists(docker, n.outsider), true, 'outsider container survives');
    assert.equal(await containerExists(docker, n.foreign), true, 'another program\'s container survives');
    assert.equal(await containerExists(docker, foreignGenerated.id), true, 'another program\'s container from the lab\'s image survives');
    assert.equal(await containerExists(docker, n.late), true, 'container created after the lab survives');
    assert.equal(await volumeExists(docker, n.oldvol), true, 'pre-existing volume survives');
    assert.equal(await volumeExists(docker, n.foreignVol), true, 'another program\'s volume survives');
    assert.equal(await volumeExists(docker, n.newvol), false);
    assert.equal(await imageExists(docker, BUSYBOX), true, 'the image behind a removed tag keeps its own name');
    assert.equal(await imageExists(docker, n.foreignTag), true, 'another program\'s tag survives');
    assert.equal(await imageExists(docker, n.tag), false);
    assert.equal(await imageExists(docker, n.own), true);

    // What was removed or gone is forgotten; what failed stays for a retry.
    restored.forget(report);
    assert.deepEqual(restored.toJSON().containers, []);
    assert.deepEqual(restored.imageRefs, [n.own]);
  });

  it('reports cancelled, not removed, when the caller aborts', async () => {
    const never = uniqueName('ledger-never');
    const ledger = ResourceLedger.fromSnapshot('cl-test-lab', Date.now(), [], []);
    ledger.record({ type: 'volume', action: 'create', id: never });
    const abort = new AbortController();
    abort.abort();
    const report = await cleanup(docker, ledger, { signal: abort.signal });
    assert.deepEqual(report.items, [{ kind: 'volume', name: never, outcome: 'failed', reason: 'cancelled' }]);
  });
});
