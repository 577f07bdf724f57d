import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { cleanup, CommandWindows, confirmClaim, mentionedBy, ResourceLedger, type LedgerEvent } from '../../src/core/ledger';
import { normalizeImageRef } from '../../src/core/images';
import type { Lab } from '../../src/core/model';
import { BUSYBOX, containerExists, ensureBusybox, imageExists, removeNamed, requireEngine, testDocker, volumeExists } from './runner-support';

describe('ResourceLedger (pure)', () => {
  it('normalises image refs the way the engine lists them', () => {
    assert.equal(normalizeImageRef('busybox'), 'busybox:latest');
    assert.equal(normalizeImageRef('docker.io/library/alpine:3'), 'alpine:3');
    assert.equal(normalizeImageRef('localhost:5000/me/app'), 'localhost:5000/me/app:latest');
    assert.equal(normalizeImageRef('localhost:5000/me/app:v2'), 'localhost:5000/me/app:v2');
  });

  it('mentionedBy keeps what the lab\'s commands name and leaves other programs\' things out', async () => {
    const lab: Lab = {
      id: 'l', title: 'L', summary: '', minutes: 1, images: ['jupyter/base-notebook:latest'],
      source: { file: '/x.lab.yaml', origin: 'bundled' },
      steps: [{
        id: 's', title: 'S', instructions: '', hints: [],
        commands: [
          { run: 'docker run --name cl-lab-web -v cl-lab-data:/data alpine true' },
          { run: 'docker run -p 8888:8888 jupyter/base-notebook' },
        ],
        solution: { commands: [{ run: 'docker tag hello-world ${registry}/cl-lab-hello:v1' }] },
      }],
    };
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
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(windows.claims(hello), false);
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

/** A raw subscription to the engine's events, independent of the product's EngineEvents. */
async function subscribe(docker: Dockerode, onEvent: (e: LedgerEvent) => void): Promise<() => void> {
  const stream = (await docker.getEvents({ filters: { type: ['container', 'image', 'volume'] } })) as NodeJS.ReadableStream & { destroy(): void };
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const raw = JSON.parse(line) as { Type: string; Action: string; Actor: { ID: string; Attributes?: Record<string, string> } };
      onEvent({ type: raw.Type, action: raw.Action, id: raw.Actor.ID, name: raw.Actor.Attributes?.name });
    }
  });
  stream.on('error', () => undefined);
  return () => stream.destroy();
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ResourceLedger and cleanup (real engine)', function () {
  this.timeout(60_000);
  const docker = testDocker();
  const names = {
    containers: ['cl-test-ledger-outsider', 'cl-test-ledger-c1', 'cl-test-ledger-c2', 'cl-test-ledger-late'],
    volumes: ['cl-test-ledger-oldvol', 'cl-test-ledger-newvol'],
    images: ['cl-test-ledger-tag:1', 'cl-test-ledger-own:1'],
  };

  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
    await removeNamed(docker, names);
  });
  after(async () => {
    await removeNamed(docker, names);
  });

  it('confirmClaim tells two containers of one image apart by their command', async () => {
    // Generated names, as from `docker run` without --name; removed in `finally`.
    const mine = await docker.createContainer({ Image: BUSYBOX, Cmd: ['echo', 'cl-test-mine'], Labels: { 'cl-test-ledger': 'claim' } });
    const theirs = await docker.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '1'], Labels: { 'cl-test-ledger': 'claim' } });
    const bare = await docker.createContainer({ Image: BUSYBOX, Labels: { 'cl-test-ledger': 'claim' } });
    try {
      const event = async (c: Dockerode.Container): Promise<LedgerEvent> => {
        const info = await c.inspect();
        return { type: 'container', action: 'create', id: info.Id, name: info.Name.replace(/^\//, ''), image: BUSYBOX };
      };
      const text = `docker run ${BUSYBOX} echo cl-test-mine`;
      assert.equal(await confirmClaim(docker, await event(mine), [text]), true, 'its command is in the text');
      assert.equal(await confirmClaim(docker, await event(theirs), [text]), false, 'another command from the same image');
      // `docker run IMAGE` with no arguments: the container runs the image's own command.
      assert.equal(await confirmClaim(docker, await event(bare), [`docker run ${BUSYBOX}`]), true, 'no arguments: the image\'s own command');
      assert.equal(await confirmClaim(docker, { type: 'container', action: 'create', id: 'f'.repeat(64), name: 'gone_away', image: BUSYBOX }, [text]), false, 'a container already gone');
    } finally {
      for (const c of [mine, theirs, bare]) await c.remove({ force: true }).catch(() => undefined);
    }
  });

  it('removes only what the lab created, reports what was gone or refused, and leaves the rest alone', async () => {
    // Before the lab: things the lab must never remove.
    await docker.createContainer({ name: 'cl-test-ledger-outsider', Image: BUSYBOX, Cmd: ['true'] });
    await docker.createVolume({ Name: 'cl-test-ledger-oldvol' });

    const ledger = await ResourceLedger.begin(docker, 'cl-test-lab');
    const stop = await subscribe(docker, (e) => ledger.record(e));
    // The lab's steps.
    const c1 = await docker.createContainer({
      name: 'cl-test-ledger-c1',
      Image: BUSYBOX,
      Cmd: ['true'],
      Volumes: { '/anon': {} },
      HostConfig: { Binds: ['cl-test-ledger-oldvol:/old', 'cl-test-ledger-newvol:/new'] },
    });
    const anonymous = (await c1.inspect()).Mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
    assert.match(anonymous, /^[0-9a-f]{64}$/);
    const c2 = await docker.createContainer({ name: 'cl-test-ledger-c2', Image: BUSYBOX, Cmd: ['true'] });
    await docker.getImage(BUSYBOX).tag({ repo: 'cl-test-ledger-tag', tag: '1' });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-own-'));
    await fs.writeFile(path.join(dir, 'hello.txt'), 'a one-file image of its own\n');
    execFileSync('sh', ['-c', `tar -C '${dir}' -c . | docker import - cl-test-ledger-own:1`], { stdio: 'ignore' });
    await fs.rm(dir, { recursive: true, force: true });
    await c2.remove(); // removed by the lab itself: "already gone" at cleanup
    await until('the events to reach the ledger', () => ledger.toJSON().containers.length === 2 && ledger.toJSON().images.length === 2);
    stop();

    // After the lab: a container created outside it, from an image the lab created.
    await docker.createContainer({ name: 'cl-test-ledger-late', Image: 'cl-test-ledger-own:1', Cmd: ['/hello.txt'] });

    const saved = JSON.parse(JSON.stringify(ledger.toJSON())) as unknown;
    const restored = ResourceLedger.fromJSON(saved);
    assert.deepEqual(restored.containerIds.map((c) => c.id).sort(), [c1.id, c2.id].sort());
    assert.deepEqual(restored.volumeNames.sort(), [anonymous, 'cl-test-ledger-newvol'].sort(), 'a volume that existed before is not the lab\'s');
    assert.deepEqual(restored.imageRefs.sort(), ['cl-test-ledger-own:1', 'cl-test-ledger-tag:1']);

    const report = await cleanup(docker, restored, { timeoutMs: 10_000 });
    const outcome = (name: string): string | undefined => report.items.find((i) => i.name === name)?.outcome;
    assert.equal(outcome('cl-test-ledger-c1'), 'removed');
    assert.equal(outcome('cl-test-ledger-c2'), 'already-gone');
    assert.equal(outcome('cl-test-ledger-newvol'), 'removed');
    assert.equal(outcome('cl-test-ledger-tag:1'), 'removed');
    const own = report.items.find((i) => i.name === 'cl-test-ledger-own:1');
    assert.equal(own?.outcome, 'failed', 'an image in use by a container outside the lab is not forced');
    assert.match(own?.reason ?? '', /conflict|being used|in use/i);
    // The anonymous volume went with its container (rm -v), so it was already gone.
    assert.equal(outcome(anonymous), 'already-gone');
    assert.equal(await volumeExists(docker, anonymous), false);
    assert.deepEqual([report.removed, report.alreadyGone, report.failed], [3, 2, 1]);

    assert.equal(await containerExists(docker, 'cl-test-ledger-outsider'), true, 'outsider container survives');
    assert.equal(await containerExists(docker, 'cl-test-ledger-late'), true, 'container created after the lab survives');
    assert.equal(await volumeExists(docker, 'cl-test-ledger-oldvol'), true, 'pre-existing volume survives');
    assert.equal(await volumeExists(docker, 'cl-test-ledger-newvol'), false);
    assert.equal(await imageExists(docker, BUSYBOX), true, 'the image behind a removed tag keeps its own name');
    assert.equal(await imageExists(docker, 'cl-test-ledger-tag:1'), false);
    assert.equal(await imageExists(docker, 'cl-test-ledger-own:1'), true);

    // What was removed or gone is forgotten; what failed stays for a retry.
    restored.forget(report);
    assert.deepEqual(restored.toJSON().containers, []);
    assert.deepEqual(restored.imageRefs, ['cl-test-ledger-own:1']);
  });

  it('reports cancelled, not removed, when the caller aborts', async () => {
    const ledger = ResourceLedger.fromSnapshot('cl-test-lab', Date.now(), [], []);
    ledger.record({ type: 'volume', action: 'create', id: 'cl-test-ledger-never' });
    const abort = new AbortController();
    abort.abort();
    const report = await cleanup(docker, ledger, { signal: abort.signal });
    assert.equal(report.failed, 1);
    assert.match(report.items[0].reason ?? '', /cancelled/);
  });
});
