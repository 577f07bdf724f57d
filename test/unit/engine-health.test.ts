/**
 * The health report against the real engine and real faults: a socket that does not exist,
 * a refused TCP port, a user without access to the engine socket (a child process running
 * as `nobody`), a context that does not exist, a Codespace without an engine, an engine
 * that hangs, and an engine that reports an API that is too old.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { compareApiVersions, resolveEndpoint } from '../../src/core/engine/connection';
import { checkHealth, type HealthReport } from '../../src/core/engine/health';
import { runAsNobody } from '../support/as-nobody';
import { MAIN_SOCKET } from '../support/engine';
import { freePort } from '../support/ports';

describe('engine: checkHealth', function () {
  this.timeout(20_000);

  it('ok against the real engine, with versions and the time it took', async function () {
    const report = await checkHealth(resolveEndpoint({ env: {}, systemSocket: MAIN_SOCKET }));
    assert.equal(report.ok, true, report.message);
    assert.equal(report.problem, undefined);
    assert.match(report.apiVersion ?? '', /^1\.\d+$/);
    assert.ok(compareApiVersions(report.apiVersion ?? '0', '1.40') >= 0);
    assert.match(report.message, /^Docker Engine .+ \(API 1\.\d+\) answers at unix:\/\/\/var\/run\/docker\.sock \(default socket\)\.$/);
    // The figure itself is the benchmark's (scripts/bench.mjs); here: it is measured.
    assert.ok(Number.isFinite(report.elapsedMs) && report.elapsedMs >= 0, `elapsedMs ${report.elapsedMs}`);
    assert.deepEqual(report.fixes, []);
  });

  it('not running: the socket does not exist', async function () {
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: 'unix:///tmp/cl-test-missing.sock' } }), { env: {} });
    assert.equal(report.ok, false);
    assert.equal(report.problem, 'not-running');
    assert.equal(report.message, 'The Docker Engine is not running: nothing listens at /tmp/cl-test-missing.sock (the socket does not exist).');
    const commands = report.fixes.map((f) => f.command).filter(Boolean);
    assert.ok(commands.includes('sudo systemctl start docker') && commands.includes('sudo dockerd'), JSON.stringify(report.fixes));
  });

  it('not running: a TCP port that refuses the connection', async function () {
    const port = await freePort();
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } }), { env: {} });
    assert.equal(report.problem, 'not-running');
    assert.equal(report.message, `The Docker Engine is not running: tcp://127.0.0.1:${port} refused the connection.`);
  });

  it('ssh:// to a port where nothing listens: the SSH connection is named, with ssh\'s own words', async function () {
    const port = await freePort();
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: `ssh://cl-test@127.0.0.1:${port}` } }), { env: {} });
    assert.equal(report.problem, 'ssh-unreachable');
    assert.equal(
      report.message,
      `The SSH connection to ssh://cl-test@127.0.0.1:${port} did not get through: the connection was refused: no sshd listens there. ssh said: "ssh: connect to host 127.0.0.1 port ${port}: Connection refused"`,
    );
    assert.equal(report.fixes[0]?.command, `ssh -p ${port} cl-test@127.0.0.1 docker version`);
  });

  it('no engine in a Codespace: says which dev container feature to add', async function () {
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: 'unix:///tmp/cl-test-missing.sock' } }), { env: { CODESPACES: 'true' } });
    assert.equal(report.problem, 'no-engine-in-codespace');
    assert.ok(report.fixes.some((f) => f.title.includes('ghcr.io/devcontainers/features/docker-in-docker:2') && f.title.includes('.devcontainer/devcontainer.json')));
  });

  it('wrong context: DOCKER_CONTEXT names a context that does not exist', async function () {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-home-'));
    try {
      const report = await checkHealth(resolveEndpoint({ env: { DOCKER_CONTEXT: 'cl-test-gone' }, home }), { env: { DOCKER_CONTEXT: 'cl-test-gone' } });
      assert.equal(report.problem, 'wrong-context');
      assert.ok(report.message.startsWith('The docker context cannot be used: no context named "cl-test-gone" exists'), report.message);
      assert.deepEqual(report.fixes.map((f) => f.command), ['docker context ls', 'docker context use default', 'unset DOCKER_CONTEXT']);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('permission denied: a user outside the docker group on the real engine socket', function () {
    const stat = fs.statSync(MAIN_SOCKET);
    if ((stat.mode & 0o007) !== 0) {
      assert.fail(`${MAIN_SOCKET} is world-accessible (mode ${(stat.mode & 0o777).toString(8)}); this test needs the usual root:docker 0660`);
    }
    // We are root, so the fault is produced honestly: the health check runs as uid/gid 65534
    // (nobody, not in the docker group) against the real engine socket. It runs from a bundle
    // in a temp folder: the checkout itself may be where nobody cannot read (a clone under /root).
    const healthModule = path.resolve(__dirname, '../../src/core/engine/health.js');
    const connectionModule = path.resolve(__dirname, '../../src/core/engine/connection.js');
    const code = `
      const { checkHealth } = require(${JSON.stringify(healthModule)});
      const { resolveEndpoint } = require(${JSON.stringify(connectionModule)});
      checkHealth(resolveEndpoint({ env: {}, home: '/nonexistent', systemSocket: ${JSON.stringify(MAIN_SOCKET)} }), { env: {} })
        .then((r) => process.stdout.write(JSON.stringify(r)));
    `;
    const run = runAsNobody({ code, resolveDir: path.dirname(healthModule) });
    assert.equal(run.status, 0, run.stderr);
    const out = run.stdout;
    const report = JSON.parse(out) as HealthReport;
    assert.equal(report.problem, 'permission-denied');
    assert.equal(report.message, `Permission denied on ${MAIN_SOCKET}: your user may not use the Docker socket.`);
    assert.equal(report.fixes[0]?.command, 'sudo usermod -aG docker $USER');
  });

  it('unreachable: an engine that accepts but never answers hits the deadline', async function () {
    const sock = path.join(os.tmpdir(), `cl-test-hang-health-${process.pid}.sock`);
    fs.rmSync(sock, { force: true });
    const held: net.Socket[] = [];
    const server = net.createServer((s) => held.push(s));
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const report = await checkHealth(resolveEndpoint({ override: `unix://${sock}` }), { timeoutMs: 400, env: {} });
      assert.equal(report.problem, 'unreachable');
      assert.equal(report.message, `The Docker Engine at unix://${sock} did not answer within 0.4 s. It may be starting, overloaded or behind a firewall.`);
      // How soon it gives up is the benchmark's business; that it gives up at its deadline is the message above.
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });

  it('too old: an engine reporting API 1.39 (the real engine, its /version rewritten by a relay)', async function () {
    // A relay in front of the real engine that rewrites only the ApiVersion of /version:
    // the one way to meet a pre-19.03 engine on this machine.
    const sock = path.join(os.tmpdir(), `cl-test-old-${process.pid}.sock`);
    fs.rmSync(sock, { force: true });
    const server = http.createServer((req, res) => {
      const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          let body = Buffer.concat(chunks).toString();
          if (/\/version$/.test(req.url ?? '')) {
            const json = JSON.parse(body) as Record<string, unknown>;
            json.ApiVersion = '1.39';
            json.Version = '18.09.9';
            body = JSON.stringify(json);
          }
          res.writeHead(up.statusCode ?? 500, { 'Content-Type': 'application/json' });
          res.end(body);
        });
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const report = await checkHealth(resolveEndpoint({ override: `unix://${sock}` }), { env: {} });
      assert.equal(report.problem, 'too-old');
      assert.equal(report.apiVersion, '1.39');
      assert.equal(report.message, `The Docker Engine at unix://${sock} is too old: version 18.09.9 speaks API 1.39; Container Labs needs API 1.40 (Docker 19.03) or newer.`);
    } finally {
      server.close();
    }
  });

  it('a malformed engine address is reported, with the fix', async function () {
    const report = await checkHealth(resolveEndpoint({ env: { DOCKER_HOST: 'ftp://example.org' } }), { env: {} });
    assert.equal(report.problem, 'unreachable');
    assert.ok(report.message.includes('unsupported scheme ftp://'));
    assert.ok(report.fixes.some((f) => f.command === 'unset DOCKER_HOST'));
  });

  it('TLS wanted but DOCKER_CERT_PATH missing: tls-files, said before any connection (the engine need not exist)', async function () {
    const port = await freePort();
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/cl-test-certs' };
    const report = await checkHealth(resolveEndpoint({ env }), { env });
    assert.equal(report.problem, 'tls-files');
    assert.equal(report.message, `TLS is on for tcp://127.0.0.1:${port}, but DOCKER_CERT_PATH (/nonexistent/cl-test-certs) does not exist, so there are no certificates to use.`);
  });

  it('compareApiVersions compares numerically', function () {
    assert.ok(compareApiVersions('1.9', '1.40') < 0);
    assert.ok(compareApiVersions('1.41', '1.40') > 0);
    assert.equal(compareApiVersions('1.40', '1.40'), 0);
  });
});
