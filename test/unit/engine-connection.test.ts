/**
 * Endpoint resolution like the docker CLI, with a temporary HOME and real context files,
 * and clients built from the result talking to the real engine (unix and tcp).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { contextDirName, createDocker, MAX_API_VERSION, compareApiVersions, resolveEndpoint } from '../../src/core/engine/connection';
import { checkHealth } from '../../src/core/engine/health';
import { sshArgs } from '../../src/core/engine/ssh';
import { MAIN_SOCKET } from '../support/engine';
import { uniqueName } from '../support/run';

describe('engine: resolveEndpoint', function () {
  let home = '';
  const missingSystemSocket = '/tmp/cl-test-no-system.sock';

  beforeEach(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-home-'));
  });

  afterEach(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  function writeContext(name: string, host: string, opts: { tls?: boolean; skipVerify?: boolean; configDir?: string } = {}): string {
    const configDir = opts.configDir ?? path.join(home, '.docker');
    const id = contextDirName(name);
    const metaDir = path.join(configDir, 'contexts', 'meta', id);
    fs.mkdirSync(metaDir, { recursive: true });
    const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipVerify === true } } };
    fs.writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify(meta));
    if (opts.tls) {
      const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
      fs.mkdirSync(tlsDir, { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(tlsDir, f), 'pem');
    }
    return id;
  }

  function setCurrentContext(name: string): void {
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
  }

  it('the context directory is the sha256 of the name, as docker names it', function () {
    assert.equal(contextDirName('default'), '37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f');
  });

  it('defaults to the system socket when it exists', function () {
    const e = resolveEndpoint({ env: {}, home, systemSocket: MAIN_SOCKET });
    assert.equal(e.kind, 'unix');
    assert.equal(e.socketPath, MAIN_SOCKET);
    assert.equal(e.source, 'default socket');
    assert.equal(e.publishedHost, '127.0.0.1');
    assert.equal(e.description, `unix://${MAIN_SOCKET} (default socket)`);
  });

  it('falls back to Docker Desktop, then the rootless socket, then the system path', function () {
    const runtime = path.join(home, 'run-user');
    fs.mkdirSync(runtime);
    fs.writeFileSync(path.join(runtime, 'docker.sock'), '');
    const rootless = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtime }, home, systemSocket: missingSystemSocket });
    assert.equal(rootless.socketPath, path.join(runtime, 'docker.sock'));
    assert.equal(rootless.source, 'rootless socket');

    fs.mkdirSync(path.join(home, '.docker', 'run'), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'run', 'docker.sock'), '');
    const desktop = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtime }, home, systemSocket: missingSystemSocket });
    assert.equal(desktop.socketPath, path.join(home, '.docker', 'run', 'docker.sock'));
    assert.equal(desktop.source, 'Docker Desktop socket');

    const none = resolveEndpoint({ env: {}, home: path.join(home, 'empty'), systemSocket: missingSystemSocket });
    assert.equal(none.socketPath, missingSystemSocket);
    assert.equal(none.source, 'default socket');
  });

  it('DOCKER_HOST unix:// and tcp:// (plain HTTP on 2375)', function () {
    const unix = resolveEndpoint({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, home });
    assert.deepEqual([unix.kind, unix.socketPath, unix.source, unix.publishedHost], ['unix', '/run/user/1000/docker.sock', 'DOCKER_HOST', '127.0.0.1']);
    const tcp = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://10.1.2.3' }, home });
    assert.deepEqual([tcp.kind, tcp.host, tcp.port, tcp.tls, tcp.publishedHost, tcp.url], ['tcp', '10.1.2.3', 2375, undefined, '10.1.2.3', 'tcp://10.1.2.3:2375']);
  });

  it('DOCKER_HOST tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', function () {
    const certs = path.join(home, 'certs');
    fs.mkdirSync(certs);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, f), 'pem');
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://docker.example.org', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, home });
    assert.equal(e.port, 2376);
    assert.deepEqual(e.tls, { verify: true, caFile: path.join(certs, 'ca.pem'), certFile: path.join(certs, 'cert.pem'), keyFile: path.join(certs, 'key.pem') });
    assert.equal(e.publishedHost, 'docker.example.org');
    assert.equal(e.description, 'tcp://docker.example.org:2376 with TLS (DOCKER_HOST)');
  });

  it('DOCKER_HOST ssh://user@host publishes ports on that host', function () {
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'ssh://student@lab.example.org:2222' }, home });
    assert.deepEqual([e.kind, e.username, e.host, e.port, e.publishedHost], ['ssh', 'student', 'lab.example.org', 2222, 'lab.example.org']);
  });

  it('ssh:// without a port leaves it to ssh\'s configuration, and runs what the docker CLI runs (plus BatchMode)', function () {
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'ssh://student@lab.example.org' }, home });
    assert.equal(e.port, undefined);
    assert.equal(e.url, 'ssh://student@lab.example.org');
    assert.deepEqual(sshArgs({ host: e.host ?? '', port: e.port, username: e.username, socketPath: e.socketPath }), [
      '-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', 'student', '--', 'lab.example.org', 'docker', 'system', 'dial-stdio',
    ]);
  });

  it('ssh:// with a path names the remote engine\'s socket (a rootless engine there)', function () {
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'ssh://student@lab.example.org:2222/run/user/1000/docker.sock' }, home });
    assert.equal(e.socketPath, '/run/user/1000/docker.sock');
    assert.deepEqual(sshArgs({ host: e.host ?? '', port: e.port, username: e.username, socketPath: e.socketPath }), [
      '-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', 'student', '-p', '2222', '--', 'lab.example.org', 'docker', '--host', 'unix:///run/user/1000/docker.sock', 'system', 'dial-stdio',
    ]);
  });

  it('Podman\'s sockets after Docker\'s: rootless, then podman machine\'s; their endpoints say they are Podman\'s', function () {
    const runtime = path.join(home, 'run-user');
    const machine = path.join(home, '.local', 'share', 'containers', 'podman', 'machine', 'qemu');
    fs.mkdirSync(path.join(runtime, 'podman'), { recursive: true });
    fs.mkdirSync(machine, { recursive: true });
    fs.writeFileSync(path.join(machine, 'podman.sock'), '');
    const fromMachine = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtime }, home, systemSocket: missingSystemSocket });
    assert.deepEqual([fromMachine.socketPath, fromMachine.source, fromMachine.engineHint], [path.join(machine, 'podman.sock'), 'Podman machine socket', 'podman']);
    fs.writeFileSync(path.join(runtime, 'podman', 'podman.sock'), '');
    const rootless = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtime }, home, systemSocket: missingSystemSocket });
    assert.deepEqual([rootless.socketPath, rootless.source], [path.join(runtime, 'podman', 'podman.sock'), 'Podman socket (rootless)']);
    fs.writeFileSync(path.join(runtime, 'docker.sock'), '');
    const docker = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtime }, home, systemSocket: missingSystemSocket });
    assert.deepEqual([docker.source, docker.engineHint], ['rootless socket', undefined]);
    assert.equal(resolveEndpoint({ env: { DOCKER_HOST: 'unix:///run/podman/podman.sock' }, home }).engineHint, 'podman');
  });

  it('an explicit override wins over DOCKER_HOST, which wins over DOCKER_CONTEXT', function () {
    writeContext('remote', 'tcp://192.0.2.10:2375');
    const env = { DOCKER_HOST: 'tcp://10.9.9.9:2375', DOCKER_CONTEXT: 'remote' };
    assert.equal(resolveEndpoint({ override: 'unix:///tmp/x.sock', env, home }).socketPath, '/tmp/x.sock');
    assert.equal(resolveEndpoint({ override: 'unix:///tmp/x.sock', env, home }).source, 'setting');
    assert.equal(resolveEndpoint({ env, home }).host, '10.9.9.9');
    assert.equal(resolveEndpoint({ override: '  ', env: { DOCKER_CONTEXT: 'remote' }, home }).host, '192.0.2.10');
  });

  it('DOCKER_CONTEXT reads the context metadata and its TLS material', function () {
    writeContext('secure', 'tcp://192.0.2.20:2376', { tls: true });
    const e = resolveEndpoint({ env: { DOCKER_CONTEXT: 'secure' }, home });
    const tlsDir = path.join(home, '.docker', 'contexts', 'tls', contextDirName('secure'), 'docker');
    assert.equal(e.contextName, 'secure');
    assert.equal(e.source, 'context "secure" (DOCKER_CONTEXT)');
    assert.deepEqual(e.tls, { verify: true, caFile: path.join(tlsDir, 'ca.pem'), certFile: path.join(tlsDir, 'cert.pem'), keyFile: path.join(tlsDir, 'key.pem') });
    assert.equal(e.publishedHost, '192.0.2.20');
    assert.equal(e.contextError, undefined);
  });

  it('currentContext in config.json (and DOCKER_CONFIG moves the whole directory)', function () {
    writeContext('desktop-linux', `unix://${home}/.docker/desktop/docker.sock`);
    setCurrentContext('desktop-linux');
    const e = resolveEndpoint({ env: {}, home });
    assert.equal(e.socketPath, `${home}/.docker/desktop/docker.sock`);
    assert.equal(e.source, `context "desktop-linux" (currentContext in ${path.join(home, '.docker', 'config.json')})`);

    const elsewhere = path.join(home, 'other-config');
    writeContext('ci', 'ssh://ci@192.0.2.30', { configDir: elsewhere });
    fs.writeFileSync(path.join(elsewhere, 'config.json'), JSON.stringify({ currentContext: 'ci' }));
    const moved = resolveEndpoint({ env: { DOCKER_CONFIG: elsewhere }, home });
    assert.deepEqual([moved.kind, moved.host, moved.username], ['ssh', '192.0.2.30', 'ci']);
  });

  it('the "default" context is the default socket', function () {
    setCurrentContext('default');
    const e = resolveEndpoint({ env: {}, home, systemSocket: MAIN_SOCKET });
    assert.equal(e.socketPath, MAIN_SOCKET);
    assert.equal(e.contextError, undefined);
  });

  it('a context that does not exist is reported, with the default socket as fallback', function () {
    const e = resolveEndpoint({ env: { DOCKER_CONTEXT: 'gone' }, home, systemSocket: MAIN_SOCKET });
    assert.equal(e.socketPath, MAIN_SOCKET);
    assert.equal(e.contextName, 'gone');
    assert.ok(e.contextError?.startsWith('no context named "gone" exists (looked for '), e.contextError);
    fs.mkdirSync(path.join(home, '.docker', 'contexts', 'meta', contextDirName('broken')), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'contexts', 'meta', contextDirName('broken'), 'meta.json'), '{not json');
    const broken = resolveEndpoint({ env: { DOCKER_CONTEXT: 'broken' }, home });
    assert.ok(broken.contextError?.startsWith('the metadata of context "broken" is not valid JSON'), broken.contextError);
  });

  it('a DOCKER_HOST that is not a docker host is reported, not thrown', function () {
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'ftp://example.org' }, home, systemSocket: MAIN_SOCKET });
    assert.equal(e.socketPath, MAIN_SOCKET);
    assert.equal(e.hostError, 'DOCKER_HOST: "ftp://example.org" uses the unsupported scheme ftp:// (expected unix, tcp or ssh)');
  });
});

describe('engine: createDocker talks to the real engine', function () {
  this.timeout(20_000);

  it('over the unix socket', async function () {
    const docker = createDocker(resolveEndpoint({ env: {}, systemSocket: MAIN_SOCKET }), { timeoutMs: 5000 });
    const version = await docker.version();
    assert.match(version.ApiVersion, /^1\.\d+$/);
  });

  it('the endpoint alone decides: DOCKER_HOST and DOCKER_CERT_PATH in the environment do not leak into an explicit socket\'s client', async function () {
    // docker-modem reads both on every client it makes: DOCKER_HOST's host used to win over the
    // socket path, and DOCKER_CERT_PATH's files were read (ENOENT) whether TLS was wanted or not.
    const saved = { host: process.env.DOCKER_HOST, certs: process.env.DOCKER_CERT_PATH };
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    process.env.DOCKER_CERT_PATH = '/nonexistent/cl-test-certs';
    let docker;
    try {
      docker = createDocker(resolveEndpoint({ override: `unix://${MAIN_SOCKET}` }), { timeoutMs: 5000 });
    } finally {
      for (const [key, value] of [['DOCKER_HOST', saved.host], ['DOCKER_CERT_PATH', saved.certs]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    assert.equal(await docker.ping().then(String), 'OK');
  });

  it('speaks the API version both sides know once the health check has seen the engine\'s', async function () {
    const paths: string[] = [];
    const sock = path.join(os.tmpdir(), `cl-test-api-${process.pid}.sock`);
    fs.rmSync(sock, { force: true });
    const relay = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => relay.listen(sock, resolve));
    try {
      const endpoint = resolveEndpoint({ override: `unix://${sock}` });
      const docker = createDocker(endpoint, { timeoutMs: 5000 });
      await docker.ping();
      assert.equal(paths.at(-1), '/_ping', 'unversioned before the engine\'s version is known');
      const report = await checkHealth(endpoint, { docker, env: {} });
      const engineApi = report.apiVersion ?? '';
      const expected = compareApiVersions(engineApi, MAX_API_VERSION) < 0 ? engineApi : MAX_API_VERSION;
      assert.equal(report.clientApiVersion, expected);
      await docker.listContainers({ limit: 1 });
      assert.match(paths.at(-1) ?? '', new RegExp(`^/v${expected.replace('.', '\\.')}/containers/json`));
    } finally {
      relay.close();
      fs.rmSync(sock, { force: true });
    }
  });

  /**
   * A relay in front of the real engine that counts connections and the requests on each, and
   * (with `dropReused`) drops a connection when a second request comes on it: the moment an
   * engine that closes idle connections (Podman's service does) closes one as a request is
   * written on it.
   */
  async function withRelay(dropReused: boolean, body: (socketPath: string, seen: { connections: number; dropped: number; methods: string[] }) => Promise<void>): Promise<void> {
    const sock = path.join(os.tmpdir(), `cl-test-relay-${process.pid}-${String(dropReused)}.sock`);
    fs.rmSync(sock, { force: true });
    const served = new WeakSet<net.Socket>();
    const seen = { connections: 0, dropped: 0, methods: [] as string[] };
    const relay = http.createServer((req, res) => {
      if (dropReused && served.has(req.socket)) {
        seen.dropped += 1;
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      seen.methods.push(req.method ?? '');
      const upstream = http.request({ socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: { ...req.headers, connection: 'close' } }, (up) => {
        res.writeHead(up.statusCode ?? 500, { ...up.headers, connection: 'keep-alive' });
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    relay.on('connection', () => {
      seen.connections += 1;
    });
    await new Promise<void>((resolve) => relay.listen(sock, resolve));
    try {
      await body(sock, seen);
    } finally {
      relay.closeAllConnections();
      relay.close();
      fs.rmSync(sock, { force: true });
    }
  }

  it('reads share one kept connection; anything else gets a connection of its own', async () => {
    await withRelay(false, async (sock, seen) => {
      const docker = createDocker(resolveEndpoint({ override: `unix://${sock}` }), { timeoutMs: 5000 });
      for (let i = 0; i < 5; i += 1) assert.match((await docker.version()).ApiVersion, /^1\.\d+$/);
      assert.equal(seen.connections, 1, 'five reads one after the other went on one connection');
      // A write that changes nothing: starting a container that does not exist (404).
      const missing = docker.getContainer(uniqueName('no-such-container'));
      for (let i = 0; i < 3; i += 1) await assert.rejects(missing.start(), (e: { statusCode?: number }) => e.statusCode === 404);
      assert.equal(seen.connections, 4, 'each of the three writes had a connection of its own');
      assert.deepEqual(seen.methods, ['GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST']);
    });
  });

  it('an engine that drops a kept connection as a read arrives on it fails no request: the read is sent again on a new one', async () => {
    await withRelay(true, async (sock, seen) => {
      const docker = createDocker(resolveEndpoint({ override: `unix://${sock}` }), { timeoutMs: 5000 });
      for (let i = 0; i < 4; i += 1) assert.match((await docker.version()).ApiVersion, /^1\.\d+$/);
      assert.ok(seen.dropped >= 1, 'a read went on a kept connection, and the relay dropped it');
      assert.equal(seen.methods.length, 4, 'every read was answered once');
    });
  });

  it('over tcp:// (a loopback TCP listener relaying to the engine socket)', async function () {
    const server = net.createServer((client) => {
      const upstream = net.connect(MAIN_SOCKET);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const endpoint = resolveEndpoint({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
      assert.equal(endpoint.publishedHost, '127.0.0.1');
      const docker = createDocker(endpoint, { timeoutMs: 5000 });
      const info = await docker.version();
      assert.match(info.Version, /\d+\.\d+/);
    } finally {
      server.close();
    }
  });
});
