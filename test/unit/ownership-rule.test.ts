/**
 * The ownership rule's reading of commands (plain Node, no engine): what a command creates is
 * read from its parsed arguments, never from a substring of its text.
 */
import * as assert from 'node:assert/strict';
import { createdNames, dockerCalls, parseRun } from '../../src/core/labs/dockerCommands';
import { CommandWindows, isGeneratedName, LabClaims } from '../../src/core/runtime/ownership';
import { ResourceLedger } from '../../src/core/ledger';

function made(text: string): ReturnType<typeof createdNames> {
  const all = { containers: [] as string[], volumes: [] as string[], networks: [] as string[], images: [] as string[] };
  for (const call of dockerCalls(text)) {
    const m = createdNames(call);
    all.containers.push(...m.containers);
    all.volumes.push(...m.volumes);
    all.networks.push(...m.networks);
    all.images.push(...m.images);
  }
  return all;
}

describe('ownership rule: what a command creates, by its parsed arguments', () => {
  it('reads names from the arguments of run, create, volume, network, tag, build, pull, commit and import', () => {
    assert.deepEqual(made("docker run -d --name cl-lab-bind -v '/home/me/data':/work -v cl-lab-data:/data:ro --mount type=volume,source=cl-lab-m,target=/m alpine sh -c 'echo hi'"), {
      containers: ['cl-lab-bind'],
      volumes: ['cl-lab-data', 'cl-lab-m'],
      networks: [],
      images: [],
    });
    assert.deepEqual(made('docker create --name=cl-x -v /anon busybox').containers, ['cl-x']);
    assert.deepEqual(made('docker volume create --label a=b cl-v && docker volume create -d local --name cl-w').volumes, ['cl-v', 'cl-w']);
    assert.deepEqual(made('docker network create --driver bridge --subnet 10.9.0.0/24 cl-net').networks, ['cl-net']);
    assert.deepEqual(made('docker tag cl-lab-hello:v1 localhost:5000/cl-lab-hello:v1').images, ['localhost:5000/cl-lab-hello:v1']);
    assert.deepEqual(made('docker build -t cl-a -f Dockerfile --tag cl-b:2 .').images, ['cl-a', 'cl-b:2']);
    assert.deepEqual(made('docker image pull --platform linux/amd64 alpine:3').images, ['alpine:3']);
    assert.deepEqual(made('docker commit -m "msg" cl-c cl-snap:1').images, ['cl-snap:1']);
    assert.deepEqual(made('docker import -c "CMD sh" rootfs.tar cl-imp:1').images, ['cl-imp:1']);
  });

  it('names only what a call creates: using, removing or printing a name creates nothing', () => {
    for (const text of [
      'docker run --network cl-net alpine true',
      'docker rm -f cl-lab-bind',
      'docker volume rm cl-lab-data',
      'docker rmi cl-lab-hello:v1',
      'echo docker run --name cl-lab-bind alpine',
      'docker run -v /data alpine true',
      'docker run -v ./here:/d alpine true',
      'docker load -i image.tar',
      'docker compose up -d',
      'docker run --help',
    ]) {
      const m = made(text);
      assert.deepEqual([...m.containers, ...m.volumes, ...m.networks, ...m.images], [], text);
    }
  });

  it('parses run options: clusters, attached values, = forms, and the command after the image', () => {
    const run = parseRun(['-dit', '-p8888:8888', '-e', 'A=1', '--name=web', '--rm', '-v/anon', 'jupyter/base-notebook', 'start.sh', '--port', '1']);
    assert.ok(run);
    assert.equal(run.image, 'jupyter/base-notebook');
    assert.deepEqual(run.command, ['start.sh', '--port', '1']);
    assert.equal(run.name, 'web');
    assert.deepEqual(run.options.map((o) => [o.flag, o.value]), [
      ['detach', undefined], ['interactive', undefined], ['tty', undefined], ['publish', '8888:8888'], ['env', 'A=1'], ['name', 'web'], ['rm', undefined], ['volume', '/anon'],
    ]);
    assert.equal(parseRun(['--rm']), undefined, 'no image');
  });

  it('a lab\'s claims are the names its own commands create, filled placeholders included', () => {
    const claims = new LabClaims([
      "docker run --name cl-lab-registry-c -v cl-lab-datavol:/var/lib/registry registry:2",
      "docker run -v '/tmp/x y':/work alpine ls /work",
      'docker run hello-world',
    ]);
    assert.deepEqual(claims.names.containers, ['cl-lab-registry-c']);
    assert.deepEqual(claims.names.volumes, ['cl-lab-datavol']);
    assert.equal(claims.unnamedRuns.length, 2);
    assert.equal(claims.hasUnnamedRun(dockerCalls('docker   run  hello-world')[0] ?? { verb: '', args: [] }), true, 'the same words, other spacing');
    assert.equal(claims.hasUnnamedRun(dockerCalls('docker run -d hello-world')[0] ?? { verb: '', args: [] }), false, 'other arguments');
    // Names in the text that no argument creates are not claimed: a prefix, a substring, a word in a message.
    const restricted = claims.restrict({ containers: ['cl-lab-registry', 'cl-lab-registry-c'], volumes: ['cl-lab-data', 'cl-lab-datavol'], networks: ['registry'], images: ['registry:2'] });
    assert.deepEqual(restricted, { containers: ['cl-lab-registry-c'], volumes: ['cl-lab-datavol'], networks: [], images: [] });
  });

  it('a window covers a command while it runs and a tail after, and typed commands claim only the lab\'s own unnamed runs', () => {
    let now = 1_000_000;
    const windows = new CommandWindows({ tailMs: 100, now: () => now });
    const claims = new LabClaims(['docker run hello-world', 'docker volume create cl-v']);
    const sent = windows.begin('docker run hello-world', 'sent', claims);
    const typedOwn = windows.begin('docker run hello-world', 'typed', claims);
    const typedOther = windows.begin('docker run -d hello-world', 'typed', claims);
    const typedVolume = windows.begin('docker volume create cl-other', 'typed', claims);
    assert.equal(sent.window.unnamedRuns.length, 1);
    assert.equal(typedOwn.window.unnamedRuns.length, 1);
    assert.equal(typedOther.window.unnamedRuns.length, 0, 'typed, not the lab\'s command');
    assert.deepEqual(typedVolume.window.creates.volumes, [], 'a volume the lab never names');
    assert.equal(windows.active().length, 4);
    for (const w of [sent, typedOwn, typedOther, typedVolume]) w.end();
    now += 100;
    assert.equal(windows.active().length, 4, 'within the tail');
    now += 1;
    assert.equal(windows.active().length, 0);
    assert.equal(windows.open, false);
  });

  it('generated names are the engine\'s adjective_surname', () => {
    assert.equal(isGeneratedName('jolly_curie'), true);
    assert.equal(isGeneratedName('jolly_curie7'), true);
    assert.equal(isGeneratedName('cl-lab-vol'), false);
    assert.equal(isGeneratedName('my_db_1'), false);
  });
});

describe('ResourceLedger: plain data', () => {
  it('keeps each thing once, survives a JSON round trip, and refuses older or malformed ledgers', () => {
    const ledger = new ResourceLedger('lab', 42);
    const entry = { kind: 'container' as const, id: 'c1', name: 'web', createdAt: 43, command: 'docker run --name web alpine', via: 'named' as const };
    assert.equal(ledger.add(entry), true);
    assert.equal(ledger.add({ ...entry, name: 'renamed' }), false, 'the same container twice');
    ledger.add({ kind: 'volume', id: 'v'.repeat(64), name: 'v'.repeat(64), createdAt: 43, command: entry.command, via: 'with-container', container: 'c1' });
    ledger.add({ kind: 'image', id: 'cl-x:1', name: 'cl-x:1', createdAt: 44, command: 'docker tag a cl-x:1', via: 'named', imageId: 'sha256:1' });
    const copy = ResourceLedger.fromJSON(JSON.parse(JSON.stringify(ledger)));
    assert.deepEqual(copy.toJSON(), ledger.toJSON());
    assert.equal(copy.list().length, 3);
    copy.forget([{ kind: 'container', id: 'c1' }]);
    assert.deepEqual(copy.list().map((e) => e.kind), ['volume', 'image']);
    assert.throws(() => ResourceLedger.fromJSON(null), /not an object/);
    assert.throws(() => ResourceLedger.fromJSON({ version: 1, labId: 'l', startedAt: 1, containers: [] }), /older ownership rule/);
    assert.throws(() => ResourceLedger.fromJSON({ ...ledger.toJSON(), entries: [{ ...entry, kind: 'pod' }] }), /unknown kind pod/);
    assert.throws(() => ResourceLedger.fromJSON({ ...ledger.toJSON(), entries: [{ ...entry, command: '' }] }), /command must be a non-empty string/);
  });
});
