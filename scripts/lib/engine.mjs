// Finds a Docker Engine that answers, or (Debian-like machine, root, none answering) installs
// Debian's docker.io and starts a dockerd that we own. An engine we did not start is never
// stopped or reconfigured.
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, rmSync, closeSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { cacheRoot, processAlive, say, sleep, UserError, which } from './common.mjs';
import { aptInstall } from './apt.mjs';

const PING_DEADLINE_MS = 3000;
const VERSION_DEADLINE_MS = 20_000;
const START_DEADLINE_MS = 60_000;
const TAG = 'engine';
const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Paths of the dockerd that this project starts (never any other). */
export function ownDaemonPaths() {
  const dir = cacheRoot();
  return { pidfile: join(dir, 'dockerd.pid'), log: join(dir, 'dockerd.log') };
}

/** dockerode options for a docker host URL (unix://, tcp://, ssh://): the client waits as long as /version may take; the ping has its own, shorter abort signal. */
function optionsForHost(host, tlsDir) {
  const base = { timeout: VERSION_DEADLINE_MS }; // the ping's own deadline is its abort signal
  if (host.startsWith('unix://')) {
    return { ...base, socketPath: host.slice('unix://'.length), host: undefined, port: undefined, protocol: 'http' };
  }
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    return { ...base, protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined, sshOptions: { agent: process.env.SSH_AUTH_SOCK } };
  }
  const opts = { ...base, host: url.hostname, port: url.port || 2375, protocol: 'http' };
  if (tlsDir && existsSync(join(tlsDir, 'ca.pem'))) {
    Object.assign(opts, {
      protocol: 'https',
      ca: readFileSync(join(tlsDir, 'ca.pem')),
      cert: existsSync(join(tlsDir, 'cert.pem')) ? readFileSync(join(tlsDir, 'cert.pem')) : undefined,
      key: existsSync(join(tlsDir, 'key.pem')) ? readFileSync(join(tlsDir, 'key.pem')) : undefined,
    });
  }
  return opts;
}

/** The endpoint of the docker CLI's current context (DOCKER_CONTEXT, then ~/.docker/config.json). */
function currentContextEndpoint() {
  const configDir = process.env.DOCKER_CONFIG || join(homedir(), '.docker');
  let name = process.env.DOCKER_CONTEXT;
  if (!name) {
    try {
      name = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const hash = createHash('sha256').update(name).digest('hex');
  try {
    const meta = JSON.parse(readFileSync(join(configDir, 'contexts', 'meta', hash, 'meta.json'), 'utf8'));
    const host = meta?.Endpoints?.docker?.Host;
    if (typeof host !== 'string' || host === '') return undefined;
    return { name, host, tlsDir: join(configDir, 'contexts', 'tls', hash, 'docker') };
  } catch {
    return { name, host: undefined, error: `the current docker context '${name}' has no readable metadata under ${configDir}/contexts` };
  }
}

/**
 * The endpoints to try, in the docker CLI's order. Like the docker CLI (and the extension's
 * own connection code), an explicit choice is exclusive: when DOCKER_HOST is set, or a
 * non-default context is current, only that endpoint counts, since everything else (dockerode
 * in the tests, the docker CLI in the labs) will talk to it. Otherwise the local sockets are
 * tried in turn: the default one, Docker Desktop's, the rootless one.
 */
export function candidateEndpoints() {
  if (process.env.DOCKER_HOST) {
    return [{ source: 'DOCKER_HOST', host: process.env.DOCKER_HOST, options: { timeout: VERSION_DEADLINE_MS }, explicit: true }];
  }
  const ctx = currentContextEndpoint();
  if (ctx?.host) return [{ source: `docker context '${ctx.name}'`, host: ctx.host, options: optionsForHost(ctx.host, ctx.tlsDir), explicit: true }];
  if (ctx?.error) return [{ source: `docker context '${ctx.name}'`, host: '(unknown)', explicit: true, unusable: ctx.error }];
  const list = [];
  const sockets = [
    ['default socket', DEFAULT_SOCKET],
    ["Docker Desktop's socket", join(homedir(), '.docker', 'run', 'docker.sock')],
  ];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(['rootless socket', join(process.env.XDG_RUNTIME_DIR, 'docker.sock')]);
  for (const [source, path] of sockets) list.push({ source, host: `unix://${path}`, options: optionsForHost(`unix://${path}`) });
  return list;
}

/**
 * Pings one endpoint with a 3 s deadline. Resolves { ok: true, version } or
 * { ok: false, reason, code } (code: 'ENOENT', 'EACCES', 'ECONNREFUSED', 'TIMEOUT', ...).
 */
export async function pingEndpoint(candidate) {
  const { host } = candidate;
  if (candidate.unusable) return { ok: false, code: 'CONTEXT', reason: candidate.unusable };
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!existsSync(path)) return { ok: false, code: 'ENOENT', reason: `${path} does not exist` };
  }
  let docker;
  try {
    docker = new Docker(candidate.options);
  } catch (error) {
    return { ok: false, code: 'BADHOST', reason: error instanceof Error ? error.message : String(error) };
  }
  const signal = AbortSignal.timeout(PING_DEADLINE_MS);
  try {
    await docker.ping({ abortSignal: signal });
    // An engine that answers the ping is there: /version may take longer (Podman runs its
    // runtime's and conmon's --version for it, seconds on a busy machine).
    const version = await docker.version({ abortSignal: AbortSignal.timeout(VERSION_DEADLINE_MS) });
    return { ok: true, version: version.Version, apiVersion: version.ApiVersion };
  } catch (error) {
    const code = signal.aborted ? 'TIMEOUT' : error?.code ?? error?.cause?.code ?? 'ERROR';
    const reason = code === 'TIMEOUT' ? `no answer within ${PING_DEADLINE_MS / 1000} s` : error instanceof Error ? error.message : String(error);
    return { ok: false, code, reason };
  }
}

/** Probes every candidate in order; the first that answers wins. */
export async function findEngine() {
  const tried = [];
  for (const candidate of candidateEndpoints()) {
    const result = await pingEndpoint(candidate);
    if (result.ok) return { engine: { ...candidate, version: result.version, apiVersion: result.apiVersion }, tried };
    tried.push({ ...candidate, ...result });
  }
  return { engine: undefined, tried };
}

function isDebianLike() {
  if (existsSync('/etc/debian_version')) return true;
  try {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    return /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(osRelease);
  } catch {
    return false;
  }
}

/** The pid of the dockerd we started, if it is still running (checked against /proc cmdline). */
export function ownDaemonPid() {
  const { pidfile } = ownDaemonPaths();
  let pid;
  try {
    pid = Number.parseInt(readFileSync(pidfile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('dockerd') || !cmdline.includes(pidfile)) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

function tail(file, lines = 25) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function explain(tried) {
  return tried.map((t) => `  - ${t.source} (${t.host}): ${t.reason}`).join('\n');
}

async function installDockerIo(log) {
  log('dockerd not found: installing Debian\'s docker.io with apt-get');
  await aptInstall(['docker.io'], { log, forWhat: 'starting a Docker Engine' });
}

/** Starts dockerd detached, logging to the cache dir, with a pidfile we own; waits for ping. */
async function startOwnDaemon(log) {
  const { pidfile, log: logFile } = ownDaemonPaths();
  const { spawn } = await import('node:child_process');
  // A stale pidfile from a dockerd that is gone would make dockerd refuse to start.
  if (existsSync(pidfile) && ownDaemonPid() === undefined) rmSync(pidfile, { force: true });
  const fd = openSync(logFile, 'a');
  const child = spawn('dockerd', ['--iptables=false', '--ip6tables=false', '--pidfile', pidfile], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  let exited;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.on('error', (error) => {
    exited = { code: null, signal: null, error };
  });
  log(`started dockerd (pid ${child.pid}, log ${logFile}); waiting up to ${START_DEADLINE_MS / 1000} s for it to answer`);
  const candidate = { source: 'dockerd started by this script', host: `unix://${DEFAULT_SOCKET}`, options: optionsForHost(`unix://${DEFAULT_SOCKET}`) };
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (exited) {
      throw new UserError(`dockerd exited right after starting (${exited.error ? exited.error.message : `code ${exited.code}, signal ${exited.signal}`}). Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    const result = await pingEndpoint(candidate);
    if (result.ok) return { ...candidate, version: result.version, apiVersion: result.apiVersion, startedByUs: true, startedNow: true, pid: child.pid };
    await sleep(500);
  }
  throw new UserError(`dockerd did not answer within ${START_DEADLINE_MS / 1000} s. Last lines of ${logFile}:\n${tail(logFile)}`);
}

/**
 * Makes sure a Docker Engine answers. Resolves { source, host, version, apiVersion, startedByUs,
 * startedNow } (startedByUs: it is the dockerd this project started, now or earlier;
 * startedNow: this call started it).
 * Throws a UserError that says exactly why when none answers and none can be started.
 * Options: { log(message), allowStart = true }.
 */
export async function ensureEngine({ log = (m) => say(TAG, m), allowStart = true } = {}) {
  const { engine, tried } = await findEngine();
  if (engine) {
    const ours = ownDaemonPid() !== undefined && engine.host === `unix://${DEFAULT_SOCKET}`;
    return { ...engine, startedByUs: ours };
  }

  const denied = tried.find((t) => t.code === 'EACCES');
  if (denied) {
    const path = denied.host.replace('unix://', '');
    let group = 'docker';
    try {
      const gid = statSync(path).gid;
      const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
      if (line) group = line.split(':')[0];
    } catch {
      // keep 'docker'
    }
    throw new UserError(
      `permission denied on ${path}: the engine is running but this user may not talk to it.\n` +
        `Fix: sudo usermod -aG ${group} "$USER", then log out and in again (or run \`newgrp ${group}\`), and re-run.`,
    );
  }
  const explicit = tried.find((t) => t.explicit);
  if (explicit && explicit.host !== `unix://${DEFAULT_SOCKET}`) {
    // The user chose an engine: starting a local daemon would not help, everything talks to theirs.
    const how = explicit.source === 'DOCKER_HOST' ? 'unset DOCKER_HOST to use a local engine' : 'switch back with `docker context use default` (or unset DOCKER_CONTEXT)';
    const what = explicit.unusable ? `${explicit.source} is unusable: ${explicit.reason}` : `${explicit.source} (${explicit.host}) does not answer: ${explicit.reason}`;
    throw new UserError(`${what}. Start that engine, or ${how}.`);
  }
  if (!allowStart) throw new UserError(`no Docker Engine answers.\nTried:\n${explain(tried)}`);
  if (process.platform !== 'linux' || !isDebianLike()) {
    throw new UserError(`no Docker Engine answers, and this is not a Debian-like Linux, so none is installed automatically. Start Docker (Docker Desktop, or your distribution's docker package) and re-run.\nTried:\n${explain(tried)}`);
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new UserError(`no Docker Engine answers, and this script is not running as root, so it cannot install or start one. Run it with sudo, or start Docker yourself (sudo apt-get install docker.io && sudo systemctl start docker).\nTried:\n${explain(tried)}`);
  }
  if (!(await which('dockerd'))) await installDockerIo(log);
  log(`no engine answered:\n${explain(tried)}`);
  return startOwnDaemon(log);
}

/** Stops the dockerd we started (pidfile in the cache dir); never any other. */
export async function stopOwnEngine({ log = (m) => say(TAG, m) } = {}) {
  const pid = ownDaemonPid();
  if (pid === undefined) {
    log('no dockerd started by this project is running; nothing to stop');
    return false;
  }
  log(`stopping the dockerd we started (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && processAlive(pid)) await sleep(250);
  if (processAlive(pid)) throw new UserError(`dockerd (pid ${pid}) did not stop within 30 s`);
  log('stopped');
  return true;
}

/** Environment for docker CLI children so they talk to the engine `ensureEngine` found (the one dockerode uses). */
export function dockerCliEnv(engine) {
  const env = { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? '0' };
  // A docker context carries its own TLS settings; the CLI already uses it. Sockets and
  // DOCKER_HOST are passed on as they are.
  if (engine?.host && !String(engine.source ?? '').startsWith('docker context')) env.DOCKER_HOST = engine.host;
  return env;
}

/** A dockerode client of the engine `ensureEngine` found. */
export function engineClient(engine, timeout = 30_000) {
  return new Docker({ ...(engine.options ?? optionsForHost(engine.host)), timeout });
}
