// Debian packages the scripts install for themselves (docker.io, debootstrap, chromium, ...).
// One helper for every script, so that they install the same way and never trip over each
// other: `npm test` prepares the engine, the images and code-server at the same time, and two
// apt-get processes at once fail on apt's locks. `flock` (util-linux, always on Debian) puts
// our own apt-get calls in a queue; DPkg::Lock::Timeout makes apt-get wait for anyone else's.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, UserError, which } from './common.mjs';

const QUEUE = join(tmpdir(), 'container-labs-apt.lock');

/** Which of `pkgs` dpkg does not list as installed. */
export function missingPackages(pkgs) {
  let status;
  try {
    status = readFileSync('/var/lib/dpkg/status', 'utf8');
  } catch {
    return [...pkgs];
  }
  const installed = new Set();
  for (const block of status.split('\n\n')) {
    const name = /^Package: (\S+)$/m.exec(block)?.[1];
    if (name && /^Status: install ok installed$/m.test(block)) installed.add(name);
  }
  return pkgs.filter((p) => !installed.has(p));
}

/** Runs apt-get as the only apt-get of ours at that moment; resolves { code, stdout, stderr }. */
async function aptGet(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', ...args];
  const queued = (await which('flock')) ? ['flock', '-w', '1200', QUEUE, ...apt] : apt;
  return run(queued[0], queued.slice(1), { capture: true, echo: false, env });
}

/**
 * Installs what is missing of `pkgs` (nothing happens when all are there). Tries without
 * `apt-get update` first, since the lists are usually fresh enough, then updates and tries again.
 * `forWhat` names who needs them, for the messages ("the fixture images"). Returns the
 * packages it installed. Throws a UserError saying what to do when it cannot.
 */
export async function aptInstall(pkgs, { log = () => undefined, forWhat = 'this script', recommends = true } = {}) {
  const missing = missingPackages(pkgs);
  if (missing.length === 0) return [];
  if (!existsSync('/var/lib/dpkg/status') || !(await which('apt-get'))) {
    throw new UserError(`${forWhat} need${forWhat.endsWith('s') ? '' : 's'} ${missing.join(', ')}, and this is not a Debian-like machine with apt-get: install them (or their equivalent) yourself and re-run.`);
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new UserError(`${forWhat} need${forWhat.endsWith('s') ? '' : 's'} ${missing.join(', ')}; install them as root: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const install = ['install', '-y', ...(recommends ? [] : ['--no-install-recommends']), ...missing];
  log(`apt-get install ${missing.join(' ')}`);
  let r = await aptGet(install);
  if (r.code !== 0) {
    log('apt-get update (the package lists are missing or out of date)');
    const update = await aptGet(['update']);
    if (update.code !== 0) throw new UserError(`apt-get update failed (exit ${update.code}):\n${lastLines(update)}`);
    r = await aptGet(install);
  }
  if (r.code !== 0) throw new UserError(`apt-get install ${missing.join(' ')} failed (exit ${r.code}):\n${lastLines(r)}`);
  return missing;
}

function lastLines(r) {
  return (r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n');
}
