/**
 * Record a lab by doing it (src/core/draft): a session of commands run by a real shell,
 * watched through the real engine's events, becomes a drafted lab; the draft validates
 * against the schema and lint, and - after the recording's own clean-up - passes
 * `container-labs test` (dist/cli.js) from a clean state. That round trip is the acceptance
 * test of "Record a Lab". Names are this run's, ports from the one free-port helper.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { EngineEvents } from '../../src/core/checks/events';
import { draftLab, withPlaceholders, type LabDraft } from '../../src/core/draft/draft';
import { LabRecording, type RecordedCommand } from '../../src/core/draft/recording';
import { validateText } from '../../src/core/labs/loader';
import { runShell } from '../../src/core/runner/shell';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { freePort } from '../support/ports';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';
import { connectedEvents, exists, removeRunObjects, tempDir } from './runtime-support';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const LABEL = `--label ${Object.keys(RUN_LABELS)[0] ?? ''}=${RUN_ID}`;
const IMAGE = BUSYBOX.replace(/:latest$/, '');

async function record(recording: LabRecording, folder: string, text: string): Promise<RecordedCommand> {
  const command = recording.begin(text);
  await command.ready;
  const result = await runShell(text, { cwd: folder, env: process.env, timeoutMs: 60_000 });
  return command.end(result.exitCode ?? undefined);
}

describe('record a lab (core drafting on the real engine)', function () {
  this.timeout(180_000);
  let docker: Dockerode;
  let events: EngineEvents;
  let folder: string;
  let recording: LabRecording | undefined;
  const web = uniqueName('rec-web');
  const volume = uniqueName('rec-vol');
  const tag = `${uniqueName('rec-img')}:v1`;
  const missing = uniqueName('rec-missing');
  let port = 0;

  before(async () => {
    docker = mainDocker();
    await ensureBusybox(docker);
    events = await connectedEvents(docker);
    port = await freePort();
  });
  beforeEach(async () => {
    folder = await tempDir();
  });
  afterEach(async () => {
    recording?.dispose();
    recording = undefined;
    await removeRunObjects(docker, [tag]);
    await fs.rm(folder, { recursive: true, force: true });
  });
  after(() => {
    events.dispose();
  });

  it('turns folder and home into placeholders and ${NAME} into $NAME', () => {
    const opts = { folder: '/home/ada/course', home: '/home/ada' };
    assert.equal(withPlaceholders('docker run -v /home/ada/course/site:/www -v /home/ada/.cache:/c x', opts), 'docker run -v ${workspaceFolder}/site:/www -v ${userHome}/.cache:/c x');
    assert.equal(withPlaceholders('echo ${HOME} /home/adam ${HOME}x', opts), 'echo $HOME /home/adam ${HOME}x');
  });

  it('records a session, drafts a valid lab, and the draft passes container-labs test from a clean state', async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: build it with node scripts/build.mjs`);
    recording = new LabRecording({ docker, events: events.onEvent, labId: 'recorded', publishedHost: '127.0.0.1' });
    const session = [
      'mkdir -p site && echo hello-from-the-lab > site/index.html',
      `docker run ${LABEL} ${IMAGE} sh -c 'exit 3'`,
      `docker volume create ${LABEL} ${volume}`,
      `docker run -d --name ${web} ${LABEL} -p ${port}:8080 -e GREETING=hello -e API_TOKEN=s3cret -v "$PWD/site:/www:ro" -v ${volume}:/data ${IMAGE} httpd -f -p 8080 -h /www`,
      `docker tag ${IMAGE} ${tag}`,
      `docker ps --filter name=${web}`,
      `docker rm -f ${web}`,
      `docker rmi ${tag}`,
      `docker volume rm ${volume}`,
      `docker rm ${missing}`,
    ];
    const recorded: RecordedCommand[] = [];
    for (const text of session) recorded.push(await record(recording, folder, text));
    assert.deepEqual(recorded.map((r) => r.exitCode), [0, 3, 0, 0, 0, 0, 0, 0, 0, 1], 'the shell ran every command');

    const draft: LabDraft = draftLab(recorded, { id: 'recorded', title: 'Recorded lab', folder, folderReal: await fs.realpath(folder), home: os.homedir(), recordedAt: new Date('2026-03-02T09:00:00Z') });
    const steps = draft.lab.steps;
    assert.deepEqual(draft.leftOut, [`docker rm ${missing} (exit code 1, changed nothing)`]);
    assert.deepEqual(steps.map((s) => [s.id, s.title]), [
      ['mkdir-1', 'Run mkdir -p site && echo hello-from-the-lab > site/index.html'],
      ['run-2', `Run a ${IMAGE} container`],
      ['volume-create-3', `Create the volume ${volume}`],
      ['run-4', `Run a ${IMAGE} container named ${web}`],
      ['tag-5', `Tag an image as ${tag}`],
      ['ps-6', `Run docker ps --filter name=${web}`],
      ['rm-7', `Remove ${web}`],
      ['rmi-8', `Remove the image ${tag}`],
      ['volume-rm-9', `Run docker volume rm ${volume}`],
    ]);
    const [files, exited, volumeStep, server, tagged, listing, removal, untag, volumeRemoval] = steps;
    assert.equal(files?.check, undefined, 'a command that changed nothing on the engine gets a step without a check');
    assert.equal(listing?.check, undefined);
    assert.deepEqual(exited?.check, { container: { image: IMAGE, commandContains: 'sh -c', exitCode: 3 } }, 'by image and command: the engine made up its name');
    assert.deepEqual(exited?.commands, [{ run: `docker run ${LABEL} ${IMAGE} sh -c 'exit 3'`, exitCode: 3 }], 'the command is expected to end as it did');
    assert.deepEqual(volumeStep?.check, { volume: { name: volume } });
    const match = { name: web };
    assert.deepEqual(server?.check, {
      all: [
        { container: { name: web, state: 'running' } },
        { port: { container: match, containerPort: 8080, hostPort: port } },
        { http: { container: match, containerPort: 8080, status: 200 } },
        { mount: { container: match, type: 'volume', source: volume, destination: '/data', readOnly: false } },
        { mount: { container: match, type: 'bind', source: '${workspaceFolder}/site', destination: '/www', readOnly: true } },
        { env: { container: match, name: 'GREETING' } },
        { env: { container: match, name: 'API_TOKEN' } },
      ],
    });
    assert.deepEqual(tagged?.check, { image: { ref: tag } });
    assert.deepEqual(removal?.commands, [{ run: `docker rm -f ${web}`, destructive: true }]);
    assert.deepEqual(removal?.check, { containerAbsent: { name: web, since: 'any' } });
    assert.deepEqual(untag?.commands, [{ run: `docker rmi ${tag}`, destructive: true }]);
    assert.deepEqual(untag?.check, { imageAbsent: { ref: tag } });
    assert.deepEqual(volumeRemoval?.check, { volumeAbsent: { name: volume } });
    assert.deepEqual(draft.lab.images, [BUSYBOX]);
    assert.ok(!JSON.stringify(draft.lab.steps.map((s) => [s.check, s.instructions])).includes('s3cret'), 'no variable value in a check or the instructions');
    assert.ok(!draft.yaml.includes(folder), 'the recording folder is a placeholder');

    // The draft is a valid lab file.
    const file = path.join(folder, 'recorded.lab.yaml');
    await fs.writeFile(file, draft.yaml);
    assert.deepEqual(validateText(draft.yaml, file).filter((i) => i.severity === 'error'), []);

    // A clean state: what the recording created is removed (by its ledger), and nothing of it is left.
    const cleaned = await recording.cleanup();
    assert.equal(cleaned.refused, 0, JSON.stringify(cleaned));
    assert.equal(await exists('container', docker, web), false);
    assert.equal(await exists('volume', docker, volume), false);
    assert.equal(await exists('image', docker, tag), false);
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`${Object.keys(RUN_LABELS)[0] ?? ''}=${RUN_ID}`], ancestor: [BUSYBOX] } });
    assert.deepEqual(leftovers.filter((c) => c.Command.includes('exit 3')).map((c) => c.Names), [], 'the exited container the engine named is the recording\'s, and removed');
    await fs.rm(path.join(folder, 'site'), { recursive: true, force: true });

    const json = path.join(folder, 'result.json');
    const test = spawnSync(process.execPath, [CLI, 'test', file, '--json-out', json], { cwd: folder, encoding: 'utf8', env: process.env, timeout: 150_000 });
    const result = JSON.parse(await fs.readFile(json, 'utf8')) as { labs: Array<{ steps: Array<{ id: string; status: string; reason: string }> }>; failed: number; errors: number };
    assert.equal(test.status, 0, `container-labs test failed:\n${test.stdout}\n${test.stderr}`);
    assert.deepEqual(result.labs[0]?.steps.map((s) => [s.id, s.status]), steps.map((s) => [s.id, s.check ? 'passed' : 'info']), JSON.stringify(result.labs[0]?.steps, null, 2));
    assert.equal(result.failed + result.errors, 0);
  });
});

describe('record a lab: events that lag behind the commands, commands reported after they started', function () {
  this.timeout(120_000);
  let docker: Dockerode;
  let events: EngineEvents;
  let folder: string;

  before(async () => {
    docker = mainDocker();
    await ensureBusybox(docker);
    events = await connectedEvents(docker);
    folder = await tempDir();
  });
  after(async () => {
    events.dispose();
    await removeRunObjects(docker);
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('a container whose events come 4 s after its command (beyond the 1.5 s tail) is still drafted as the command\'s', async () => {
    // The real engine's events, each handed on 4 s late: what a loaded CI machine did to the UI test.
    const timers = new Set<NodeJS.Timeout>();
    const late: EngineEvents['onEvent'] = (listener) => {
      const inner = events.onEvent((event) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          listener(event);
        }, 4000);
        timers.add(timer);
      });
      return { dispose: () => { inner.dispose(); for (const t of timers) clearTimeout(t); } };
    };
    const name = uniqueName('rec-late');
    const recording = new LabRecording({ docker, events: late, labId: 'late', publishedHost: '127.0.0.1' });
    try {
      const recorded = await record(recording, folder, `docker run --name ${name} ${LABEL} ${IMAGE} echo late`);
      assert.equal(recorded.exitCode, 0);
      assert.deepEqual(recorded.containers.map((c) => [c.name, c.state, c.exitCode]), [[name, 'exited', 0]]);
      const draft = draftLab([recorded], { id: 'late', title: 'Late', folder, home: os.homedir() });
      assert.deepEqual(draft.lab.steps[0]?.check, { container: { name, exitCode: 0 } });
    } finally {
      recording.dispose();
    }
  });


  /** What the workbench does: the shell runs the command, and its start is reported once the engine's events of it have come. */
  async function reportedLate(recording: LabRecording, text: string, eventOf: (e: { type: string; action: string; name?: string; id: string }) => boolean): Promise<RecordedCommand> {
    const came = new Promise<void>((resolve) => {
      const sub = events.onEvent((e) => {
        if (eventOf(e)) {
          sub.dispose();
          resolve();
        }
      });
    });
    const result = await runShell(text, { cwd: folder, env: process.env, timeoutMs: 60_000 });
    await came;
    const command = recording.begin(text, true);
    await command.ready;
    return command.end(result.exitCode ?? undefined);
  }

  it('a volume, a container that used it and its removal, each reported after the engine showed it, are drafted as checks', async () => {
    const volume = uniqueName('rec-rep-vol');
    const name = uniqueName('rec-rep');
    const recording = new LabRecording({ docker, events: events.onEvent, labId: 'reported', publishedHost: '127.0.0.1' });
    try {
      const made = await reportedLate(recording, `docker volume create ${LABEL} ${volume}`, (e) => e.type === 'volume' && e.action === 'create' && e.id === volume);
      assert.deepEqual(made.volumes, [volume]);
      const run = await reportedLate(recording, `docker run --name ${name} ${LABEL} -v ${volume}:/data ${IMAGE} sh -c 'echo hi > /data/x'`, (e) => e.type === 'container' && e.action === 'die' && e.name === name);
      assert.deepEqual(run.containers.map((c) => [c.name, c.state, c.exitCode, c.mounts.map((m) => m.source)]), [[name, 'exited', 0, [volume]]]);
      const rm = await reportedLate(recording, `docker rm -f ${name}`, (e) => e.type === 'container' && e.action === 'destroy' && e.name === name);
      assert.deepEqual(rm.removed.containers, [name]);
      const draft = draftLab([made, run, rm], { id: 'reported', title: 'Reported', folder, home: os.homedir() });
      assert.deepEqual(draft.lab.steps.map((s) => s.check), [
        { volume: { name: volume } },
        { all: [{ container: { name, exitCode: 0 } }, { mount: { container: { name }, destination: '/data', readOnly: false, source: volume, type: 'volume' } }] },
        { containerAbsent: { name, since: 'any' } },
      ]);
      // The recording's ledger holds the volume (the container is gone): "Test this lab" starts clean.
      assert.deepEqual(recording.ledger.list().map((e) => `${e.kind} ${e.name}`), [`volume ${volume}`]);
    } finally {
      recording.dispose();
    }
  });
});
