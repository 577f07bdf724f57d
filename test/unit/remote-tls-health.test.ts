/**
 * A remote engine over TLS, for real: the unit-tls lane of npm test runs these against the
 * stunnel4 endpoint of scripts/lib/tls.mjs (DOCKER_HOST=tcp://127.0.0.1:PORT, DOCKER_TLS_VERIFY=1,
 * DOCKER_CERT_PATH=<run folder>/certs), whose run folder also holds the wrong client sides:
 * certs-other-ca, certs-no-client, certs-mismatch. Each misconfiguration gets its report with
 * its fix; the docker CLI is asked the same where it tells (it fails too, or answers too).
 *
 *   node scripts/test-hosts.mjs tls -- node node_modules/mocha/bin/mocha.js out/test/unit/remote-tls-health.test.js
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName } from '../../src/core/engine/connection';
import { MAIN_SOCKET } from '../support/engine';
import { freePort } from '../support/ports';
import { dockerCli, envWith, health } from '../support/remote';
import { uniqueName } from '../support/run';

const cli = path.resolve(__dirname, '../../../dist/cli.js');

/** The lane's TLS endpoint, or a clear error when these tests run outside it. */
function tlsHost(): { url: string; port: number; certs: string; dir: string } {
  const url = process.env.DOCKER_HOST ?? '';
  const certs = process.env.DOCKER_CERT_PATH ?? '';
  const m = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(url);
  if (!m || process.env.DOCKER_TLS_VERIFY !== '1' || !fs.existsSync(path.join(path.dirname(certs), 'certs-other-ca'))) {
    throw new Error('these tests need the TLS test host: they run in the unit-tls lane of npm test, or under `node scripts/test-hosts.mjs tls -- ...`');
  }
  return { url, port: Number(m[1]), certs, dir: path.dirname(certs) };
}

describe('remote engine over TLS (stunnel4, certificates made for this run)', function () {
  this.timeout(60_000);
  let host: ReturnType<typeof tlsHost>;

  before(function () {
    host = tlsHost();
  });

  it('answers with the right certificates: the engine, who we are (the client certificate) and where ports answer', async function () {
    const report = await health(process.env);
    assert.equal(report.ok, true, report.message);
    assert.match(report.message, new RegExp(`^Docker Engine \\S+ \\(API 1\\.\\d+\\) answers at ${host.url} with TLS \\(DOCKER_HOST\\)\\.$`));
    assert.equal(report.engine?.product, 'Docker Engine');
    assert.equal(report.user, 'the client certificate CN=container-labs-student');
    assert.equal(report.endpoint.publishedHost, '127.0.0.1');
    assert.equal(report.clientApiVersion, report.apiVersion);
    assert.equal(dockerCli(process.env).code, 0);
  });

  it('a CA of another engine: tls-untrusted, with how to get the right ca.pem', async function () {
    const certs = path.join(host.dir, 'certs-other-ca');
    const report = await health(envWith({ DOCKER_CERT_PATH: certs }));
    assert.equal(report.problem, 'tls-untrusted');
    assert.equal(report.message, `The engine at ${host.url} showed a certificate that ca.pem in ${certs} does not vouch for (unknown CA: SELF_SIGNED_CERT_IN_CHAIN). This ca.pem belongs to another engine, or someone is in between.`);
    assert.deepEqual(report.fixes.map((f) => f.command ?? f.title), [
      `Get this engine's ca.pem from your instructor or the engine's admin, and put it in ${certs}`,
      `openssl s_client -connect 127.0.0.1:${host.port} -showcerts </dev/null`,
    ]);
    assert.match(dockerCli(envWith({ DOCKER_CERT_PATH: certs })).stderr, /certificate signed by unknown authority/);
  });

  it('a DOCKER_CERT_PATH that does not exist: tls-files, found before connecting', async function () {
    const missing = path.join(host.dir, 'no-such-folder');
    const report = await health(envWith({ DOCKER_CERT_PATH: missing }));
    assert.equal(report.problem, 'tls-files');
    assert.equal(report.message, `TLS is on for ${host.url}, but DOCKER_CERT_PATH (${missing}) does not exist, so there are no certificates to use.`);
    assert.equal(report.fixes[0]?.command, 'export DOCKER_CERT_PATH=/path/to/certs');
  });

  it('the issue\'s case through the CLI: a folder without certificates gives the report and exit 2, not ENOENT', function () {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-nocerts-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'health'], { env: envWith({ DOCKER_CERT_PATH: empty }), encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, '');
      const first = r.stdout.split('\n')[0];
      assert.equal(first, `error: TLS is on for ${host.url}, but ca.pem, cert.pem and key.pem are missing from DOCKER_CERT_PATH (${empty}).`);
      assert.doesNotMatch(r.stdout, /ENOENT|\n {4}at /);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('plain HTTP sent to the TLS port: tls-expected, turn TLS on', async function () {
    const report = await health(envWith({ DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: undefined }));
    assert.equal(report.problem, 'tls-expected');
    assert.equal(report.message, `The engine at ${host.url} closed the connection on plain HTTP: that port speaks TLS. Turn TLS on and give the certificates.`);
    assert.deepEqual(report.fixes.map((f) => f.command), ['export DOCKER_TLS_VERIFY=1', 'export DOCKER_CERT_PATH=/path/to/certs']);
  });

  it('no client certificate (verification off): the engine refuses, tls-client-refused', async function () {
    const certs = path.join(host.dir, 'certs-no-client');
    const report = await health(envWith({ DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: certs }));
    assert.equal(report.problem, 'tls-client-refused');
    assert.equal(report.message, `The engine at ${host.url} wants a client certificate, and ${certs} has none (cert.pem, key.pem).`);
  });

  it('a client certificate of another CA: the engine refuses it, tls-client-refused', async function () {
    const certs = path.join(host.dir, 'certs-other-ca');
    const report = await health(envWith({ DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: certs }));
    assert.equal(report.problem, 'tls-client-refused');
    assert.equal(report.message, `The engine at ${host.url} refused the client certificate cert.pem in ${certs}: it is not signed by a CA that engine trusts.`);
  });

  it('cert.pem with someone else\'s key.pem: tls-files, they do not belong together', async function () {
    const certs = path.join(host.dir, 'certs-mismatch');
    const report = await health(envWith({ DOCKER_CERT_PATH: certs }));
    assert.equal(report.problem, 'tls-files');
    assert.equal(report.message, `cert.pem and key.pem in ${certs} do not belong together: the key is not the certificate's. Use the key that was made with that certificate.`);
  });

  it('TLS sent to a port that speaks plain HTTP: tls-unexpected', async function () {
    // A plain relay to the local engine's socket, on loopback: an engine on 2375 without TLS.
    const relay = net.createServer((client) => {
      const upstream = net.connect(MAIN_SOCKET);
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    try {
      const url = `tcp://127.0.0.1:${port}`;
      const report = await health(envWith({ DOCKER_HOST: url }));
      assert.equal(report.problem, 'tls-unexpected');
      assert.equal(report.message, `The engine at ${url} speaks plain HTTP, not TLS.`);
      assert.equal(report.fixes[0]?.command, 'unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH');
    } finally {
      relay.close();
    }
  });

  it('a docker context of the TLS kind: the context\'s own certificates, its name in the report, and the docker CLI agrees', async function () {
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-docker-config-'));
    const name = uniqueName('tls-context');
    try {
      const id = contextDirName(name);
      fs.mkdirSync(path.join(config, 'contexts', 'meta', id), { recursive: true });
      fs.writeFileSync(path.join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host.url, SkipTLSVerify: false } } }));
      const tlsDir = path.join(config, 'contexts', 'tls', id, 'docker');
      fs.mkdirSync(tlsDir, { recursive: true });
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.copyFileSync(path.join(host.certs, file), path.join(tlsDir, file));
      const env = envWith({ DOCKER_HOST: undefined, DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: undefined, DOCKER_CONFIG: config, DOCKER_CONTEXT: name });
      const report = await health(env);
      assert.equal(report.ok, true, report.message);
      assert.equal(report.context, name);
      assert.equal(report.endpoint.source, `context "${name}" (DOCKER_CONTEXT)`);
      assert.equal(report.user, 'the client certificate CN=container-labs-student');
      assert.equal(dockerCli(env).code, 0, dockerCli(env).stderr);
      // The same context with the other CA's certificate: refused the same way as DOCKER_CERT_PATH.
      fs.copyFileSync(path.join(host.dir, 'certs-other-ca', 'ca.pem'), path.join(tlsDir, 'ca.pem'));
      assert.equal((await health(env)).problem, 'tls-untrusted');
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
});
