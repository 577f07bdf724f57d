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
  let events: EngineEvents | undefined;
  let workspace = '';
  let labDir = '';
  const docker = createDocker(resolveEndpoint({ override: `unix://${sock}` }), { timeoutMs: 10_000 });

  before(async () => {
    fs.rmSync(sock, { force: true });
    // Every list of all containers without filters (the one a step makes as it opens) answers 1.5 s late.
    relay = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://engine');
      const late = req.method === 'GET' && url.pathname.endsWith('/containers/json') && !url.searchParams.has('filters');
      if (late) held += 1;
      setTimeout(() => {
        // A connection of its own per request (no pool), closed with the relay.
        const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers, agent: false }, (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          // At once: the event stream sends no body until an event, and a quiet engine has none.
          res.flushHeaders();
          up.pipe(res);
        });
        // Either side closing ends the other (the event stream would otherwise stay open to the
        // engine after the relay closed, and keep the test process alive).
        upstreams.add(upstream);
        upstream.on('close', () => upstreams.delete(upstream));
        upstream.on('error', () => res.destroy());
        res.on('close', () => upstream.destroy());
        req.pipe(upstream);
      }, late ? 1500 : 0);
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
      await runtime.openStep(ref);
      await docker.createContainer({ name: `${name}-made`, Image: BUSYBOX, Cmd: ['true'], Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
      assert.equal(held, before + 1, 'the step\'s list was held back while the container was made');
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
      await runtime.openStep(ref);
      // The first look runs at once; removed while the step's list is held back (1.5 s).
      await new Promise((r) => setTimeout(r, 300));
      await older.remove({ force: true });
      assert.equal(held, before + 1, 'the step\'s list was held back');
      await waitFor('the list to answer and the live check to settle', () => runtime.liveSettled(ref) && results.some((r) => /no container/.test(r)), 20_000, 20);
      assert.notEqual(runtime.getState(ref).status, 'passed', `passed on the older container: ${JSON.stringify(results)}`);
      assert.equal(results.filter((r) => r.startsWith('passed')).length, 0, `no result passed: ${JSON.stringify(results)}`);
    } finally {
      sub.dispose();
      runtime.dispose();
      await fs.promises.rm(loaded.dir, { recursive: true, force: true });
    }
  });
});
