/**
 * The lesson's fixture images (scripts/images.mjs) against the real engine: they exist under
 * the labs' names, carry the fixture label (or were there before us and were left alone), and
 * behave the way the labs rely on: hello-world greets and exits 0, alpine runs commands,
 * Jupyter answers /api with a token URL in its logs, the RStudio stand-in honours PASSWORD and
 * DISABLE_AUTH, the registry accepts a push. Every container, network and tag has a name of this
 * run (test/support/run.ts) and its label, and is removed afterwards; host ports come from freePort.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import Dockerode from 'dockerode';
import { freePort } from '../support/ports';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';
import { FIXTURE_LABEL, runImagesCli } from './images-support';

const LABEL = FIXTURE_LABEL;
const IMAGES = ['alpine:latest', 'hello-world:latest', 'jupyter/base-notebook:latest', 'rocker/rstudio:latest', 'registry:2'];

const docker = new Dockerode({ timeout: 60_000 });


interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request (no redirects followed), with a deadline. */
function request(url: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const allHeaders = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = http.request(url, { method, headers: allHeaders, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls `probe` until it resolves a value (not undefined) or the deadline passes. */
async function waitFor<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`${what}: not ready within ${deadlineMs} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Splits the engine's multiplexed log stream (no TTY) into stdout and stderr text. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const chunk = buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    if (stream === 2) stderr += chunk;
    else stdout += chunk;
    offset += 8 + size;
  }
  return { stdout, stderr };
}

async function logsOf(container: Dockerode.Container): Promise<{ stdout: string; stderr: string }> {
  const raw: unknown = await container.logs({ stdout: true, stderr: true, follow: false });
  return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
}

function withDeadline<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Containers and tags made by this file; all removed in after(). */
const created = { containers: new Set<string>(), tags: new Set<string>() };

/**
 * The containers join a user-defined bridge network of their own rather than the default
 * bridge: a second dockerd started elsewhere with `--bridge=none` deletes docker0, and that
 * must not make these tests fail. Port publishing works the same on either network.
 */
const NETWORK = uniqueName('images-net');

async function create(image: string, opts: { cmd?: string[]; env?: string[]; port?: { container: number; host: number } } = {}): Promise<Dockerode.Container> {
  const name = uniqueName(`images-${image.split(/[/:]/)[0] ?? 'c'}`);
  const container = await docker.createContainer({
    name,
    Image: image,
    Labels: { ...RUN_LABELS },
    Cmd: opts.cmd,
    Env: opts.env,
    ExposedPorts: opts.port ? { [`${opts.port.container}/tcp`]: {} } : undefined,
    HostConfig: {
      NetworkMode: NETWORK,
      PortBindings: opts.port ? { [`${opts.port.container}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(opts.port.host) }] } : undefined,
    },
  });
  created.containers.add(container.id);
  return container;
}

/** Runs a container to completion; resolves its exit code and output. */
async function runToExit(image: string, cmd?: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const container = await create(image, { cmd });
  await container.start();
  const result = (await withDeadline(`${image} to exit`, 30_000, container.wait())) as { StatusCode: number };
  const out = await logsOf(container);
  return { exitCode: result.StatusCode, ...out };
}

/** Starts a service container on a free host port; resolves it and its base URL. */
async function startService(image: string, containerPort: number, env: string[] = []): Promise<{ container: Dockerode.Container; url: string }> {
  const host = await freePort();
  const container = await create(image, { env, port: { container: containerPort, host } });
  await container.start();
  return { container, url: `http://127.0.0.1:${host}` };
}

/**
 * Sends a signal and waits for the container to exit; resolves its exit code. A server that
 * ignored the signal would never exit (nothing else stops it): the deadline names that.
 * How long it takes is the benchmark's figure; it is printed.
 */
async function signalAndWait(container: Dockerode.Container, signal: 'SIGTERM' | 'SIGINT'): Promise<{ exitCode: number }> {
  const t0 = Date.now();
  const waiting = container.wait() as Promise<{ StatusCode: number }>;
  await container.kill({ signal });
  const result = await withDeadline(`exit after ${signal} (the server ignores it)`, 30_000, waiting);
  console.log(`      ${signal} -> exited in ${Date.now() - t0} ms`);
  return { exitCode: result.StatusCode };
}

describe('fixture images (scripts/images.mjs)', function () {
  this.timeout(60_000);
  let checkOutput = '';

  before(async function () {
    await docker.createNetwork({ Name: NETWORK, Driver: 'bridge', Labels: { ...RUN_LABELS } });
    const check = await runImagesCli(['--check']);
    checkOutput = check.stdout;
    if (check.code !== 0) {
      throw new Error(`fixture images are missing; build them with \`node scripts/images.mjs\`.\n${check.stdout}${check.stderr}`);
    }
  });

  after(async function () {
    for (const id of created.containers) {
      await docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    await docker
      .getNetwork(NETWORK)
      .remove()
      .catch(() => undefined);
    for (const tag of created.tags) {
      await docker
        .getImage(tag)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
  });

  describe('the script', function () {
    it('--check reports every lesson image as present and exits 0', function () {
      for (const name of IMAGES) assert.match(checkOutput, new RegExp(`${name.replace(/[/.]/g, '\\$&')}: present`), `no "present" line for ${name}`);
    });

    it('each image exists, and the label says whether we built it, as --check reports', async function () {
      for (const name of IMAGES) {
        const info = await docker.getImage(name).inspect();
        const ours = info.Config.Labels?.[LABEL] === 'true';
        const line = checkOutput.split('\n').find((l) => l.includes(`${name}: present`)) ?? '';
        assert.equal(line.includes('fixture'), ours, `${name}: label ${ours ? 'present' : 'absent'} but --check said "${line}"`);
      }
    });

    it('leaves an image that exists alone (same id before and after a run)', async function () {
      const before = await docker.getImage('alpine:latest').inspect();
      const run = await runImagesCli(['--only', 'alpine']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /alpine:latest: present/);
      assert.doesNotMatch(run.stdout, /built in/);
      const after = await docker.getImage('alpine:latest').inspect();
      assert.equal(after.Id, before.Id);
    });

    it('refuses an unknown --only name with exit 1 and says which names exist', async function () {
      const run = await runImagesCli(['--check', '--only', 'cl-test-no-such-image']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /unknown image "cl-test-no-such-image".*alpine.*registry/);
    });
  });

  describe('hello-world and alpine', function () {
    it('hello-world prints a greeting that starts with "Hello from Docker!" and exits 0', async function () {
      const info = await docker.getImage('hello-world:latest').inspect();
      const { exitCode, stdout } = await runToExit('hello-world:latest');
      assert.equal(exitCode, 0);
      assert.match(stdout, /^\s*Hello from Docker!/);
      if (info.Config.Labels?.[LABEL] === 'true') {
        const lines = stdout.trim().split('\n');
        assert.equal(lines.length, 2, stdout);
        assert.match(lines[1] ?? '', /Container Labs offline stand-in/);
      }
    });

    it('alpine runs `ls -l /` and lists the usual top-level folders', async function () {
      const { exitCode, stdout } = await runToExit('alpine:latest', ['ls', '-l', '/']);
      assert.equal(exitCode, 0);
      for (const dir of ['bin', 'etc', 'tmp', 'root']) assert.match(stdout, new RegExp(` ${dir}\\n`), `no /${dir} in:\n${stdout}`);
    });

    it('alpine runs as root with a sticky, world-writable /tmp and its default command is a shell', async function () {
      const { exitCode, stdout } = await runToExit('alpine:latest', ['sh', '-c', 'id -un; stat -c %a /tmp; echo cl-$((6*7))']);
      assert.equal(exitCode, 0);
      assert.deepEqual(stdout.trim().split('\n'), ['root', '1777', 'cl-42']);
      const info = await docker.getImage('alpine:latest').inspect();
      assert.deepEqual(info.Config.Cmd, ['/bin/sh']);
    });
  });

  describe('jupyter/base-notebook', function () {
    it('answers GET /api, prints a token URL that works, and stops on SIGTERM', async function () {
      const { container, url } = await startService('jupyter/base-notebook:latest', 8888);
      const api = await waitFor('Jupyter /api', 30_000, async () => {
        const reply = await request(`${url}/api`);
        return reply.status === 200 ? reply : undefined;
      });
      const parsed = JSON.parse(api.body) as { version?: unknown };
      assert.equal(typeof parsed.version, 'string');
      assert.match(String(parsed.version), /^\d+\.\d+/);

      const logs = await logsOf(container);
      const token = /http:\/\/127\.0\.0\.1:8888\/\?token=([0-9a-f]+)/.exec(logs.stdout + logs.stderr)?.[1];
      assert.ok(token, `no token URL in the logs:\n${logs.stderr}`);
      assert.equal((await request(`${url}/api/status?token=${token}`)).status, 200);
      assert.equal((await request(`${url}/api/status`)).status, 403);

      // Exit code 0: the server itself handled SIGTERM (nothing else would stop it here).
      const stop = await signalAndWait(container, 'SIGTERM');
      assert.equal(stop.exitCode, 0);
    });

    it('stops on a single SIGINT when no TTY is attached (Ctrl+C through `docker run`)', async function () {
      const { container, url } = await startService('jupyter/base-notebook:latest', 8888);
      await waitFor('Jupyter /api', 30_000, async () => ((await request(`${url}/api`)).status === 200 ? true : undefined));
      const stop = await signalAndWait(container, 'SIGINT');
      assert.equal(stop.exitCode, 0);
      const logs = await logsOf(container);
      assert.match(logs.stderr, /Interrupted/);
    });
  });

  describe('rocker/rstudio', function () {
    async function signIn(url: string, username: string, password: string): Promise<HttpReply> {
      return request(`${url}/auth-do-sign-in`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      });
    }

    async function ready(url: string): Promise<HttpReply> {
      return waitFor('RStudio stand-in', 15_000, async () => request(`${url}/`));
    }

    it('with PASSWORD: / redirects to the sign-in page; a wrong password is refused, the right one opens the IDE', async function () {
      const { url } = await startService('rocker/rstudio:latest', 8787, ['PASSWORD=cl-test-pass']);
      const root = await ready(url);
      assert.equal(root.status, 302);
      assert.match(String(root.headers.location), /^\/auth-sign-in/);
      const page = await request(`${url}/auth-sign-in`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Sign in to RStudio/);

      const wrong = await signIn(url, 'rstudio', 'not-the-password');
      assert.equal(wrong.status, 302);
      assert.match(String(wrong.headers.location), /auth-sign-in\?error/);
      assert.equal(wrong.headers['set-cookie'], undefined);

      const right = await signIn(url, 'rstudio', 'cl-test-pass');
      assert.equal(right.status, 302);
      assert.equal(right.headers.location, '/');
      const cookie = (right.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
      assert.ok(cookie.length > 0, 'no session cookie after signing in');
      const ide = await request(`${url}/`, { headers: { Cookie: cookie } });
      assert.equal(ide.status, 200);
      assert.match(ide.body, /RStudio/);
    });

    it('with DISABLE_AUTH=true: / answers 200 with the RStudio page, no sign-in', async function () {
      const { url } = await startService('rocker/rstudio:latest', 8787, ['DISABLE_AUTH=true']);
      const root = await ready(url);
      assert.equal(root.status, 200);
      assert.match(root.body, /<title>RStudio Server<\/title>/);
    });

    it('without PASSWORD: prints a generated password in the logs, and that password signs in', async function () {
      const { container, url } = await startService('rocker/rstudio:latest', 8787);
      await ready(url);
      const logs = await logsOf(container);
      const password = /generated for user 'rstudio': (\S+)/.exec(logs.stderr)?.[1];
      assert.ok(password, `no generated password in the logs:\n${logs.stderr}`);
      const right = await signIn(url, 'rstudio', password);
      assert.equal(right.headers.location, '/');
    });

    // The server exits as soon as the signal arrives (about 0.2 s on an idle machine: the
    // benchmark's figure); here, that it handles each signal and exits 0.
    it('stops on SIGTERM and on SIGINT, with exit code 0', async function () {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const { container, url } = await startService('rocker/rstudio:latest', 8787, ['DISABLE_AUTH=true']);
        await ready(url);
        const stop = await signalAndWait(container, signal);
        assert.equal(stop.exitCode, 0, signal);
        const logs = await logsOf(container);
        assert.match(logs.stderr, new RegExp(`received ${signal}, shutting down`));
      }
    });
  });

  describe('registry:2', function () {
    it('accepts a push on a loopback port and lists the pushed tag', async function () {
      const { url } = await startService('registry:2', 5000);
      const v2 = await waitFor('registry /v2/', 15_000, async () => {
        const reply = await request(`${url}/v2/`);
        return reply.status === 200 ? reply : undefined;
      });
      assert.equal(v2.headers['docker-distribution-api-version'], 'registry/2.0');

      const registry = url.replace('http://', '');
      const repo = `${registry}/cl-test-images-push`;
      const tag = `t${RUN_ID}`;
      await docker.getImage('alpine:latest').tag({ repo, tag });
      created.tags.add(`${repo}:${tag}`);
      const stream = await docker.getImage(`${repo}:${tag}`).push({ authconfig: { serveraddress: registry } });
      const events = await withDeadline(
        'push',
        30_000,
        new Promise<Array<{ error?: string }>>((resolve, reject) => {
          docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string }>) => (err ? reject(err) : resolve(res)));
        }),
      );
      const failed = events.find((e) => e.error !== undefined);
      assert.equal(failed, undefined, `push reported: ${failed?.error}`);

      const tags = await request(`${url}/v2/cl-test-images-push/tags/list`);
      assert.equal(tags.status, 200);
      assert.deepEqual(JSON.parse(tags.body), { name: 'cl-test-images-push', tags: [tag] });
    });
  });
});
