/**
 * The adversarial ownership matrix, on the real engine: the user's containers, volumes,
 * networks and tags made before, during and after the lab, with names that are prefixes,
 * suffixes and superstrings of the lab's, from the lab's image with and without arguments,
 * pre-existing volumes the lab mounts (one made after the lab was opened), a container whose
 * volumes the lab borrows, and another program running the lab's exact command at the same
 * moment. After the lab's clean-up every one of the user's things still exists and
 * everything the lab created is gone, except the one container the engine cannot tell apart
 * from another program's (left in place, never someone else's removed).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { EngineEvents } from '../../src/core/checks/events';
import type { CleanupPlan } from '../../src/core/runtime/cleanup';
import { BUSYBOX, ensureBusybox, mainDocker } from '../support/engine';
import { waitFor } from '../support/wait';
import { connectedEvents, exists, LABEL_ARG, LABELS, loadLabs, removeRunObjects, runName, shellRuntime, tempDir, type TestRuntime } from './runtime-support';

const P = runName('m');
const LAB_ID = `${P}-lab`.replace(/^cl-test-/, 'cl-test-');
/** The typed-command case has a lab of its own, so its clean-up plan does not depend on the matrix's. */
const TYPED_LAB_ID = `${P}-typed-lab`;
const IMAGE = 'cl-test-busybox';
/** The lab's command of its `typed` step: the student types it in the lab's terminal. */
const TYPED = `docker run ${LABEL_ARG} ${IMAGE} echo ${P}-typed`;

/** What the lab's commands name. */
const LAB = {
  registry: `${P}-registry-lab-c`,
  borrow: `${P}-borrow-lab`,
  datavol: `${P}-datavol-lab`,
  runvol: `${P}-runvol-lab`,
  net: `${P}-net-lab`,
  tag: `${P}-myimg-lab:v1`,
  built: `${P}-built-lab:v1`,
};

/** The user's things, by name. */
const USER = {
  containers: {
    prefix: `${P}-registry`,
    longerPrefix: `${P}-registry-lab`,
    superstring: `${P}-registry-lab-c-old`,
    suffix: `old-${P}-registry-lab-c`,
    withAnon: `${P}-user-anon`,
    namedDuring: `${P}-during`,
  },
  volumes: {
    prefix: `${P}-datavol`,
    superstring: `${P}-datavol-lab-backup`,
    runvolPrefix: `${P}-runvol`,
    preA: `${P}-pre-a`,
    preB: `${P}-pre-b`,
    after: `${P}-datavol-lab-2`,
  },
  networks: { prefix: `${P}-net` },
  tags: { repoPrefix: `${P}-myimg:dev`, sameRepo: `${P}-myimg-lab:dev`, other: `${P}-base:mine`, after: `${P}-myimg-lab:after` },
};

function labYaml(): string {
  const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  /** Shell text that waits until the test opens the step's gate (openGate below), however loaded the machine. */
  const untilGate = (step: string): string => `while [ ! -e \${workspaceFolder}/${step}.gate ]; do sleep 0.05; done`;
  return [
    `id: ${LAB_ID}`,
    'title: Ownership matrix',
    'summary: Creates named and unnamed things while the user works alongside.',
    'minutes: 1',
    `images: [${BUSYBOX}]`,
    'steps:',
    '  - id: volumes',
    '    title: A volume and a network',
    '    instructions: Create them.',
    '    commands:',
    `      - run: ${q(`docker volume create ${LABEL_ARG} ${LAB.datavol}`)}`,
    `      - run: ${q(`docker network create ${LABEL_ARG} ${LAB.net}`)}`,
    `    check: { all: [ { volume: { name: ${LAB.datavol} } } ] }`,
    '  - id: containers',
    '    title: Containers',
    '    instructions: Run them.',
    '    commands:',
    `      - run: ${q(`docker run -d ${LABEL_ARG} --name ${LAB.registry} -v ${LAB.datavol}:/data -v ${LAB.runvol}:/run2 -v /anon --network ${LAB.net} ${IMAGE} sleep 300`)}`,
    `      - run: ${q(`docker run ${LABEL_ARG} -v ${USER.volumes.preA}:/a -v ${USER.volumes.preB}:/b ${IMAGE} true`)}`,
    `      - run: ${q(`docker run -d ${LABEL_ARG} --name ${LAB.borrow} --volumes-from ${USER.containers.withAnon} ${IMAGE} sleep 300`)}`,
    `    check: { container: { name: ${LAB.registry}, state: running } }`,
    '  - id: hello',
    '    title: A container the engine names',
    '    instructions: Run it.',
    '    commands:',
    `      - run: ${q(`docker run ${LABEL_ARG} ${IMAGE} echo ${P}-hello && ${untilGate('hello')}`)}`,
    `    check: { container: { image: ${IMAGE}, commandContains: ${P}-hello, exitCode: 0 } }`,
    '  - id: twin',
    '    title: A command another program runs at the same moment',
    '    instructions: Run it.',
    '    commands:',
    `      - run: ${q(`docker run ${LABEL_ARG} ${IMAGE} echo ${P}-twin && ${untilGate('twin')}`)}`,
    `    check: { container: { image: ${IMAGE}, commandContains: ${P}-twin, exitCode: 0 } }`,
    '  - id: images',
    '    title: A tag and a build',
    '    instructions: Make them.',
    '    commands:',
    `      - run: ${q(`docker tag ${BUSYBOX} ${LAB.tag}`)}`,
    // Three instructions: the legacy builder keeps an untagged layer image for each but the last.
    `      - run: ${q(`mkdir -p \${labData}/ctx && printf 'FROM cl-test-busybox:latest\\nLABEL cl-test-build=${P}\\nRUN echo a > /a\\nRUN echo b > /b\\n' > \${labData}/ctx/Dockerfile`)}`,
    `      - run: ${q(`docker build --network none -q -t ${LAB.built} \${labData}/ctx`)}`,
    `    check: { all: [ { image: { ref: ${LAB.tag} } }, { image: { ref: ${LAB.built} } } ] }`,
    '',
  ].join('\n');
}

function typedLabYaml(): string {
  return [
    `id: ${TYPED_LAB_ID}`,
    'title: A typed command',
    'summary: The student types the lab command in the lab terminal.',
    'minutes: 1',
    `images: [${BUSYBOX}]`,
    'steps:',
    '  - id: typed',
    '    title: A command the student types in the terminal',
    '    instructions: Type it.',
    '    commands:',
    `      - run: '${TYPED.replace(/'/g, "''")}'`,
    `    check: { container: { image: ${IMAGE}, commandContains: ${P}-typed, exitCode: 0 } }`,
    '',
  ].join('\n');
}

describe('ownership matrix: the lab\'s clean-up takes only what the lab created (real engine)', function () {
  this.timeout(240_000);
  const docker = mainDocker();
  const imageRefs = [LAB.tag, LAB.built, ...Object.values(USER.tags)];
  let events: EngineEvents;
  let t: TestRuntime;
  let labDir = '';
  let workspace = '';
  const ids: Record<string, string> = {};

  /** A container of the user's, through the API like any other program (generated name unless given). */
  async function userContainer(key: string, opts: { name?: string; cmd?: string[]; start?: boolean; volumes?: string[] }): Promise<string> {
    const create: Dockerode.ContainerCreateOptions = { Image: IMAGE, Labels: { ...LABELS, 'cl-test-user': key } };
    if (opts.name) create.name = opts.name;
    if (opts.cmd) create.Cmd = opts.cmd;
    if (opts.volumes) create.Volumes = Object.fromEntries(opts.volumes.map((v) => [v, {}]));
    const c = await docker.createContainer(create);
    if (opts.start) await c.start();
    ids[key] = c.id;
    return c.id;
  }

  /** Opens the gate a lab command waits at (untilGate): its window stays open until then. */
  const openGate = (stepId: string): Promise<void> => fs.writeFile(path.join(workspace, `${stepId}.gate`), '');

  async function runStep(stepId: string, alongside?: () => Promise<void>): Promise<void> {
    const ref = { labId: LAB_ID, stepId };
    await t.runtime.openStep(ref);
    const step = t.runtime.getStep(ref);
    assert.ok(step, stepId);
    for (let i = 0; i < step.commands.length; i++) {
      const prepared = await t.runtime.prepare(ref, i);
      const run = t.runtime.run(prepared);
      if (alongside) {
        // The other program acts while the lab's command runs (its window is open).
        await waitFor('the lab command to start', () => t.runtime.commandsRunning(LAB_ID), 10_000, 5);
        await alongside();
        await openGate(stepId);
      }
      const execution = await run;
      assert.equal(execution.result?.exitCode, 0, `${prepared.text}: ${execution.result?.tail.join('\n') ?? ''}`);
    }
  }

  before(async () => {
    await ensureBusybox(docker);
    await removeRunObjects(docker, imageRefs);
    workspace = await tempDir();
    // Before the lab: the user's own things, some named like the lab's.
    for (const [key, name] of Object.entries(USER.containers)) {
      if (key === 'namedDuring') continue;
      await userContainer(key, key === 'withAnon' ? { name, volumes: ['/keep'] } : { name, cmd: ['sleep', '300'] });
    }
    await userContainer('noArgsBefore', {});
    for (const [key, name] of Object.entries(USER.volumes)) {
      if (key === 'preB' || key === 'after') continue;
      await docker.createVolume({ Name: name, Labels: LABELS });
    }
    await docker.createNetwork({ Name: USER.networks.prefix, Labels: LABELS, CheckDuplicate: true });
    for (const ref of [USER.tags.repoPrefix, USER.tags.sameRepo, USER.tags.other]) {
      const [repo = '', tag = ''] = ref.split(':');
      await docker.getImage(BUSYBOX).tag({ repo, tag });
    }
    events = await connectedEvents(docker);
    const { catalog, dir } = await loadLabs({ 'matrix.lab.yaml': labYaml(), 'typed.lab.yaml': typedLabYaml() });
    labDir = dir;
    t = shellRuntime(docker, events, workspace);
    await t.runtime.setCatalog(catalog);
  });

  after(async () => {
    t?.runtime.dispose();
    events?.dispose();
    await removeRunObjects(docker, imageRefs);
    // Anonymous volumes of this run's containers went with them (v: true above); the user's borrowed one too.
    if (labDir) await fs.rm(labDir, { recursive: true, force: true });
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  it('plans each thing the lab created once, with why, and leaves every one of the user\'s things', async () => {
    // The lab is open; then the user makes a volume the lab will mount (its mount sends a volume `create` too).
    await t.runtime.openStep({ labId: LAB_ID, stepId: 'volumes' });
    await docker.createVolume({ Name: USER.volumes.preB, Labels: LABELS });

    await runStep('volumes');
    await runStep('containers');
    await runStep('hello', async () => {
      // Another program, from the lab's image, at the same moment: no arguments, other arguments, its own name with the lab's arguments.
      await Promise.all([
        userContainer('noArgsDuring', { start: true }),
        userContainer('otherArgsDuring', { cmd: ['echo', 'other'], start: true }),
        userContainer('namedDuring', { name: USER.containers.namedDuring, cmd: ['echo', `${P}-hello`], start: true }),
      ]);
      assert.equal(t.runtime.commandsRunning(LAB_ID), true, 'the user\'s containers were made while the lab\'s command ran');
    });
    await runStep('twin', async () => {
      // The lab's exact command, by another program, at the same moment.
      await userContainer('twin', { cmd: ['echo', `${P}-twin`], start: true });
    });
    await runStep('images');

    // After the lab's commands (their windows closed): the same command as the lab's, a tag and a volume named like the lab's.
    await waitFor('the command windows to close', () => !t.runtime.commandsRunning(LAB_ID), 10_000, 50);
    await userContainer('sameArgsAfter', { cmd: ['echo', `${P}-hello`], start: true });
    await docker.getImage(BUSYBOX).tag({ repo: USER.tags.after.split(':')[0] ?? '', tag: 'after' });
    await docker.createVolume({ Name: USER.volumes.after, Labels: LABELS });

    const registry = await docker.getContainer(LAB.registry).inspect();
    const anon = registry.Mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
    assert.match(anon, /^[0-9a-f]{64}$/);
    const borrowed = (await docker.getContainer(USER.containers.withAnon).inspect()).Mounts.find((m) => m.Destination === '/keep')?.Name ?? '';
    assert.match(borrowed, /^[0-9a-f]{64}$/);
    const labelled = await docker.listContainers({ all: true, filters: { label: [`${Object.keys(LABELS)[0] ?? ''}=${Object.values(LABELS)[0] ?? ''}`] } });
    const byCommand = (text: string): Dockerode.ContainerInfo[] => labelled.filter((c) => c.Command === text);
    const labHello = byCommand(`echo ${P}-hello`).filter((c) => c.Id !== ids.sameArgsAfter && c.Id !== ids.namedDuring);
    assert.equal(labHello.length, 1, 'the lab made one hello container');
    const labPremount = byCommand('true').filter((c) => c.Mounts.some((m) => m.Name === USER.volumes.preA));
    assert.equal(labPremount.length, 1);
    const labTwin = byCommand(`echo ${P}-twin`).filter((c) => c.Id !== ids.twin);
    assert.equal(labTwin.length, 1);

    const plan: CleanupPlan = await t.runtime.cleanupPlan(LAB_ID);
    const planned = plan.items.map((i) => `${i.kind} ${i.name}`).sort();
    const name = (c: Dockerode.ContainerInfo): string => (c.Names[0] ?? '').replace(/^\//, '');
    assert.deepEqual(
      planned,
      [
        `container ${LAB.borrow}`,
        `container ${LAB.registry}`,
        `container ${name(labHello[0])}`,
        `container ${name(labPremount[0])}`,
        `image ${LAB.built}`,
        `image ${LAB.tag}`,
        `network ${LAB.net}`,
        `volume ${anon}`,
        `volume ${LAB.datavol}`,
        `volume ${LAB.runvol}`,
      ].sort(),
      plan.items.map((i) => `${i.kind} ${i.name}: ${i.why}`).join('\n'),
    );
    for (const item of plan.items) {
      assert.match(item.why, item.name === anon ? /^an anonymous volume that came with the lab's container .+, created by `docker run -d / : /^created by `(docker|mkdir) .+` at \d\d:\d\d/, item.name);
    }

    const report = await t.runtime.cleanup(plan);
    assert.deepEqual(report.items.filter((i) => i.outcome !== 'removed').map((i) => `${i.kind} ${i.name}: ${i.outcome} ${i.reason ?? ''}`), []);
    assert.equal(report.removed, plan.items.length);

    // Everything the lab created is gone...
    for (const n of [LAB.registry, LAB.borrow, labHello[0]?.Id ?? '', labPremount[0]?.Id ?? '']) assert.equal(await exists('container', docker, n), false, n);
    for (const n of [LAB.datavol, LAB.runvol, anon]) assert.equal(await exists('volume', docker, n), false, n);
    assert.equal(await exists('network', docker, LAB.net), false);
    for (const n of [LAB.tag, LAB.built]) assert.equal(await exists('image', docker, n), false, n);
    // ...with its build layers: no image of this build is left, tagged or not.
    const layers = await docker.listImages({ all: true, filters: { label: [`cl-test-build=${P}`] } });
    assert.deepEqual(layers.map((i) => i.RepoTags ?? []), [], 'the build layers went with the image the lab built');
    // ...except the twin: two identical containers made at the same moment cannot be told apart, so neither was taken.
    assert.equal(await exists('container', docker, labTwin[0]?.Id ?? ''), true);

    // Every one of the user's things is still there.
    for (const [key, id] of Object.entries(ids)) assert.equal(await exists('container', docker, id), true, `user container ${key}`);
    for (const n of Object.values(USER.volumes)) assert.equal(await exists('volume', docker, n), true, n);
    assert.equal(await exists('volume', docker, borrowed), true, 'the anonymous volume the lab\'s container borrowed');
    assert.equal(await exists('network', docker, USER.networks.prefix), true);
    for (const n of Object.values(USER.tags)) assert.equal(await exists('image', docker, n), true, n);
    assert.equal(await exists('image', docker, BUSYBOX), true, 'the image the lab used');

    // A second clean-up finds nothing left to do.
    assert.deepEqual((await t.runtime.cleanupPlan(LAB_ID)).items, []);
  });

  it('a command typed in the lab\'s terminal counts when it is the lab\'s own, word for word; another typed command does not', async () => {
    await t.runtime.openStep({ labId: TYPED_LAB_ID, stepId: 'typed' });
    /** What the terminal does: shell integration reports the line, the shell runs it. */
    const type = async (text: string): Promise<void> => {
      const end = t.runtime.commandTyped(text);
      try {
        await new Promise<void>((resolve, reject) => execFile('/bin/sh', ['-c', text], (error) => (error ? reject(new Error(`${text}: ${error.message}`)) : resolve())));
      } finally {
        end();
      }
    };
    const own = `docker run ${LABEL_ARG} ${IMAGE} echo ${P}-typed-by-the-student`;
    await Promise.all([type(TYPED.replace(' echo ', '  echo ')), type(own)]);
    await waitFor('the command windows to close', () => !t.runtime.commandsRunning(TYPED_LAB_ID), 10_000, 50);
    const labelled = await docker.listContainers({ all: true, filters: { label: [`${Object.keys(LABELS)[0] ?? ''}=${Object.values(LABELS)[0] ?? ''}`] } });
    const labTyped = labelled.filter((c) => c.Command === `echo ${P}-typed`);
    const studentOwn = labelled.filter((c) => c.Command === `echo ${P}-typed-by-the-student`);
    assert.equal(labTyped.length, 1);
    assert.equal(studentOwn.length, 1);
    const plan = await t.runtime.cleanupPlan(TYPED_LAB_ID);
    assert.deepEqual(plan.items.map((i) => `${i.kind} ${i.name}`), [`container ${(labTyped[0]?.Names[0] ?? '').replace(/^\//, '')}`]);
    const report = await t.runtime.cleanup(plan);
    assert.equal(report.removed, 1);
    assert.equal(await exists('container', docker, labTyped[0]?.Id ?? ''), false);
    assert.equal(await exists('container', docker, studentOwn[0]?.Id ?? ''), true, 'the student\'s own command\'s container stays');
  });

  it('a typed command that shell integration reports after the engine\'s events of it (as the workbench does) still counts', async () => {
    await t.runtime.openStep({ labId: TYPED_LAB_ID, stepId: 'typed' });
    const [labelKey, labelValue] = Object.entries(LABELS)[0] ?? ['', ''];
    // The command's first engine event (its container made, with this run's label), as the
    // runtime's own event stream delivers it.
    let created: string | undefined;
    const sub = events.onEvent((e) => {
      if (e.type === 'container' && e.action === 'create' && e.attributes[labelKey] === labelValue && created === undefined) created = e.id;
    });
    try {
      const ran = new Promise<void>((resolve, reject) => execFile('/bin/sh', ['-c', TYPED], (error) => (error ? reject(new Error(`${TYPED}: ${error.message}`)) : resolve())));
      ran.catch(() => undefined);
      await waitFor('the command\'s create event to arrive', () => created !== undefined, 30_000, 20);
      // Only now does the report of the command's start come, as shell integration's does
      // through the workbench (a loaded machine once took over TYPED_LATE_MS from create to the
      // end of `docker run` over ssh: the report comes at the start, not at the end).
      const end = t.runtime.commandTyped(TYPED);
      await ran;
      end();
      const labelled = await docker.listContainers({ all: true, filters: { label: [`${labelKey}=${labelValue}`] } });
      const made = labelled.filter((c) => c.Command === `echo ${P}-typed`);
      assert.equal(made.length, 1, 'the command made one container');
      assert.equal(made[0]?.Id, created, 'the create event was the command\'s container');
      await waitFor('the command window to close', () => !t.runtime.commandsRunning(TYPED_LAB_ID), 10_000, 50);
      const plan = await t.runtime.cleanupPlan(TYPED_LAB_ID);
      assert.deepEqual(plan.items.map((i) => `${i.kind} ${i.name}`), [`container ${(made[0]?.Names[0] ?? '').replace(/^\//, '')}`]);
      assert.equal((await t.runtime.cleanup(plan)).removed, 1);
    } finally {
      sub.dispose();
    }
  });
});
