/**
 * Shared helpers for the engine and checks unit tests: a real engine, the cl-test-busybox
 * image (imported from the host's busybox when absent), containers, volumes and networks with
 * names unique to this run and this run's label (test/support/run.ts), removed afterwards.
 * No mocks.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import Dockerode from 'dockerode';
import { BUSYBOX } from '../support/engine';
import { RUN_LABELS, uniqueName } from '../support/run';
import { waitFor } from '../support/wait';

/** Containers, volumes and tags created by a test file, removed by `cleanup()`. */
export class Resources {
  readonly containers = new Set<string>();
  readonly volumes = new Set<string>();
  readonly tags = new Set<string>();
  readonly networks = new Set<string>();
  private ownNetwork: Promise<string> | undefined;

  constructor(readonly docker: Dockerode) {}

  /**
   * A bridge network of this test run for containers that publish ports, so the tests do not
   * depend on the default bridge (docker0) being intact on a shared machine.
   */
  network(): Promise<string> {
    this.ownNetwork ??= (async () => {
      const name = uniqueName('net');
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...RUN_LABELS } });
      this.networks.add(name);
      return name;
    })();
    return this.ownNetwork;
  }

  /**
   * Create (and by default start) a container with a unique name and this run's label (on top
   * of `options.Labels`); start errors are returned, not thrown.
   */
  async run(
    options: Dockerode.ContainerCreateOptions & { start?: boolean },
  ): Promise<{ container: Dockerode.Container; name: string; startError?: Error }> {
    const name = options.name ?? uniqueName('c');
    const { start = true, ...create } = options;
    const container = await this.docker.createContainer({ Image: BUSYBOX, ...create, Labels: { ...create.Labels, ...RUN_LABELS }, name });
    this.containers.add(container.id);
    let startError: Error | undefined;
    if (start) {
      try {
        await container.start();
      } catch (err) {
        startError = err as Error;
      }
    }
    return { container, name, startError };
  }

  async volume(name = uniqueName('v')): Promise<string> {
    await this.docker.createVolume({ Name: name, Labels: { ...RUN_LABELS } });
    this.volumes.add(name);
    return name;
  }

  async cleanup(): Promise<void> {
    for (const id of this.containers) {
      await this.docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
    }
    this.containers.clear();
    for (const name of this.volumes) {
      await this.docker.getVolume(name).remove().catch(() => undefined);
    }
    this.volumes.clear();
    for (const tag of this.tags) {
      await this.docker.getImage(tag).remove({ noprune: true }).catch(() => undefined);
    }
    this.tags.clear();
    for (const name of this.networks) {
      await this.docker.getNetwork(name).remove().catch(() => undefined);
    }
    this.networks.clear();
    this.ownNetwork = undefined;
  }
}

/** A shell script that serves /www with busybox httpd on port 80, with CGI answers for faults. */
export const HTTPD_SCRIPT = [
  'mkdir -p /www/cgi-bin',
  'echo "hello from cl-test" > /www/index.html',
  `printf '#!/bin/sh\\nprintf "HTTP/1.0 500 Internal Server Error\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\nboom"\\n' > /www/cgi-bin/fail`,
  `printf '#!/bin/sh\\nprintf "HTTP/1.0 302 Found\\\\r\\\\nLocation: /index.html\\\\r\\\\n\\\\r\\\\n"\\n' > /www/cgi-bin/redir`,
  'chmod +x /www/cgi-bin/fail /www/cgi-bin/redir',
  'exec httpd -f -p 80 -h /www',
].join('; ');

/**
 * A second, private dockerd this test can stop and start (never the machine's engine).
 * Its paths carry this process's id, so two test runs at once (a developer and the CI
 * harness) never share a daemon, a pidfile or a data root.
 */
export class PrivateEngine {
  readonly socket = `/tmp/cl-test-dockerd-${process.pid}.sock`;
  readonly pidfile = `/tmp/cl-test-dockerd-${process.pid}.pid`;
  readonly dataRoot = `/tmp/cl-test-docker-${process.pid}`;
  readonly execRoot = `/tmp/cl-test-exec-${process.pid}`;
  readonly log = `/tmp/cl-test-dockerd-${process.pid}.log`;
  private child: ChildProcess | undefined;

  get docker(): Dockerode {
    return new Dockerode({ socketPath: this.socket, timeout: 15_000 });
  }

  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null) throw new Error('the private dockerd is already running');
    const out = fs.openSync(this.log, 'a');
    // `unshare --net` runs dockerd in a network namespace of its own: with --bridge=none,
    // dockerd 20.10 deletes any interface named docker0 it can see at start-up, which in the
    // host namespace is the machine engine's default bridge. unshare execs dockerd in place,
    // so this child's pid and signals are dockerd's own.
    const child = spawn(
      'unshare',
      [
        '--net',
        'dockerd',
        '-H', `unix://${this.socket}`,
        '--data-root', this.dataRoot,
        '--exec-root', this.execRoot,
        '--pidfile', this.pidfile,
        '--bridge=none', '--iptables=false', '--ip6tables=false',
      ],
      { stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    this.child = child;
    const docker = this.docker;
    await waitFor('the private dockerd to answer', async () => {
      if (child.exitCode !== null) throw new Error(`the private dockerd exited with ${child.exitCode}; see ${this.log}`);
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

  /** SIGTERM our dockerd and wait for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    // An unref'd timer: a pending 60 s timer would keep mocha's process alive for a minute.
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref())]);
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Stop it and remove its data (best effort): first the mounts dockerd leaves (its data root, netns files). */
  async destroy(): Promise<void> {
    await this.stop();
    const ours = (mountPoint: string) => [this.dataRoot, this.execRoot].some((dir) => mountPoint === dir || mountPoint.startsWith(`${dir}/`));
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter(ours)
      .sort((a, b) => b.length - a.length);
    for (const mountPoint of mounts) {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    for (const dir of [this.dataRoot, this.execRoot]) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // a busy mount left behind: leave the directory, it is ours and named for this pid
      }
    }
    fs.rmSync(this.log, { force: true });
  }
}
