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
import { terminalName } from '../../src/terminal/labTerminal';
import { activateExtension, docker, MemoryMemento, removeContainer, RUN_LABEL, runName, waitFor } from './helpers';

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
