/**
 * scripts/images.mjs building images for real, in a PRIVATE engine: a second dockerd started
 * by this file with its own socket, data root, exec root, pidfile and bridge interface (vfs
 * storage), so nothing in the shared engine is built, retagged or removed.
 *
 * Not `--bridge=none`: a dockerd started that way DELETES any interface named docker0 at
 * startup (moby's removeDefaultBridgeInterface), which cuts the shared engine's containers off
 * their network. So the private engine gets a bridge of its own, made here and deleted after. The Debian-based images are
 * too slow to build here (minutes); images-fixtures.test.ts checks those in the main engine.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { FIXTURE_LABEL, runImagesCli } from './images-support';

const LABEL = FIXTURE_LABEL;


/** Mount points at or below `dir`, deepest first (a dockerd that died may leave some). */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** A dockerd of our own; stopped (by its pid) and its directories removed in stop(). */
class PrivateEngine {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-images-engine-'));
  readonly socket = path.join(this.dir, 'docker.sock');
  readonly docker = new Dockerode({ socketPath: this.socket, timeout: 30_000 });
  /** Interface names are at most 15 characters. */
  readonly bridge = `cltimg${(process.pid % 0xffff).toString(16)}`;
  private child: ChildProcess | undefined;
  private bridgeMade = false;

  /** A bridge for the private engine, on a /24 that no route of this host uses yet. */
  private makeBridge(): void {
    const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
    let subnet = '';
    for (let third = 200 + (process.pid % 50); third < 256 && subnet === ''; third++) {
      if (!routes.includes(`10.213.${third}.`)) subnet = `10.213.${third}`;
    }
    if (subnet === '') throw new Error('no free 10.213.x.0/24 for the private engine bridge');
    execFileSync('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    this.bridgeMade = true;
    execFileSync('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', this.bridge]);
  }

  async start(): Promise<void> {
    this.makeBridge();
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    this.child = spawn(
      'dockerd',
      [
        '-H', `unix://${this.socket}`,
        '--data-root', path.join(this.dir, 'data'),
        '--exec-root', path.join(this.dir, 'exec'),
        '--pidfile', path.join(this.dir, 'dockerd.pid'),
        `--bridge=${this.bridge}`, '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        await Promise.race([this.docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 2000).unref())]);
        return;
      } catch {
        if (this.child.exitCode !== null || Date.now() > end) {
          throw new Error(`the private dockerd did not start:\n${fs.readFileSync(path.join(this.dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    for (const mount of mountsUnder(this.dir)) {
      try {
        execFileSync('umount', ['-l', mount]);
      } catch {
        // already gone
      }
    }
    if (mountsUnder(this.dir).length === 0) fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.bridgeMade) execFileSync('ip', ['link', 'del', this.bridge]);
  }

  /** Environment for images.mjs: this engine, and a cache dir of its own. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.socket}`, CONTAINER_LABS_CACHE: path.join(this.dir, 'cache') };
  }

  /** Imports a busybox tree WITHOUT our label under `name` (stands for an image a user pulled). */
  importForeign(name: string): void {
    const tree = fs.mkdtempSync(path.join(this.dir, 'foreign-'));
    fs.mkdirSync(path.join(tree, 'bin'));
    fs.copyFileSync('/bin/busybox', path.join(tree, 'bin', 'busybox'));
    fs.symlinkSync('busybox', path.join(tree, 'bin', 'sh'));
    execFileSync('sh', ['-c', 'tar -C "$1" -c . | docker -H "unix://$2" import -c \'CMD ["/bin/sh"]\' - "$3"', 'sh', tree, this.socket, name], { stdio: 'pipe' });
  }
}

describe('scripts/images.mjs builds only what is missing (private engine)', function () {
  this.timeout(120_000);
  const engine = new PrivateEngine();

  before(async function () {
    assert.ok(fs.existsSync('/bin/busybox'), 'busybox-static is needed (apt-get install busybox-static)');
    await engine.start();
  });

  after(async function () {
    await engine.stop();
  });

  it('--check on an empty engine lists the images as missing and exits 1', async function () {
    const run = await runImagesCli(['--check'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 1);
    for (const name of ['alpine:latest', 'hello-world:latest', 'jupyter/base-notebook:latest', 'rocker/rstudio:latest', 'registry:2']) {
      assert.match(run.stdout, new RegExp(`${name.replace(/[/.]/g, '\\$&')}: missing`));
    }
    assert.match(run.stderr, /5 image\(s\) missing/);
  });

  it('builds a missing image with the label, and leaves a foreign image of the same kind alone', async function () {
    engine.importForeign('hello-world:latest');
    const foreign = await engine.docker.getImage('hello-world:latest').inspect();
    assert.equal(foreign.Config.Labels?.[LABEL], undefined);

    const run = await runImagesCli(['--only', 'alpine,hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /alpine:latest: built in \d+ s/);
    assert.match(run.stdout, /hello-world:latest: present \(not built by us; left alone\)/);

    const alpine = await engine.docker.getImage('alpine:latest').inspect();
    assert.equal(alpine.Config.Labels?.[LABEL], 'true');
    assert.deepEqual(alpine.Config.Cmd, ['/bin/sh']);
    const after = await engine.docker.getImage('hello-world:latest').inspect();
    assert.equal(after.Id, foreign.Id, 'the foreign hello-world was replaced');
  });

  it('a second run builds nothing, and --refresh does not touch an image without our label', async function () {
    const before = await engine.docker.getImage('alpine:latest').inspect();
    const again = await runImagesCli(['--only', 'alpine'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /alpine:latest: present \(a Container Labs fixture\)/);
    const refresh = await runImagesCli(['--refresh', '--only', 'alpine,hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.match(refresh.stdout, /hello-world:latest: present \(not built by us; left alone\)/);
    assert.doesNotMatch(refresh.stdout, /built in/);
    assert.equal((await engine.docker.getImage('alpine:latest').inspect()).Id, before.Id);
  });

  it('the built hello-world greets in two lines and exits 0 (fresh engine, no network)', async function () {
    await engine.docker.getImage('hello-world:latest').remove();
    const run = await runImagesCli(['--only', 'hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /hello-world:latest: built in \d+ s/);

    const container = await engine.docker.createContainer({ Image: 'hello-world:latest', name: 'cl-test-images-hello', HostConfig: { NetworkMode: 'none' } });
    try {
      await container.start();
      const result = (await container.wait()) as { StatusCode: number };
      assert.equal(result.StatusCode, 0);
      const raw: unknown = await container.logs({ stdout: true, stderr: true });
      const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
      // Multiplexed stream: 8-byte frame headers, then the text.
      let text = '';
      for (let off = 0; off + 8 <= buffer.length; off += 8 + buffer.readUInt32BE(off + 4)) {
        text += buffer.subarray(off + 8, off + 8 + buffer.readUInt32BE(off + 4)).toString('utf8');
      }
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 2, text);
      assert.equal(lines[0], 'Hello from Docker!');
      assert.match(lines[1] ?? '', /Container Labs offline stand-in/);
    } finally {
      await container.remove({ force: true });
    }
  });
});
