// Root filesystems for the fixture images: a tiny busybox tree (alpine, hello-world) and a
// Debian bookworm minbase tree from debootstrap, cached as a tarball so that a rebuild after
// `docker rmi` skips debootstrap.
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Written into hello-world's /hello: two lines in our own words, then exit 0. */
export const HELLO_GREETING = [
  'Hello from Docker!',
  'This is the Container Labs offline stand-in for hello-world: the engine created this container, ran it and sent you its output.',
];

/** How long one child process may run before it is killed. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs a command; its output goes to `logFile` (appended) when given, and the last few KB are
 * kept for error messages. Resolves on exit 0, rejects with the output's tail otherwise, or
 * when the deadline passes (the child is killed).
 */
export function exec(cmd, args, { logFile, timeoutMs = DEFAULT_TIMEOUT_MS, env = process.env, cwd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    log?.write(`$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let stdout = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
      log?.write(chunk);
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    /** @param {Error | undefined} [error] */
    const finish = (error) => {
      clearTimeout(timer);
      if (log) log.end(() => (error ? reject(error) : resolvePromise(stdout)));
      else if (error) reject(error);
      else resolvePromise(stdout);
    };
    child.on('error', (error) => finish(new Error(`cannot run ${cmd}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (timedOut) finish(new Error(`${cmd} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped${logFile ? ` (log: ${logFile})` : ''}`));
      else if (code === 0) finish();
      else finish(new Error(`${cmd} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})${logFile ? `; log: ${logFile}` : ''}\n${tail.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

/**
 * Fills `dir` with a busybox root filesystem: /bin/busybox (a static binary), a link for every
 * applet at its usual path, /etc/passwd and /etc/group, /tmp (1777), /root, /home, and an
 * /etc/os-release that says what this is. With `hello`, adds /hello printing HELLO_GREETING.
 */
export function makeBusyboxRootfs(dir, busybox, appletPaths, { hello = false } = {}) {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'dev', 'proc', 'sys', 'var', 'tmp']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'root'), 0o700);
  writeFileSync(join(dir, 'bin', 'busybox'), readFileSync(busybox), { mode: 0o755 });
  for (const applet of appletPaths) {
    const path = join(dir, applet);
    if (applet === 'bin/busybox' || existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(relative(dirname(path), join(dir, 'bin', 'busybox')), path);
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(
    join(dir, 'etc', 'os-release'),
    'NAME="Container Labs busybox stand-in"\nID=busybox\nPRETTY_NAME="Container Labs offline stand-in (busybox), not the real image"\n',
  );
  if (hello) {
    const lines = HELLO_GREETING.map((line) => `echo '${line.replace(/'/g, "'\\''")}'`).join('\n');
    writeFileSync(join(dir, 'hello'), `#!/bin/sh\n${lines}\nexit 0\n`, { mode: 0o755 });
  }
}

/** The applet paths (e.g. "bin/ls", "usr/bin/awk") that a busybox binary provides. */
export async function busyboxAppletPaths(busybox) {
  const out = await exec(busybox, ['--list-full'], { timeoutMs: 10_000 });
  return out
    .split('\n')
    .map((l) => l.trim().replace(/^\/+/, ''))
    .filter((l) => l.length > 0 && !l.includes('..'));
}

/** Packs a directory into a tar file (numeric owners, so root stays root). */
export async function packDir(dir, tarFile, { logFile } = {}) {
  await exec('tar', ['--numeric-owner', '-C', dir, '-cf', tarFile, '.'], { logFile, timeoutMs: 5 * 60_000 });
}

/** Mount points (from /proc/mounts) at or below `dir`, deepest first. */
function mountsUnder(dir) {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1])
      .filter((p) => p !== undefined && (p === dir || p.startsWith(`${dir}/`)))
      .sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

/** Removes a debootstrap work dir, unmounting anything an interrupted debootstrap left mounted. */
export async function removeWorkDir(dir) {
  for (const mount of mountsUnder(dir)) {
    await exec('umount', ['-l', mount], { timeoutMs: 30_000 }).catch(() => undefined);
  }
  if (mountsUnder(dir).length > 0) throw new Error(`${dir} still has mounts below it; not removing it`);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The cached Debian rootfs tarball; runs debootstrap (--variant=minbase) only when the tarball
 * is not in `cacheDir` yet. The tarball appears atomically (written aside, then renamed), so an
 * interrupted run never leaves a half tarball behind. Resolves { tarball, cached }.
 */
export async function debianRootfsTarball({ cacheDir, suite = 'bookworm', mirror = 'http://deb.debian.org/debian', logFile }) {
  const tarball = join(cacheDir, `debian-${suite}-minbase.tar`);
  if (existsSync(tarball)) return { tarball, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, `debootstrap-${suite}-`));
  try {
    const rootfs = join(work, 'rootfs');
    await exec('debootstrap', ['--variant=minbase', suite, rootfs, mirror], { logFile, timeoutMs: 15 * 60_000 });
    // Package lists and downloaded .debs only make the image bigger; every build runs apt-get update.
    for (const sub of ['var/cache/apt', 'var/cache/apt/archives', 'var/lib/apt/lists']) {
      const d = join(rootfs, sub);
      for (const entry of existsSync(d) ? readdirFiles(d) : []) rmSync(join(d, entry), { force: true });
    }
    const partial = join(work, 'rootfs.tar');
    await packDir(rootfs, partial, { logFile });
    renameSync(partial, tarball);
  } finally {
    await removeWorkDir(work);
  }
  return { tarball, cached: false };
}

function readdirFiles(dir) {
  // Only plain files and links directly in dir (lock files, .debs, list files); keep sub-dirs.
  return readdirSyncSafe(dir).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
}

function readdirSyncSafe(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A fresh work directory under `parent` (made if missing). */
export function workDir(parent, label) {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${label}-`));
}
