/**
 * The engine the tests run against, the cl-test-busybox image every engine test uses
 * (imported from the host's busybox when absent: no registry needed), and existence checks
 * by exact name.
 *
 * The engine is found the way the product finds it (resolveEndpoint, createDocker): the local
 * socket by default, and whatever DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH or
 * DOCKER_CONTEXT say otherwise, so the same tests run against Podman, TLS and ssh in the lanes
 * of npm test that set them (scripts/test-hosts.mjs).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { EngineEvents } from '../../src/core/checks/events';
import { createDocker, resolveEndpoint, type EngineEndpoint } from '../../src/core/engine/connection';
import { errorMessage } from '../../src/core/text';

export const BUSYBOX = 'cl-test-busybox:latest';
/** The local engine's socket, for the tests of how the default socket is found and used. */
export const MAIN_SOCKET = '/var/run/docker.sock';

/** The engine of this test run, as the product resolves it from the environment. */
export function testEndpoint(): EngineEndpoint {
  return resolveEndpoint({ env: process.env });
}

/** A client of the engine of this test run (testEndpoint). */
export function mainDocker(): Dockerode {
  return createDocker(testEndpoint(), { timeoutMs: 15_000 });
}

/** A client of the engine on the unix socket `socketPath`, whatever DOCKER_HOST says (the product's own createDocker). */
export function socketDocker(socketPath: string, timeoutMs?: number): Dockerode {
  return createDocker(resolveEndpoint({ override: `unix://${socketPath}` }), { timeoutMs });
}

function busyboxBinary(): string {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('busybox is not installed on this machine (apt-get install busybox-static)');
}

/** Import a busybox rootfs as `name` (through the engine API) unless the engine already has it. */
export async function ensureBusybox(docker: Dockerode, name = BUSYBOX): Promise<void> {
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
    await importTar(docker, dir, name, ['CMD ["/bin/sh"]']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the engine behind `docker` is Podman (its /version names a "Podman Engine" component). */
export async function isPodman(docker: Dockerode): Promise<boolean> {
  const version = (await docker.version()) as Dockerode.DockerVersion & { Components?: Array<{ Name?: string }> };
  return (version.Components ?? []).some((c) => /podman/i.test(c.Name ?? ''));
}

/** `docker import` of the folder `dir` as `name` with Dockerfile `changes`, through the engine API. */
async function importTar(docker: Dockerode, dir: string, name: string, changes: string[]): Promise<void> {
  const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed (exit ${code}): ${stderr.trim()}`))));
  });
  // The tag within `repo`, as the API allows: Podman 4.3 ignores a separate `tag`.
  const progress = await docker.importImage(tar.stdout, { repo: name, changes });
  const output = await new Promise<string>((resolve, reject) => {
    let text = '';
    progress.on('data', (d: Buffer) => (text += d.toString()));
    progress.on('end', () => resolve(text));
    progress.on('error', reject);
  });
  await tarDone;
  const failed = /"error(?:Detail)?":\s*"?([^"}]*)/.exec(output);
  if (failed) throw new Error(`importing ${name} failed: ${failed[1]}`);
}

/**
 * Imports a one-file image (/hello.txt) as `ref`, with Dockerfile `changes` (LABEL, ENV, CMD...,
 * as `docker import --change` takes them). Its content names `ref`, so its id is its own: no
 * other program's container uses it and no other tag points at it.
 */
export async function importOwnImage(docker: Dockerode, ref: string, changes: string[] = []): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-own-'));
  try {
    fs.writeFileSync(path.join(dir, 'hello.txt'), `an image of its own: ${ref}\n`);
    await importTar(docker, dir, ref, changes);
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
      `These tests need a Docker engine at ${testEndpoint().description} and none answered (${errorMessage(error)}). ` +
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
