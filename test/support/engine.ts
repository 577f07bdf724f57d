/**
 * The machine's engine as the tests reach it, the cl-test-busybox image every engine test
 * uses (imported from the host's busybox when absent: no registry needed), and existence
 * checks by exact name.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { EngineEvents } from '../../src/core/checks/events';
import { errorMessage } from '../../src/core/text';

export const BUSYBOX = 'cl-test-busybox:latest';
export const MAIN_SOCKET = '/var/run/docker.sock';

export function mainDocker(): Dockerode {
  return new Dockerode({ socketPath: MAIN_SOCKET, timeout: 15_000 });
}

function busyboxBinary(): string {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('busybox is not installed on this machine (apt-get install busybox-static)');
}

/** Import a busybox rootfs as `name` unless the engine behind `socket` already has it. */
export async function ensureBusybox(docker: Dockerode, socket = MAIN_SOCKET, name = BUSYBOX): Promise<void> {
  try {
    await docker.getImage(name).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-rootfs-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(busyboxBinary(), path.join(dir, 'bin', 'busybox'));
    fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
    const applets = execFileSync(path.join(dir, 'bin', 'busybox'), ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
    }
    execFileSync('sh', ['-c', `tar -C "$1" -c . | docker -H "unix://$2" import -c 'CMD ["/bin/sh"]' - "$3"`, 'sh', dir, socket, name], { stdio: 'pipe' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Imports a one-file image (/hello.txt) as `ref`. Its content names `ref`, so its id is its own:
 * no other program's container uses it and no other tag points at it.
 */
export function importOwnImage(ref: string, socket = MAIN_SOCKET): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-own-'));
  try {
    fs.writeFileSync(path.join(dir, 'hello.txt'), `an image of its own: ${ref}\n`);
    execFileSync('sh', ['-c', 'tar -C "$1" -c . | docker -H "unix://$2" import - "$3"', 'sh', dir, socket, ref], { stdio: 'pipe' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails with a clear message (not a stack) when no engine answers within 3 s. */
export async function requireEngine(docker: Dockerode): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3000);
      }),
    ]);
  } catch (error) {
    throw new Error(
      `These tests need a Docker engine at ${MAIN_SOCKET} and none answered (${errorMessage(error)}). ` +
        'Start one with: node scripts/engine.mjs',
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  const found = await docker.listImages({ filters: { reference: [ref] }, abortSignal: AbortSignal.timeout(5000) });
  return found.length > 0;
}

/** Whether `inspect` finds the object (false on 404; any other error is thrown). */
async function found(inspect: () => Promise<unknown>): Promise<boolean> {
  try {
    await inspect();
    return true;
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === 404) return false;
    throw error;
  }
}

export function containerExists(docker: Dockerode, name: string): Promise<boolean> {
  return found(() => docker.getContainer(name).inspect());
}

export function volumeExists(docker: Dockerode, name: string): Promise<boolean> {
  return found(() => docker.getVolume(name).inspect());
}

/** The product's event stream on `docker`, started; resolves once it is connected (or throws after `timeoutMs`). */
export async function connectedEvents(docker: Dockerode, timeoutMs = 30_000): Promise<EngineEvents> {
  const events = new EngineEvents(() => docker);
  let timer: NodeJS.Timeout | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    const sub = events.onStatus((s) => {
      if (s.state === 'connected') {
        sub.dispose();
        resolve();
      }
    });
    timer = setTimeout(() => reject(new Error(`the engine event stream did not connect within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  events.start();
  try {
    await connected;
  } catch (error) {
    events.dispose();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}
