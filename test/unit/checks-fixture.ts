/**
 * Shared helpers for the engine and checks unit tests: a real engine, the cl-test-busybox
 * image (imported from the host's busybox when absent), containers, volumes and networks with
 * names unique to this run and this run's label (test/support/run.ts), removed afterwards.
 * No mocks.
 */
import type Dockerode from 'dockerode';
import { demuxBuffer } from '../../src/core/checks/streams';
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

  /**
   * Removes what the tests made. A removal that fails for another reason than "already gone" is
   * said on stderr with the engine's reason (test-all also names what a host still holds at the
   * end): a leak is seen, and one object that cannot go does not keep the others.
   */
  async cleanup(): Promise<void> {
    const failed: string[] = [];
    const attempt = async (what: string, remove: () => Promise<unknown>): Promise<void> => {
      try {
        await remove();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) failed.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    for (const id of this.containers) await attempt(`container ${id.slice(0, 12)}`, () => this.docker.getContainer(id).remove({ force: true, v: true }));
    this.containers.clear();
    for (const name of this.volumes) await attempt(`volume ${name}`, () => this.docker.getVolume(name).remove());
    this.volumes.clear();
    for (const tag of this.tags) await attempt(`tag ${tag}`, () => this.docker.getImage(tag).remove({ noprune: true }));
    this.tags.clear();
    for (const name of this.networks) await attempt(`network ${name}`, () => this.docker.getNetwork(name).remove());
    this.networks.clear();
    this.ownNetwork = undefined;
    if (failed.length > 0) process.stderr.write(`[test clean-up] could not remove ${failed.length} object(s) this test made:\n  ${failed.join('\n  ')}\n`);
  }
}

/** Runs `cmd` in the container; resolves its exit code and output (stdout and stderr). */
export async function execIn(container: Dockerode.Container, cmd: string[]): Promise<{ exitCode: number | null; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode, output: demuxBuffer(Buffer.concat(chunks)) };
}

/** Until something in the container listens on TCP `port` (IPv4 or IPv6), read from its own /proc/net (without connecting to it). */
export async function waitListening(container: Dockerode.Container, port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const listening = new RegExp(`^\\s*\\d+: [0-9A-F]+:${hex} [0-9A-F]+:0000 0A `, 'm');
  const table = async (): Promise<string> => (await execIn(container, ['cat', '/proc/net/tcp', '/proc/net/tcp6'])).output;
  await waitFor(`a listener on port ${port} in the container`, async () => listening.test(await table()), 10_000, 100);
}

/**
 * A shell line that waits until the test opens the gate (`openGate`): a server "still starting"
 * for exactly as long as the test needs, not for a fixed sleep a loaded machine may outlast.
 */
export const WAIT_FOR_GATE = 'while [ ! -e /cl-test-gate ]; do sleep 0.1; done';

export async function openGate(container: Dockerode.Container): Promise<void> {
  const r = await execIn(container, ['touch', '/cl-test-gate']);
  if (r.exitCode !== 0) throw new Error(`could not open the gate: ${r.output}`);
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
