/**
 * When a step opens, the runtime lists the containers that exist, so its check can tell an
 * older container from one made since. On a busy engine that list can answer after the
 * student's container was made (seen under the forced-overlap run over TLS): a container made
 * after the step opened is new, even when the late list names it. The real engine, behind a
 * relay that holds that one list back.
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
        const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        });
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
});
