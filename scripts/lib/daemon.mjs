// The servers behind the other test hosts (podman system service, stunnel4, sshd, ssh-agent).
//
// Each host lives in its own run folder, /tmp/cl-host-<kind>-XXXX, made per run: its
// generated keys and certificates, its configuration, its sockets, its logs, and host.json
// (who started it, and the pid of every server started in it). Every server is given a path
// inside that folder on its command line, and is only ever stopped by its recorded pid after
// /proc/<pid>/cmdline still names the folder: never by name, never a process we did not start.
// A run that died without stopping its hosts (SIGKILL, a crash) leaves host.json behind; the
// next start of the same kind stops those servers and removes the folder (`reapStaleHosts`).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, sleep, UserError } from './common.mjs';

const PREFIX = 'cl-host-';

function readHostFile(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeHostFile(dir, data) {
  writeFileSync(join(dir, 'host.json'), `${JSON.stringify(data, null, 2)}\n`);
}

/** Whether `pid` is alive and its command line still names `dir` (so it is the server we started). */
function isOurs(pid, dir) {
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}

/** Stops one server we started: SIGTERM, then SIGKILL after `graceMs`. Resolves whether it had to be killed. */
async function stopPid(pid, dir, graceMs = 10_000) {
  if (!isOurs(pid, dir)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isOurs(pid, dir)) await sleep(100);
  if (!isOurs(pid, dir)) return false;
  process.kill(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && isOurs(pid, dir)) await sleep(100);
  return true;
}

/**
 * A test host's run folder. `newHostDir(kind)` makes a fresh one owned by this process;
 * `start()` runs a server in it; `stop()` stops its servers (last started first) and removes
 * the folder unless `keep` is set (to read its logs).
 */
export class HostDir {
  constructor(kind) {
    this.kind = kind;
    this.dir = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-`));
    this.servers = [];
    this.save();
  }

  save() {
    writeHostFile(this.dir, { kind: this.kind, owner: process.pid, servers: this.servers });
  }

  path(...parts) {
    return join(this.dir, ...parts);
  }

  /**
   * Starts `cmd args` detached (its own process group), stdout and stderr in <name>.log, and
   * waits until `ready()` resolves true (polled every 200 ms) or `deadlineMs` passes. The
   * command line must name this folder (a config file or socket inside it). Throws a
   * UserError with the log's last lines when it exits or never gets ready.
   */
  async start(name, cmd, args, { env = process.env, ready, deadlineMs = 30_000 } = {}) {
    if (!args.some((a) => a.includes(this.dir))) throw new Error(`${name}: its command line must name ${this.dir}, so that only this run stops it`);
    const logFile = this.path(`${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    child.on('error', (error) => {
      exited = { error };
    });
    child.unref();
    await sleep(0);
    if (child.pid === undefined) {
      throw new UserError(`${name}: cannot run ${cmd}: ${exited?.error?.message ?? 'no pid'}`);
    }
    this.servers.push({ name, pid: child.pid });
    this.save();
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (exited) {
        const how = exited.error ? exited.error.message : `exit ${exited.code ?? exited.signal}`;
        throw new UserError(`${name} stopped right after starting (${how}). Last lines of ${logFile}:\n${tail(logFile)}`);
      }
      if (!ready || (await ready().catch(() => false))) return child.pid;
      if (Date.now() > deadline) {
        throw new UserError(`${name} was not ready within ${deadlineMs / 1000} s. Last lines of ${logFile}:\n${tail(logFile)}`);
      }
      await sleep(200);
    }
  }

  /** Stops every server of this folder (last started first); removes the folder unless `keep`. */
  async stop({ keep = false } = {}) {
    const killed = [];
    for (const server of [...this.servers].reverse()) {
      if (await stopPid(server.pid, this.dir)) killed.push(server.name);
    }
    this.servers = [];
    if (keep) this.save();
    else rmSync(this.dir, { recursive: true, force: true });
    return killed;
  }
}

/**
 * Stops the servers of host folders of `kind` whose owner is gone (a run that was killed) and
 * removes those folders. Resolves the folders it cleaned.
 */
export async function reapStaleHosts(kind) {
  const cleaned = [];
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(`${PREFIX}${kind}-`)) continue;
    const dir = join(tmpdir(), entry);
    const host = readHostFile(dir);
    if (host && Number.isInteger(host.owner) && processAlive(host.owner)) continue;
    // host.json is written right after the folder is made: without it, it is being made right now.
    if (!host && existsSync(dir) && Date.now() - mtimeOf(dir) < 60_000) continue;
    for (const server of [...(host?.servers ?? [])].reverse()) await stopPid(server.pid, dir);
    rmSync(dir, { recursive: true, force: true });
    cleaned.push(dir);
  }
  return cleaned;
}

function mtimeOf(dir) {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

/** The last lines of a log file, for an error message. */
export function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(empty log)';
  } catch {
    return '(no log)';
  }
}
