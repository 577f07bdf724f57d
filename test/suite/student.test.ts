/**
 * The student's path through a lab (issue 12) in the real extension host, with the real lab
 * terminal and the real engine: what the student did, step by step, and what they saw.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ContainerLabsApi } from '../../src/extension';
import type { LabSessionImpl } from '../../src/session/labSession';
import { terminalEnv, terminalName } from '../../src/terminal/labTerminal';
import { buildStepView } from '../../src/webview/viewModel';
import { MarkdownRenderer } from '../../src/webview/markdown';
import { activateExtension, docker, EngineProxy, LIVE_CONTAINER, MemoryMemento, removeContainer, RUN_LABEL, RUN_LABEL_KEY, RUN_ID, runName, ShellTerminal, TEST_LAB, waitFor } from './helpers';

const LAB_ID = `cl-test-student-${runName('lab')}`;

/** Writes the lab into a new folder and opens a session of the extension over it (real terminal, real engine). */
function labSession(api: ContainerLabsApi, yaml: string): { session: LabSessionImpl; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cl-test-student-'));
  writeFileSync(join(dir, 'student.lab.yaml'), yaml);
  const session = api.createSession({
    memento: new MemoryMemento(),
    roots: () => [{ dir, origin: 'workspace' }],
    isTrusted: () => true,
    liveChecks: () => true,
  });
  return { session, dir };
}

async function running(name: string): Promise<boolean> {
  try {
    return (await docker().getContainer(name).inspect()).State.Running;
  } catch {
    return false;
  }
}

describe('Student path: a server started in the foreground keeps running while the next steps need it (issue 12, item 2)', function () {
  this.timeout(120_000);
  let api: ContainerLabsApi;
  const server = runName('fg-server');
  let out = '';
  let dir = '';
  let session: LabSessionImpl | undefined;

  before(async () => {
    api = await activateExtension();
    await removeContainer(docker(), server);
  });

  after(async () => {
    session?.dispose();
    await removeContainer(docker(), server);
    for (const t of vscode.window.terminals) if (t.name === terminalName(2)) t.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('step 2 runs in a second lab terminal, its docker inspect sees the server, and step 3 stops the server with Ctrl+C', async () => {
    const work = mkdtempSync(join(tmpdir(), 'cl-test-student-out-'));
    out = join(work, 'inspect.txt');
    // A server that stops on Ctrl+C, as Jupyter and RStudio do.
    const serve = `docker run --rm --name ${server} --label ${RUN_LABEL} alpine sh -c 'trap "exit 0" INT TERM; sleep 600 & wait'`;
    const yaml = [
      `id: ${LAB_ID}`,
      'title: Student path',
      'summary: A server in the foreground, a command that needs it, and a step to stop it.',
      'minutes: 1',
      'images: [alpine:latest]',
      'steps:',
      '  - id: serve',
      '    title: Start the server in the foreground',
      '    instructions: Run it.',
      '    commands:',
      `      - run: ${JSON.stringify(serve)}`,
      '        foreground: true',
      '    check:',
      '      container:',
      `        name: ${server}`,
      '        state: running',
      '  - id: inspect',
      '    title: Inspect it',
      '    instructions: Look at it from another terminal.',
      '    commands:',
      `      - run: ${JSON.stringify(`docker inspect --format '{{.State.Running}}' ${server} > ${out}`)}`,
      '    check:',
      '      file:',
      `        path: ${out}`,
      '        contains: "true"',
      '  - id: stop',
      '    title: Stop the server with Ctrl+C',
      '    instructions: Press **Ctrl+C** in the terminal where the server runs.',
      '    commands: []',
      '    check:',
      '      containerAbsent:',
      `        name: ${server}`,
      '        since: any',
      '',
    ].join('\n');
    const made = labSession(api, yaml);
    session = made.session;
    dir = made.dir;
    await session.reload();
    assert.ok(session.getLab(LAB_ID), 'the test lab loads');
    const SERVE = { labId: LAB_ID, stepId: 'serve' };
    const INSPECT = { labId: LAB_ID, stepId: 'inspect' };
    const STOP = { labId: LAB_ID, stepId: 'stop' };

    await session.openStep(SERVE);
    assert.equal(await session.runCommand(SERVE, 0), true);
    await waitFor('the server to run', () => running(server), 60_000, 200);
    await waitFor('step 1 to pass', () => session?.getState(SERVE).status === 'passed', 30_000);

    await session.openStep(INSPECT);
    assert.equal(await session.runCommand(INSPECT, 0), true);
    await waitFor('step 2 to pass (docker inspect saw the server running)', () => session?.getState(INSPECT).status === 'passed', 30_000);
    assert.equal(await running(server), true, 'the server of step 1 still runs after step 2');
    const second = vscode.window.terminals.filter((t) => t.name === terminalName(2) && t.exitStatus === undefined);
    assert.equal(second.length, 1, 'step 2 ran in a second lab terminal');
    assert.deepEqual(api.terminal.servers.map((t) => t.name), [terminalName(1)], 'the server runs in the first');

    await session.openStep(STOP);
    assert.notEqual(session.getState(STOP).status, 'passed', 'the stop step does not pass while the server runs');
    session.interrupt();
    await waitFor('the server to stop after Ctrl+C', async () => !(await running(server)), 30_000, 200);
    await waitFor('step 3 to pass', () => session?.getState(STOP).status === 'passed', 30_000);
    rmSync(work, { recursive: true, force: true });
  });
});

describe('Student path: the lab\'s own named container from a wrong try is in the way (issue 12, item 3)', function () {
  this.timeout(120_000);
  let api: ContainerLabsApi;
  const mine = runName('bind');
  const foreign = runName('not-the-labs');
  const dirs: string[] = [];
  let session: LabSessionImpl | undefined;

  before(async () => {
    api = await activateExtension();
    await removeContainer(docker(), mine);
    await removeContainer(docker(), foreign);
  });

  after(async () => {
    session?.dispose();
    await removeContainer(docker(), mine);
    await removeContainer(docker(), foreign);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('says which container is in the way and how to remove it, removes only the lab\'s own after asking and runs again; Reset Step offers the same', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cl-test-student-data-'));
    const wrong = mkdtempSync(join(tmpdir(), 'cl-test-student-wrong-'));
    dirs.push(data, wrong);
    writeFileSync(join(data, 'notes.txt'), 'hello from the host\n');
    const right = `docker run --name ${mine} --label ${RUN_LABEL} -v ${data}:/work alpine ls -l /work`;
    const yaml = [
      `id: ${LAB_ID}-bind`,
      'title: Student path, bind mount',
      'summary: A named container run with a wrong -v first.',
      'minutes: 1',
      'images: [alpine:latest]',
      'steps:',
      '  - id: bind',
      '    title: Mount a host folder',
      '    instructions: Run it.',
      '    commands:',
      `      - run: ${JSON.stringify(right)}`,
      `      - run: ${JSON.stringify(`docker run --name ${foreign} --label ${RUN_LABEL} alpine true`)}`,
      '    check:',
      '      all:',
      '        - mount:',
      '            container:',
      `              name: ${mine}`,
      '            type: bind',
      `            source: ${data}`,
      '            destination: /work',
      '        - logs:',
      '            container:',
      `              name: ${mine}`,
      '            contains: notes.txt',
      '',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'cl-test-student-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'student.lab.yaml'), yaml);
    const terminal = new ShellTerminal();
    const asked: string[] = [];
    session = api.createSession({
      memento: new MemoryMemento(),
      roots: () => [{ dir, origin: 'workspace' }],
      isTrusted: () => true,
      liveChecks: () => true,
      terminal,
      confirm: (message) => {
        asked.push(message);
        return Promise.resolve(true);
      },
    });
    await session.reload();
    const BIND = { labId: `${LAB_ID}-bind`, stepId: 'bind' };
    await session.openStep(BIND);
    // A container of that name that is not the lab's (made here, outside any lab command).
    const other = await docker().createContainer({ name: foreign, Image: 'alpine:latest', Cmd: ['true'], Labels: { [RUN_LABEL_KEY]: RUN_ID } });

    // The student types the command with a wrong -v path in the lab's terminal.
    const typed = `docker run --name ${mine} --label ${RUN_LABEL} -v ${wrong}:/work alpine ls -l /work`;
    const end = session.runtime.commandTyped(typed);
    await new ShellTerminal().run(typed).then((s) => s.exitCode);
    end();
    const first = await docker().getContainer(mine).inspect();
    const failed = await session.checkNow(BIND);
    assert.equal(failed.status, 'failed');

    // Run: the name is taken, exactly what the student saw.
    assert.equal(await session.runCommand(BIND, 0), true);
    assert.equal(await terminal.lastExit, 125, 'docker run fails: the name is in use');

    await waitFor('the ledger to hold the wrong try', async () => (await session?.leftovers(BIND))?.items.length === 1, 20_000, 200);
    const left = await session.leftovers(BIND);
    assert.deepEqual(left.items.map((i) => i.name), [mine], 'only the lab\'s own container, not the other one of a step\'s name');
    const built = buildStepView(session, BIND, new MarkdownRenderer(), { checking: false, leftovers: left.items.map((i) => i.name) });
    assert.ok(built?.view.leftover, 'the panel says a container is in the way');
    assert.match(built.view.leftover.reason, new RegExp(`"${mine}" from an earlier try is in the way.*docker rm -f ${mine}`));

    // "Remove it and run again": asks, removes only that container, runs the command again.
    assert.equal(await session.removeLeftovers(BIND, { rerun: true }), true);
    assert.deepEqual(asked, [`Remove ${mine} and run the command again?`]);
    assert.equal(await terminal.lastExit, 0, 'the command ran again');
    const second = await docker().getContainer(mine).inspect();
    assert.notEqual(second.Id, first.Id, 'the wrong try is gone, a new container took its name');
    assert.equal((await docker().getContainer(foreign).inspect()).Id, other.id, 'the container that is not the lab\'s is untouched');
    await waitFor('the step to pass', () => session?.getState(BIND).status === 'passed', 30_000);

    // Reset Step: the step's own container is left; the session offers to remove it.
    await session.resetStep(BIND);
    assert.equal(await session.removeLeftovers(BIND, { rerun: false }), true);
    assert.equal(asked[1], `Also remove what this step left (${mine})?`);
    await assert.rejects(docker().getContainer(mine).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    assert.equal((await docker().getContainer(foreign).inspect()).Id, other.id);
  });
});

describe('Student path: the engine stops in the middle of a lab (issue 12, item 5)', function () {
  this.timeout(120_000);
  const LIVE = { labId: TEST_LAB, stepId: 'live' };
  const MAIN = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';
  const proxy = new EngineProxy(join(tmpdir(), `cl-test-engine-${RUN_ID}.sock`), MAIN);
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('containerLabs');
  let api: ContainerLabsApi;

  before(async () => {
    api = await activateExtension();
    await removeContainer(docker(), LIVE_CONTAINER);
    await proxy.start();
    await config().update('engine.host', proxy.url, vscode.ConfigurationTarget.Workspace);
    await waitFor('the extension to use the engine behind the proxy', () => api.engine.endpoint.url === proxy.url, 15_000);
    await waitFor('the engine behind the proxy to answer', async () => (await api.engine.checkHealth()).ok, 30_000, 500);
  });

  after(async () => {
    await proxy.stop();
    await config().update('engine.host', undefined, vscode.ConfigurationTarget.Workspace);
    await removeContainer(docker(), LIVE_CONTAINER);
    await api.session.resetStep(LIVE);
  });

  it('shows the Docker Engine view by itself, the step and the status bar say "cannot check", and the lab resumes when the engine is back', async () => {
    await api.session.resetStep(LIVE);
    await api.session.openStep(LIVE);
    // The live check listens to the engine's event stream, through the proxy.
    await waitFor('the event stream to connect', () => api.engine.events.connected, 20_000);
    // The view's own health check of the new engine may still be on its way (a loaded machine).
    await waitFor('the Docker Engine view to say the engine answers', () => api.engineView.state === 'ok', 30_000, 200);

    await proxy.stop();
    // Nothing polls the health while the engine is fine: only the dropped stream can show the view.
    await waitFor('the Docker Engine view to show the engine is gone', () => api.engineView.state === 'not-running', 20_000);
    await waitFor('the step to say it cannot check', () => api.session.getState(LIVE).status === 'error', 20_000);
    assert.match(api.session.getState(LIVE).reason ?? '', /^cannot check: nothing listens at /);
    const node = api.tree.provider.find(LIVE);
    assert.ok(node);
    assert.equal((api.tree.provider.getTreeItem(node).iconPath as vscode.ThemeIcon).id, 'warning', 'the tree shows the step cannot be checked');
    assert.match(api.statusBar.item.text, /^\$\(warning\) /, api.statusBar.item.text);
    assert.match(String(api.statusBar.item.accessibilityInformation?.label), /, cannot check$/);

    // The engine is back: the view goes by itself, and the step's command (in a lab terminal
    // whose docker reaches the engine the checks read) passes the step.
    await proxy.start();
    await waitFor('the Docker Engine view to see the engine again', () => api.engineView.state === 'ok', 30_000, 200);
    assert.equal(await vscode.commands.executeCommand('containerLabs.runStepCommand', LIVE.labId, LIVE.stepId, 0), true);
    const current = api.terminal.current;
    assert.ok(current, 'a lab terminal is open');
    assert.equal(terminalEnv(current)?.DOCKER_HOST, proxy.url, 'the lab terminal\'s docker uses the engine of the setting');
    await waitFor('the step to pass once the engine is back', () => api.session.getState(LIVE).status === 'passed', 60_000);
  });
});
