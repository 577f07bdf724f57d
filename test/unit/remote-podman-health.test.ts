/**
 * Podman as the engine, for real: the unit-podman lane of npm test runs these against the
 * Podman service of scripts/lib/podman.mjs (DOCKER_HOST=unix://<run folder>/podman.sock).
 * Health names Podman, finds its socket where the docker CLI would not look, says how to point
 * the docker CLI at it, and says how to start its service when it is not running.
 *
 *   node scripts/test-hosts.mjs podman -- node node_modules/mocha/bin/mocha.js out/test/unit/remote-podman-health.test.js
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveEndpoint } from '../../src/core/engine/connection';
import { checkHealth } from '../../src/core/engine/health';

/** The lane's Podman socket, or a clear error when these tests run outside it. */
function podmanSocket(): string {
  const m = /^unix:\/\/(.*podman\.sock)$/.exec(process.env.DOCKER_HOST ?? '');
  if (!m?.[1]) throw new Error('these tests need the Podman test host: they run in the unit-podman lane of npm test, or under `node scripts/test-hosts.mjs podman -- ...`');
  return m[1];
}

describe('Podman as the engine (podman system service, its own store)', function () {
  this.timeout(60_000);
  let socket: string;
  let scratch: string;

  before(function () {
    socket = podmanSocket();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-podman-home-'));
  });

  after(function () {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('names Podman, its version and whose store it is (root\'s, here)', async function () {
    const report = await checkHealth(resolveEndpoint({ env: process.env }), { env: process.env });
    assert.equal(report.ok, true, report.message);
    assert.equal(report.engine?.product, 'Podman');
    assert.match(report.message, new RegExp(`^Podman 4\\.\\d+\\.\\d+ \\(API 1\\.\\d+\\) answers at unix://${socket.replace(/[.]/g, '\\.')} \\(DOCKER_HOST\\)\\.$`));
    assert.equal(report.engine?.rootless, false);
    assert.deepEqual(report.notes, [
      'This is root\'s Podman: containers made with `podman` as your own user (rootless) are in another store, which the checks do not see.',
    ]);
  });

  it('found without DOCKER_HOST at the rootless socket path, with how to point the docker CLI at it', async function () {
    // $XDG_RUNTIME_DIR/podman/podman.sock, as systemd's podman.socket makes it for a user: here a
    // link to the lane's real socket, and no Docker socket anywhere.
    const runtime = path.join(scratch, 'run-user');
    fs.mkdirSync(path.join(runtime, 'podman'), { recursive: true });
    const userSocket = path.join(runtime, 'podman', 'podman.sock');
    fs.symlinkSync(socket, userSocket);
    try {
      const env = { HOME: scratch, XDG_RUNTIME_DIR: runtime };
      const endpoint = resolveEndpoint({ env, home: scratch, systemSocket: path.join(scratch, 'no-docker.sock') });
      assert.equal(endpoint.source, 'Podman socket (rootless)');
      assert.equal(endpoint.socketPath, userSocket);
      const report = await checkHealth(endpoint, { env });
      assert.equal(report.ok, true, report.message);
      assert.equal(report.notes?.[0], `The docker CLI does not look for Podman's socket by itself: in your terminal, run \`export DOCKER_HOST=unix://${userSocket}\` (or install podman-docker), so that \`docker\` commands reach the engine the checks read.`);
    } finally {
      fs.rmSync(userSocket, { force: true });
    }
  });

  it('its service not running: says so, and how to start it for the user', async function () {
    const gone = path.join(scratch, 'podman', 'podman.sock');
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: `unix://${gone}` } }), { env: {} });
    assert.equal(report.problem, 'not-running');
    assert.equal(report.message, `The Podman service is not running: nothing listens at ${gone} (the socket does not exist).`);
    assert.deepEqual(report.fixes.map((f) => f.command), ['systemctl --user enable --now podman.socket', 'podman system service --time=0 &']);
  });

  it('no engine at all but Podman installed: its socket is what is missing', async function () {
    const env = { PATH: process.env.PATH ?? '', HOME: scratch };
    const report = await checkHealth(resolveEndpoint({ env, home: scratch, systemSocket: path.join(scratch, 'no-docker.sock') }), { env });
    assert.equal(report.problem, 'not-running');
    // As root (this lane): root's socket.
    assert.deepEqual(report.fixes.slice(0, 2).map((f) => f.command), ['sudo systemctl enable --now podman.socket', 'export DOCKER_HOST=unix:///run/podman/podman.sock']);
  });
});
