/**
 * When a step opens, the runtime lists the containers that exist, so its check can tell an
 * older container from one made since. On a busy engine that list can answer after the
 * student's container was made (seen under the forced-overlap run over TLS): a container made
 * after the step opened is new, even when the late list names it. And a container the check saw
 * before that list answered may be gone by the time the list was taken (Podman, a container
 * removed right after Reset Step): it must not count as new. The real engine, behind a relay
 * that holds that one list back.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineEvents } from '../../src/core/checks/events';
import { createDocker, resolveEndpoint } from '../../src/core/engine/connection';
import { BUSYBOX, ensureBusybox, MAIN_SOCKET, requireEngine } from '../support/engine';
import { waitFor } from '../support/wait';
import { connectedEvents, LABELS, loadLabs, removeRunObjects, runName, shellRuntime, tempDir } from './runtime-support';

describe('a step\'s list of what existed, answered late', function () {
  this.timeout(60_000);
  const name = runName('late-list');
  const sock = path.join(os.tmpdir(), `cl-test-late-list-${process.pid}.sock`);
  let relay: http.Server | undefined;
  let held = 0;
  const upstreams = new Set<http.ClientRequest>();
  // The step's list waits for the test to open this gate; what each held list answered is kept.
  let gate: Promise<void> = Promise.resolve();
  let open = (): void => undefined;
  const heldAnswers: string[] = [];
  /** Whose inspects went through the relay (the path's name or ID), in order. */
  const inspected: string[] = [];
  let events: EngineEvents | undefined;
  let workspace = '';
  let labDir = '';
  const docker = createDocker(resolveEndpoint({ override: `unix://${sock}` }), { timeoutMs: 10_000 });

  function closeGate(): void {
    gate = new Promise<void>((resolve) => (open = resolve));
  }

  before(async () => {
    fs.rmSync(sock, { force: true });
    relay = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://engine');
      // A list of all containers without filters: the one a step makes as it opens.
      const late = req.method === 'GET' && url.pathname.endsWith('/containers/json') && !url.searchParams.has('filters');
      const inspect = /\/containers\/([^/]+)\/json$/.exec(url.pathname);
      if (req.method === 'GET' && inspect?.[1]) inspected.push(decodeURIComponent(inspect[1]));
      if (late) held += 1;
      const forward = (): void => {
        // A connection of its own per request (no pool), closed with the relay.
        const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers, agent: false }, (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          // At once: the event stream sends no body until an event, and a quiet engine has none.
          res.flushHeaders();
          if (late) {
            let body = '';
            up.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            up.on('end', () => heldAnswers.push(body));
          }
          up.pipe(res);
        });
        // Either side closing ends the other (the event stream would otherwise stay open to the
        // engine after the relay closed, and keep the test process alive).
        upstreams.add(upstream);
        upstream.on('close', () => upstreams.delete(upstream));
        upstream.on('error', () => res.destroy());
        res.on('close', () => upstream.destroy());
        req.pipe(upstream);
      };
      if (late) gate.then(forward, () => res.destroy());
      else forward();
    });
    await new Promise<void>((resolve) => relay?.listen(sock, resolve));
    await requireEngine(docker);
    await ensureBusybox(docker);
    events = await connectedEvents(docker);
    workspace = await tempDir();
  });

  after(async () => {
    events?.dispose();
    await removeRunObjects(docker);
    open();
    for (const upstream of upstreams) upstream.destroy();
    relay?.closeAllConnections();
    relay?.close();
    fs.rmSync(sock, { force: true });
    if (workspace) await fs.promises.rm(workspace, { recursive: true, force: true });
    if (labDir) await fs.promises.rm(labDir, { recursive: true, force: true });
  });

  it('a container made after the step opened passes, though the late list names it', async () => {
    const files = { 'l.lab.yaml': [`id: ${name}`, 'title: L', 'summary: One container.', 'minutes: 1', 'steps:', '  - id: made', '    title: Make it', '    instructions: Make it.', `    check: { container: { name: ${name}-made } }`, ''].join('\n') };
    const loaded = await loadLabs(files);
    labDir = loaded.dir;
    if (!events) throw new Error('no event stream');
    const { runtime } = shellRuntime(docker, events, workspace);
    await runtime.setCatalog(loaded.catalog);
    const ref = { labId: name, stepId: 'made' };
    try {
      const before = held;
      const answered = heldAnswers.length;
      closeGate();
      await runtime.openStep(ref);
      const made = await docker.createContainer({ name: `${name}-made`, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      assert.equal(held, before + 1, 'the step\'s list was held back while the container was made');
      open();
      await waitFor('the held list to answer', () => heldAnswers.length > answered, 10_000, 20);
      assert.ok(heldAnswers[answered]?.includes(made.id), 'the late list names the container made after the step opened');
      await waitFor('the step to pass', () => runtime.getState(ref).status === 'passed', 20_000, 20);
      assert.match(runtime.getState(ref).reason ?? '', new RegExp(`${name}-made`));
    } finally {
      runtime.dispose();
    }
  });

  it('an older container removed while the late list is on its way is not taken for a new one', async () => {
    const files = { 'g.lab.yaml': [`id: ${name}-g`, 'title: G', 'summary: One container.', 'minutes: 1', 'steps:', '  - id: gone', '    title: Make it', '    instructions: Make it.', `    check: { container: { name: ${name}-gone } }`, ''].join('\n') };
    const loaded = await loadLabs(files);
    const ref = { labId: `${name}-g`, stepId: 'gone' };
    if (!events) throw new Error('no event stream');
    // The removal's event does not cut the look in flight short (Podman's events come late: the
    // look that saw the older container is the one that answers).
    const { runtime } = shellRuntime(docker, events, workspace, { live: { supersedeAfterMs: 60_000 } });
    const results: string[] = [];
    const sub = runtime.onDidApplyResult((e) => results.push(`${e.result.status}: ${e.result.reason}`));
    try {
      await runtime.setCatalog(loaded.catalog);
      // Made before the step opens: older, whatever happens to it next.
      const older = await docker.createContainer({ name: `${name}-gone`, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      const before = held;
      const answered = heldAnswers.length;
      const looked = inspected.length;
      closeGate();
      await runtime.openStep(ref);
      // A look that does not wait for the list inspects the container at once (up to 2 s on a
      // loaded machine); one that waits does not, and the wait simply ends.
      await waitFor('a look at the older container', () => inspected.slice(looked).includes(`${name}-gone`), 2000, 20).catch(() => undefined);
      await older.remove({ force: true });
      assert.equal(held, before + 1, 'the step\'s list was held back');
      open();
      await waitFor('the held list to answer', () => heldAnswers.length > answered, 10_000, 20);
      assert.ok(!heldAnswers[answered]?.includes(older.id), 'the late list does not name the removed container');
      await waitFor('the list to answer and the live check to settle', () => runtime.liveSettled(ref) && results.some((r) => /no container/.test(r)), 20_000, 20);
      assert.notEqual(runtime.getState(ref).status, 'passed', `passed on the older container: ${JSON.stringify(results)}`);
      assert.equal(results.filter((r) => r.startsWith('passed')).length, 0, `no result passed: ${JSON.stringify(results)}`);
    } finally {
      sub.dispose();
      runtime.dispose();
      await fs.promises.rm(loaded.dir, { recursive: true, force: true });
    }
  });
  it('a list later than a command waits for is kept: a container made a moment before the step opened stays older after the command', async () => {
    const files = { 'k.lab.yaml': [`id: ${name}-k`, 'title: K', 'summary: One container.', 'minutes: 1', 'steps:', '  - id: kept', '    title: Make it', '    instructions: Make it.', '    commands:', '      - run: "true"', `    check: { container: { name: ${name}-kept } }`, ''].join('\n') };
    const loaded = await loadLabs(files);
    const ref = { labId: `${name}-k`, stepId: 'kept' };
    if (!events) throw new Error('no event stream');
    const { runtime } = shellRuntime(docker, events, workspace);
    try {
      await runtime.setCatalog(loaded.catalog);
      const older = await docker.createContainer({ name: `${name}-kept`, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      const answered = heldAnswers.length;
      closeGate();
      await runtime.openStep(ref);
      const openedAt = runtime.getState(ref).openedAt ?? 0;
      // By whole seconds and their 1 s slack it would count as made since the step opened.
      const [listed] = await docker.listContainers({ all: true, filters: { id: [older.id] } });
      assert.ok(listed && listed.Created >= Math.floor(openedAt / 1000) - 1, `made within the second before the step opened (created ${String(listed?.Created)}, opened ${openedAt})`);
      // The command waits for the list 2 s at most, then runs; the list answers after it.
      await runtime.run(await runtime.prepare(ref, 0));
      open();
      await waitFor('the held list to answer', () => heldAnswers.length > answered, 10_000, 20);
      assert.ok(heldAnswers[answered]?.includes(older.id), 'the late list names the older container');
      const result = await runtime.checkNow(ref);
      assert.equal(result.status, 'failed', result.reason);
      assert.match(result.reason, /was created since this step opened \(1 older one exists/);
      assert.notEqual(runtime.getState(ref).status, 'passed');
    } finally {
      runtime.dispose();
      await fs.promises.rm(loaded.dir, { recursive: true, force: true });
    }
  });
});
