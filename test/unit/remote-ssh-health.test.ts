/**
 * A remote engine over ssh, for real: the unit-ssh lane of npm test runs these against the sshd
 * of scripts/lib/sshd.mjs (DOCKER_HOST=ssh://root@127.0.0.1:PORT, its key in an ssh-agent, its
 * own ssh_config through the `ssh` first on PATH), whose run folder also holds the wrong client
 * sides: ssh_config-unknown-host (an empty known_hosts), -refused (a key sshd does not know),
 * -no-docker (a key whose sessions find no docker). The product runs ssh the way the docker CLI
 * does, so each case is asked of the docker CLI too, which must fail (or answer) the same way.
 *
 *   node scripts/test-hosts.mjs ssh -- node node_modules/mocha/bin/mocha.js out/test/unit/remote-ssh-health.test.js
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName, createDocker, resolveEndpoint } from '../../src/core/engine/connection';
import { checkHealth } from '../../src/core/engine/health';
import { evaluateCheck } from '../../src/core/checks/evaluate';
import { ensureBusybox } from '../support/engine';
import { freePort } from '../support/ports';
import { dockerCli, envWith, health } from '../support/remote';
import { uniqueName } from '../support/run';
import { waitFor } from '../support/wait';
import { HTTPD_SCRIPT, Resources } from './checks-fixture';

/** The lane's ssh host, or a clear error when these tests run outside it. */
function sshHost(): { url: string; port: number; dir: string } {
  const url = process.env.DOCKER_HOST ?? '';
  const dir = process.env.CONTAINER_LABS_TEST_SSH_DIR ?? '';
  const m = /^ssh:\/\/root@127\.0\.0\.1:(\d+)$/.exec(url);
  if (!m || !dir || !fs.existsSync(path.join(dir, 'ssh_config-refused'))) {
    throw new Error('these tests need the ssh test host: they run in the unit-ssh lane of npm test, or under `node scripts/test-hosts.mjs ssh -- ...`');
  }
  return { url, port: Number(m[1]), dir };
}

describe('remote engine over ssh (sshd on loopback, a key made for this run)', function () {
  this.timeout(120_000);
  let host: ReturnType<typeof sshHost>;
  const variant = (name: string): NodeJS.ProcessEnv => envWith({ CL_TEST_SSH_CONFIG: path.join(host.dir, `ssh_config-${name}`) });

  before(function () {
    host = sshHost();
  });

  it('answers through the agent\'s key: the engine, the ssh user, where ports answer', async function () {
    const report = await health(process.env);
    assert.equal(report.ok, true, report.message);
    assert.match(report.message, new RegExp(`^Docker Engine \\S+ \\(API 1\\.\\d+\\) answers at ${host.url} \\(DOCKER_HOST\\)\\.$`));
    assert.equal(report.user, 'root on 127.0.0.1 (ssh)');
    assert.equal(report.endpoint.publishedHost, '127.0.0.1');
    assert.equal(dockerCli(process.env).code, 0);
  });

  it('a host alias of the ssh configuration: ssh resolves it, and published ports are probed on its real address', async function () {
    const env = envWith({ DOCKER_HOST: 'ssh://cl-test-engine' });
    const endpoint = resolveEndpoint({ env });
    assert.equal(endpoint.description, `ssh://cl-test-engine → root@127.0.0.2:${host.port} (DOCKER_HOST)`);
    assert.equal(endpoint.publishedHost, '127.0.0.2');
    const report = await checkHealth(endpoint, { env });
    assert.equal(report.ok, true, report.message);
    assert.equal(report.user, 'root on 127.0.0.2 (ssh)');
    assert.equal(dockerCli(env).code, 0);
    // A server published on the engine's host answers an http check there: at 127.0.0.2,
    // the alias's address, which nothing would have tried by chance.
    const docker = createDocker(endpoint, { env });
    await ensureBusybox(docker);
    const port = await freePort();
    const res = new Resources(docker);
    try {
      const { name, startError } = await res.run({
        Cmd: ['sh', '-c', HTTPD_SCRIPT],
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
      });
      assert.equal(startError, undefined);
      const check = { http: { container: { name }, containerPort: 80, bodyContains: 'hello from cl-test' } };
      let reason = '';
      await waitFor('the http check to pass at the alias\'s address', async () => {
        const r = await evaluateCheck(check, { docker, endpoint, since: 0, timeoutMs: 10_000 });
        reason = r.reason;
        return r.status === 'passed';
      }, 60_000, 500);
      assert.equal(reason, `GET http://127.0.0.2:${port}/ answered 200 (OK) with a body that contains "hello from cl-test"`);
    } finally {
      await res.cleanup();
    }
  });

  it('an unknown host key: ssh-host-key, connect once in a terminal and compare the fingerprint', async function () {
    const env = variant('unknown-host');
    const report = await health(env);
    assert.equal(report.problem, 'ssh-host-key');
    assert.equal(
      report.message,
      `The host key of 127.0.0.1 (port ${host.port}) is not in your known_hosts, so ssh will not connect without asking, and nothing here can answer. ssh said: "No ED25519 host key is known for [127.0.0.1]:${host.port} and you have requested strict checking. Host key verification failed."`,
    );
    assert.deepEqual(report.fixes.map((f) => f.command), [`ssh -p ${host.port} root@127.0.0.1 true`]);
    const cli = dockerCli(env);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /Host key verification failed/);
  });

  it('a key the host refuses: ssh-auth, with the agent and ssh-copy-id', async function () {
    const env = variant('refused');
    const report = await health(env);
    assert.equal(report.problem, 'ssh-auth');
    assert.equal(
      report.message,
      '127.0.0.1 refused every key ssh offered for root@127.0.0.1. ssh said: "root@127.0.0.1: Permission denied (publickey)." Container Labs (like the docker CLI) needs a key: in your ssh-agent or named in ~/.ssh/config; it cannot type a password.',
    );
    assert.deepEqual(report.fixes.map((f) => f.command), ['ssh-add -l', 'ssh-add ~/.ssh/id_ed25519', `ssh-copy-id -p ${host.port} root@127.0.0.1`]);
    assert.match(dockerCli(env).stderr, /Permission denied \(publickey\)/);
  });

  it('no docker on the remote host: ssh-no-docker, ssh itself works', async function () {
    const env = variant('no-docker');
    const report = await health(env);
    assert.equal(report.problem, 'ssh-no-docker');
    assert.match(report.message, /^ssh to root@127\.0\.0\.1 works, but there is no docker command there \(in the PATH of a non-interactive ssh session\)\. ssh said: ".*docker: (?:command )?not found"$/);
    assert.match(dockerCli(env).stderr, /docker: (?:command )?not found/);
  });

  it('kept-alive ssh connections serve many requests: each request\'s timeout listener is taken off again', async function () {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const docker = createDocker(resolveEndpoint({ env: process.env }));
      for (let i = 0; i < 15; i++) await docker.ping();
      // Node warns once an emitter has more than 10 listeners of one event: 15 requests on one
      // kept-alive connection would pile up 15 if setTimeout(0, listener) did not remove it.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.map((w) => w.name), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('sshd not listening: ssh-unreachable with ssh\'s own words', async function () {
    const port = await freePort();
    const url = `ssh://root@127.0.0.1:${port}`;
    const report = await health(envWith({ DOCKER_HOST: url }));
    assert.equal(report.problem, 'ssh-unreachable');
    assert.equal(report.message, `The SSH connection to ${url} did not get through: the connection was refused: no sshd listens there. ssh said: "ssh: connect to host 127.0.0.1 port ${port}: Connection refused"`);
  });

  it('a docker context of the ssh kind: its name and user in the report, and the docker CLI agrees', async function () {
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-docker-config-'));
    const name = uniqueName('ssh-context');
    try {
      const id = contextDirName(name);
      fs.mkdirSync(path.join(config, 'contexts', 'meta', id), { recursive: true });
      fs.writeFileSync(path.join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host.url, SkipTLSVerify: false } } }));
      fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: name }));
      const env = envWith({ DOCKER_HOST: undefined, DOCKER_CONFIG: config });
      const report = await health(env);
      assert.equal(report.ok, true, report.message);
      assert.equal(report.context, name);
      assert.equal(report.endpoint.source, `context "${name}" (currentContext in ${path.join(config, 'config.json')})`);
      assert.equal(report.user, 'root on 127.0.0.1 (ssh)');
      assert.equal(dockerCli(env).code, 0, dockerCli(env).stderr);
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
});
