/**
 * A second, private dockerd a test can stop, freeze, restart and fill as it likes: never the
 * machine's engine, which other layers use at the same moment.
 *
 * It runs in a network namespace of its own (`unshare --net`), so it neither sees nor touches
 * the host's interfaces: dockerd 20.10 started with `--bridge=none` deletes any interface
 * named docker0 it can see, and a bridge of its own would need a host subnet nobody else
 * picks at the same moment. Inside the namespace its docker0 (with `bridge: true`) is its own.
 * Its socket, pidfile, data and exec roots live in one folder named for this run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { socketDocker } from './engine';
import { uniqueName } from './run';
import { waitFor } from './wait';

export interface PrivateEngineOptions {
  /** A default bridge network (inside the engine's own namespace), e.g. for builds. Default: none. */
  bridge?: boolean;
  /** A storage driver, e.g. `vfs` (plain folders, nothing mounted per layer). Default: dockerd's choice. */
  storageDriver?: string;
  /** The client's inactivity timeout, default 15 000 ms. */
  clientTimeoutMs?: number;
}

/** Mount points at or below `dir`, deepest first (a dockerd leaves some behind). */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export class PrivateEngine {
  readonly dir = path.join(os.tmpdir(), uniqueName('engine'));
  readonly socket = path.join(this.dir, 'docker.sock');
  readonly log = path.join(this.dir, 'dockerd.log');
  private child: ChildProcess | undefined;

  constructor(private readonly opts: PrivateEngineOptions = {}) {}

  get docker(): Dockerode {
    return socketDocker(this.socket, this.opts.clientTimeoutMs ?? 15_000);
  }

  /** The environment of a script that should use this engine (and a cache folder of its own). */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.socket}`, CONTAINER_LABS_CACHE: path.join(this.dir, 'cache') };
  }

  /** Starts dockerd (again, after `stop()`: same data) and waits until it answers. */
  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null) throw new Error('the private dockerd is already running');
    fs.mkdirSync(this.dir, { recursive: true });
    const out = fs.openSync(this.log, 'a');
    const args = [
      '-H', `unix://${this.socket}`,
      '--data-root', path.join(this.dir, 'data'),
      '--exec-root', path.join(this.dir, 'exec'),
      '--pidfile', path.join(this.dir, 'dockerd.pid'),
      '--iptables=false', '--ip6tables=false',
    ];
    if (!this.opts.bridge) args.push('--bridge=none');
    if (this.opts.storageDriver) args.push(`--storage-driver=${this.opts.storageDriver}`);
    // unshare execs dockerd in place: this child's pid and signals are dockerd's own.
    const child = spawn('unshare', ['--net', 'dockerd', ...args], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.child = child;
    const docker = this.docker;
    await waitFor('the private dockerd to answer', async () => {
      if (child.exitCode !== null) {
        throw new Error(`the private dockerd exited with ${child.exitCode}:\n${fs.readFileSync(this.log, 'utf8').slice(-2000)}`);
      }
      try {
        await docker.ping();
        return true;
      } catch {
        return false;
      }
    }, 90_000, 100);
  }

  /** Send a signal to our dockerd (SIGSTOP freezes it: the socket stays open, nothing answers). */
  signal(sig: NodeJS.Signals): void {
    if (!this.child || this.child.exitCode !== null) throw new Error('the private dockerd is not running');
    this.child.kill(sig);
  }

  /** SIGTERM our dockerd and wait for it to exit (SIGKILL after 60 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    // An unref'd timer: a pending 60 s timer would keep mocha's process alive for a minute.
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref())]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Stop it and remove its folder: first the mounts dockerd leaves (data root, netns files). */
  async destroy(): Promise<void> {
    await this.stop();
    for (const mountPoint of mountsUnder(this.dir)) {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    // A mount still busy: leave the folder (it is named for this run) rather than delete through it.
    if (mountsUnder(this.dir).length === 0) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
