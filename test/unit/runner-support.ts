/**
 * Shared by the runner, ledger and CLI tests: the real engine, the cl-test-busybox image,
 * and removal of what a test created (by cl-test- name only).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { errorMessage } from '../../src/core/text';

export const BUSYBOX = 'cl-test-busybox:latest';
export const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/runner-labs');

export function testDocker(): Dockerode {
  return new Dockerode({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock', timeout: 15_000 });
}

/** Fails with a clear message (not a stack) when no engine answers. */
export async function requireEngine(docker: Dockerode): Promise<void> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref()),
    ]);
  } catch (error) {
    throw new Error(
      `These tests need a Docker engine at /var/run/docker.sock and none answered (${errorMessage(error)}). ` +
        'Start one with: dockerd --iptables=false --ip6tables=false >/tmp/dockerd.log 2>&1 &',
      { cause: error },
    );
  }
}

export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  const found = await docker.listImages({ filters: { reference: [ref] }, abortSignal: AbortSignal.timeout(5000) });
  return found.length > 0;
}

/** Imports a busybox rootfs as cl-test-busybox:latest unless that name already exists. */
export async function ensureBusybox(docker: Dockerode): Promise<void> {
  if (await imageExists(docker, BUSYBOX)) return;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-rootfs-'));
  try {
    await fs.mkdir(path.join(dir, 'bin'));
    await fs.copyFile('/bin/busybox', path.join(dir, 'bin/busybox'));
    await fs.chmod(path.join(dir, 'bin/busybox'), 0o755);
    const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      // `busybox --list` names busybox itself; linking it to itself would break the image.
      if (applet === 'busybox') continue;
      await fs.symlink('busybox', path.join(dir, 'bin', applet)).catch(() => undefined);
    }
    execFileSync('sh', ['-c', `tar -C '${dir}' -c . | docker import -c 'CMD ["/bin/sh"]' - ${BUSYBOX}`], { stdio: 'ignore' });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Removes containers, volumes and image tags with these exact names, if they exist. */
export async function removeNamed(docker: Dockerode, names: { containers?: string[]; volumes?: string[]; images?: string[] }): Promise<void> {
  for (const name of names.containers ?? []) {
    if (!name.startsWith('cl-test-')) throw new Error(`refusing to remove ${name}: not a cl-test- name`);
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  }
  for (const name of names.volumes ?? []) {
    if (!name.startsWith('cl-test-')) throw new Error(`refusing to remove ${name}: not a cl-test- name`);
    await docker.getVolume(name).remove().catch(() => undefined);
  }
  for (const ref of names.images ?? []) {
    if (!ref.startsWith('cl-test-')) throw new Error(`refusing to remove ${ref}: not a cl-test- name`);
    await docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
  }
}

export async function containerExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

export async function volumeExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** A temporary workspace folder for a test. */
export async function tempWorkspace(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-ws-'));
}

/**
 * The before/after hooks of a runner suite: an engine that answers, the busybox image, none of
 * the suite's named things left over, and a temporary workspace (handed to `onWorkspace`).
 */
export function useRunnerFixture(
  docker: Dockerode,
  names: { containers?: string[]; volumes?: string[]; images?: string[] },
  onWorkspace: (dir: string) => void,
): void {
  let workspace = '';
  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
    await removeNamed(docker, names);
    workspace = await tempWorkspace();
    onWorkspace(workspace);
  });
  after(async () => {
    await removeNamed(docker, names);
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });
}
