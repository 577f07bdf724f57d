/**
 * Where the Docker Engine is, resolved the way the docker CLI does it, and a dockerode
 * client for it. No `vscode` import: the extension, the CLI and the tests share this.
 *
 * Order (first that applies wins):
 *   1. an explicit override (the `containerLabs.engine.host` setting, a CLI flag)
 *   2. DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, ssh://)
 *   3. DOCKER_CONTEXT
 *   4. `currentContext` in the docker config (DOCKER_CONFIG or ~/.docker/config.json)
 *   5. the first socket that exists: /var/run/docker.sock, Docker Desktop's
 *      ~/.docker/run/docker.sock, rootless $XDG_RUNTIME_DIR/docker.sock, then Podman's:
 *      rootful /run/podman/podman.sock, rootless $XDG_RUNTIME_DIR/podman/podman.sock, and
 *      the sockets of `podman machine` / Podman Desktop on macOS
 *
 * ssh endpoints go through the system's `ssh`, as with the docker CLI (see ./ssh.ts); tcp
 * endpoints with TLS read ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH (or the context).
 * The client speaks the API version both sides know (negotiateApiVersion), like the docker CLI.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import Dockerode from 'dockerode';
import { errorMessage } from '../text';
import { resolveSshTarget, SshAgent } from './ssh';

export type EndpointKind = 'unix' | 'npipe' | 'tcp' | 'ssh';

export interface EngineTls {
  /** Verify the server certificate against `ca` (DOCKER_TLS_VERIFY / a context without SkipTLSVerify). */
  verify: boolean;
  /** Paths of the PEM files; each may be absent. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface EngineEndpoint {
  kind: EndpointKind;
  /** The endpoint as a docker host URL, e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`. */
  url: string;
  /** Socket path for unix / npipe endpoints. */
  socketPath?: string;
  /** Host name for tcp / ssh endpoints (for ssh, as written: it may be an alias of ~/.ssh/config). */
  host?: string;
  /** Port for tcp endpoints; for ssh only when the URL gives one (else ssh's configuration decides). */
  port?: number;
  /** User for ssh endpoints, when the URL gives one. */
  username?: string;
  /** For ssh: where `ssh -G` says the connection goes (aliases resolved), when ssh could tell. */
  sshResolved?: { hostname: string; user?: string; port?: number };
  /** TLS material for tcp endpoints that use TLS. */
  tls?: EngineTls;
  /** Name of the docker context it came from, when it came from one. */
  contextName?: string;
  /**
   * Set when a context was asked for (DOCKER_CONTEXT or currentContext) but cannot be used
   * (it does not exist, its metadata is unreadable). The endpoint then falls back to the
   * default socket so that a client can still be built; the health report says `wrong-context`.
   */
  contextError?: string;
  /**
   * Set when the override or DOCKER_HOST is not a docker host URL. The endpoint then falls
   * back to the default socket; the health report says `unreachable` with this text.
   */
  hostError?: string;
  /** With hostError: where the address that cannot be used came from (`setting` or `DOCKER_HOST`). */
  hostErrorSource?: string;
  /** Where it came from, e.g. `DOCKER_HOST`, `context "remote" (DOCKER_CONTEXT)`, `default socket`. */
  source: string;
  /** For a unix socket: whose engine the path says it is (Podman's usual sockets), when it says. */
  engineHint?: 'podman' | 'docker';
  /** One line for people, e.g. `unix:///var/run/docker.sock (default socket)`. */
  description: string;
  /** Host where published ports answer: 127.0.0.1 for sockets, the tcp/ssh host otherwise. */
  publishedHost: string;
}

export interface ResolveOptions {
  /** An explicit docker host URL that wins over everything else (empty means none). */
  override?: string;
  /** Environment to read, default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Home directory, default `os.homedir()`. */
  home?: string;
  /**
   * The system-wide socket, default `/var/run/docker.sock`. Tests set it to a path that
   * does not exist to see the Docker Desktop and rootless fallbacks.
   */
  systemSocket?: string;
}

const LOOPBACK = '127.0.0.1';

/**
 * What a terminal's `docker` needs in its environment to reach this endpoint, when it would
 * not find it by itself: only an endpoint from the `containerLabs.engine.host` setting (or the
 * CLI's `--host`). DOCKER_HOST, contexts and the default socket are what the docker CLI finds
 * on its own. undefined: the terminal's own environment already reaches it.
 */
export function dockerCliEnv(endpoint: EngineEndpoint): Record<string, string | null> | undefined {
  if (endpoint.source !== 'setting' || endpoint.hostError !== undefined) return undefined;
  // DOCKER_HOST wins over the current context; a DOCKER_CONTEXT beside it would be an error for docker.
  return { DOCKER_HOST: endpoint.url, DOCKER_CONTEXT: null };
}

/** Resolve the engine endpoint. Pure apart from reading the docker config and stat-ing sockets. */
export function resolveEndpoint(opts: ResolveOptions = {}): EngineEndpoint {
  const env = opts.env ?? process.env;
  const home = opts.home ?? env.HOME ?? os.homedir();
  const override = opts.override?.trim();
  if (override) {
    return fromHostOrFallback(override, 'setting', env, home, opts.systemSocket);
  }
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    return fromHostOrFallback(dockerHost, 'DOCKER_HOST', env, home, opts.systemSocket);
  }
  const configDir = env.DOCKER_CONFIG?.trim() || path.join(home, '.docker');
  const envContext = env.DOCKER_CONTEXT?.trim();
  let contextName: string | undefined;
  let contextOrigin = '';
  if (envContext) {
    contextName = envContext;
    contextOrigin = 'DOCKER_CONTEXT';
  } else {
    const current = readCurrentContext(configDir);
    if (current) {
      contextName = current;
      contextOrigin = `currentContext in ${path.join(configDir, 'config.json')}`;
    }
  }
  if (contextName && contextName !== 'default') {
    const fromContext = fromContextName(contextName, contextOrigin, configDir, env, home);
    if ('endpoint' in fromContext) {
      return fromContext.endpoint;
    }
    const fallback = defaultSocket(env, home, opts.systemSocket);
    return {
      ...fallback,
      contextName,
      contextError: fromContext.error,
      description: l10n.t('{0}; context "{1}" ({2}) is unusable: {3}', fallback.description, contextName, contextOrigin, fromContext.error),
    };
  }
  return defaultSocket(env, home, opts.systemSocket);
}

function fromHostOrFallback(raw: string, source: string, env: NodeJS.ProcessEnv, home: string, systemSocket?: string): EngineEndpoint {
  try {
    return fromHostUrl(raw, source, env, home);
  } catch (err) {
    const fallback = defaultSocket(env, home, systemSocket);
    const hostError = errorText(err);
    return { ...fallback, hostError, hostErrorSource: source, description: `${fallback.description}; ${hostError}` };
  }
}

/** The default socket: the first of the usual places that exists, else /var/run/docker.sock. */
function defaultSocket(env: NodeJS.ProcessEnv, home: string, systemSocket?: string): EngineEndpoint {
  if (process.platform === 'win32') {
    const pipe = '//./pipe/docker_engine';
    return {
      kind: 'npipe',
      url: `npipe://${pipe}`,
      socketPath: pipe,
      source: 'default named pipe',
      description: `npipe://${pipe} (default named pipe)`,
      publishedHost: LOOPBACK,
    };
  }
  const system = systemSocket ?? '/var/run/docker.sock';
  const candidates: Array<{ file: string; source: string }> = [
    { file: system, source: 'default socket' },
    { file: path.join(home, '.docker', 'run', 'docker.sock'), source: 'Docker Desktop socket' },
  ];
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim();
  if (runtimeDir) {
    candidates.push({ file: path.join(runtimeDir, 'docker.sock'), source: 'rootless socket' });
  }
  // Podman serves the same API on sockets of its own, which the docker CLI does not look at:
  // the health report then says how to point DOCKER_HOST at the one found.
  for (const c of podmanSockets(env, home)) candidates.push(c);
  const found = candidates.find((c) => exists(c.file)) ?? { file: system, source: 'default socket' };
  return unixEndpoint(found.file, found.source);
}

/**
 * Where Podman's API socket usually is: rootful (systemd's podman.socket), rootless (the
 * user's podman.socket), and `podman machine` (also what Podman Desktop starts) on macOS.
 */
export function podmanSockets(env: NodeJS.ProcessEnv, home: string): Array<{ file: string; source: string }> {
  const list = [{ file: '/run/podman/podman.sock', source: 'Podman socket (rootful)' }];
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim();
  if (runtimeDir) list.push({ file: path.join(runtimeDir, 'podman', 'podman.sock'), source: 'Podman socket (rootless)' });
  const machineDir = path.join(home, '.local', 'share', 'containers', 'podman', 'machine');
  list.push(
    { file: path.join(machineDir, 'podman.sock'), source: 'Podman machine socket' },
    { file: path.join(machineDir, 'qemu', 'podman.sock'), source: 'Podman machine socket' },
    { file: path.join(machineDir, 'podman-machine-default', 'podman.sock'), source: 'Podman machine socket' },
  );
  const tmp = env.TMPDIR?.trim();
  if (tmp) list.push({ file: path.join(tmp, 'podman', 'podman-machine-default-api.sock'), source: 'Podman machine socket' });
  return list;
}

/** Whether a socket path is one of Podman's (its name or the folder it lives in). */
function podmanHint(socketPath: string): 'podman' | undefined {
  return /(^|[\\/])podman[\\/]|podman[^\\/]*\.sock$/.test(socketPath) ? 'podman' : undefined;
}

function unixEndpoint(socketPath: string, source: string): EngineEndpoint {
  const endpoint: EngineEndpoint = {
    kind: 'unix',
    url: `unix://${socketPath}`,
    socketPath,
    source,
    description: `unix://${socketPath} (${source})`,
    publishedHost: LOOPBACK,
  };
  const hint = podmanHint(socketPath);
  if (hint) endpoint.engineHint = hint;
  return endpoint;
}

/** Parse a docker host URL. Throws an Error with a readable message when it is not one. */
function fromHostUrl(
  raw: string,
  source: string,
  env: NodeJS.ProcessEnv,
  home: string,
  /** From a context: its own TLS material (null: none), never the environment's. */
  tlsFromContext?: EngineTls | null,
): EngineEndpoint {
  const text = raw.includes('://') ? raw : `tcp://${raw}`;
  const scheme = text.slice(0, text.indexOf('://')).toLowerCase();
  if (scheme === 'unix') {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath) {
      throw new Error(l10n.t('{0}: "{1}" has no socket path (expected unix:///path/to/docker.sock)', source, raw));
    }
    return unixEndpoint(socketPath, source);
  }
  if (scheme === 'npipe') {
    const socketPath = text.slice('npipe://'.length) || '//./pipe/docker_engine';
    return {
      kind: 'npipe',
      url: `npipe://${socketPath}`,
      socketPath,
      source,
      description: `npipe://${socketPath} (${source})`,
      publishedHost: LOOPBACK,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new Error(l10n.t('{0}: "{1}" is not a docker host (expected unix://, tcp://host:port or ssh://user@host)', source, raw));
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) {
    throw new Error(l10n.t('{0}: "{1}" has no host name', source, raw));
  }
  if (scheme === 'ssh') {
    const port = parsed.port ? Number(parsed.port) : undefined;
    const username = decodeURIComponent(parsed.username) || undefined;
    const who = username ? `${username}@${host}` : host;
    const remoteSocket = parsed.pathname && parsed.pathname !== '/' ? decodeURIComponent(parsed.pathname) : undefined;
    const url = `ssh://${who}${parsed.port ? `:${parsed.port}` : ''}${remoteSocket ?? ''}`;
    // An alias of ~/.ssh/config (Host lab → HostName 10.0.0.5): published ports answer on
    // the real host, which only ssh knows.
    const resolved = resolveSshTarget({ host, port, username }, env);
    const realHost = resolved?.hostname ?? host;
    const via = resolved && (resolved.hostname !== host || (resolved.user && !username) || (resolved.port && resolved.port !== (port ?? 22)))
      ? ` → ${resolved.user ? `${resolved.user}@` : ''}${resolved.hostname}${resolved.port && resolved.port !== 22 ? `:${resolved.port}` : ''}`
      : '';
    const endpoint: EngineEndpoint = {
      kind: 'ssh',
      url,
      host,
      username,
      source,
      description: `${url}${via} (${source})`,
      publishedHost: realHost === 'localhost' || realHost === '::1' ? LOOPBACK : realHost,
    };
    if (port !== undefined) endpoint.port = port;
    if (remoteSocket) endpoint.socketPath = remoteSocket;
    if (resolved) endpoint.sshResolved = resolved;
    return endpoint;
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    throw new Error(l10n.t('{0}: "{1}" uses the unsupported scheme {2}:// (expected unix, tcp or ssh)', source, raw, scheme));
  }
  let tls = tlsFromContext ?? undefined;
  if (tlsFromContext === undefined) {
    const verify = Boolean(env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0' && env.DOCKER_TLS_VERIFY !== 'false');
    const certPath = env.DOCKER_CERT_PATH?.trim();
    if (verify || certPath || scheme === 'https') {
      const dir = certPath || path.join(home, '.docker');
      tls = {
        verify,
        caFile: existingFile(path.join(dir, 'ca.pem')),
        certFile: existingFile(path.join(dir, 'cert.pem')),
        keyFile: existingFile(path.join(dir, 'key.pem')),
      };
    }
  }
  const port = parsed.port ? Number(parsed.port) : tls ? 2376 : 2375;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const url = `tcp://${hostForUrl}:${port}`;
  return {
    kind: 'tcp',
    url,
    host,
    port,
    tls,
    source,
    description: tls ? (tls.verify ? l10n.t('{0} with TLS ({1})', url, source) : l10n.t('{0} with TLS, not verified ({1})', url, source)) : `${url} (${source})`,
    publishedHost: host === '0.0.0.0' || host === '::' ? LOOPBACK : host,
  };
}

function readCurrentContext(configDir: string): string | undefined {
  const file = path.join(configDir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json) && typeof json.currentContext === 'string' && json.currentContext.trim()) {
      return json.currentContext.trim();
    }
  } catch {
    // A docker config we cannot parse: the docker CLI would complain; we use the default.
  }
  return undefined;
}

/** The directory name docker uses for a context: sha256 of its name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function fromContextName(
  name: string,
  origin: string,
  configDir: string,
  env: NodeJS.ProcessEnv,
  home: string,
): { endpoint: EngineEndpoint } | { error: string } {
  const id = contextDirName(name);
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  let text: string;
  try {
    text = fs.readFileSync(metaFile, 'utf8');
  } catch {
    return { error: l10n.t('no context named "{0}" exists (looked for {1})', name, metaFile) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { error: l10n.t('the metadata of context "{0}" is not valid JSON ({1}: {2})', name, metaFile, errorText(err)) };
  }
  const endpoints = isRecord(json) ? json.Endpoints : undefined;
  const docker = isRecord(endpoints) ? endpoints.docker : undefined;
  const host = isRecord(docker) ? docker.Host : undefined;
  if (typeof host !== 'string' || !host) {
    return { error: l10n.t('context "{0}" has no docker endpoint (Endpoints.docker.Host in {1})', name, metaFile) };
  }
  const skipVerify = isRecord(docker) && docker.SkipTLSVerify === true;
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const caFile = existingFile(path.join(tlsDir, 'ca.pem'));
  const certFile = existingFile(path.join(tlsDir, 'cert.pem'));
  const keyFile = existingFile(path.join(tlsDir, 'key.pem'));
  const tls: EngineTls | undefined = caFile || certFile || keyFile ? { verify: !skipVerify, caFile, certFile, keyFile } : undefined;
  const source = `context "${name}" (${origin})`;
  try {
    // A tcp context without TLS material speaks plain HTTP, like the CLI.
    const endpoint = fromHostUrl(host, source, env, home, tls ?? null);
    return { endpoint: { ...endpoint, contextName: name } };
  } catch (err) {
    return { error: errorText(err) };
  }
}

export interface CreateDockerOptions {
  /**
   * Socket inactivity deadline for every request, default 10 000 ms. Long streams
   * (events, logs with follow) must turn it off on their socket themselves.
   */
  timeoutMs?: number;
  /** Environment of the ssh process for ssh endpoints (SSH_AUTH_SOCK, PATH), default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * `new Dockerode(options)` as the options say and nothing else: docker-modem also reads
 * DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from the environment on every client it
 * makes, lets DOCKER_HOST's host win over an explicit socket path, and reads DOCKER_CERT_PATH's
 * files whether or not they exist (an ENOENT thrown at a student). The endpoint was resolved
 * already: the environment is hidden from it while the client is made (synchronously).
 */
function dockerodeFor(options: Dockerode.DockerOptions & { agent?: http.Agent }): Dockerode {
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return new Dockerode(options);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

/** How long an idle kept connection is kept: well under any engine's own idle deadline (Podman's service closes idle ones). */
const IDLE_CONNECTION_MS = 2000;

/** The part of http.Agent that ClientRequest calls (public in Node, not in its types). */
interface RequestTaker {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

/** A read the engine answers the same however often it is sent, on a connection that may be kept. */
function mayReuse(req: http.ClientRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && String(req.getHeader('connection') ?? '').toLowerCase() !== 'close';
}

/**
 * The agent for plain HTTP (a unix socket, a named pipe, tcp without TLS). Reads (GET, HEAD:
 * every check, inspect and list) reuse an idle connection: a new connection per request cost
 * 3-6 ms median (p90 7-22 ms) against 0.6-0.8 ms on a kept one, on this machine's engine while
 * the test suite ran beside it (/tmp probes, 40 inspects each), which made a check's inspect
 * the slowest part of "event to passed". Anything else (create, start, remove, exec, attach)
 * gets a connection of its own: an engine that closes an idle connection just as a request is
 * written on it fails that request with "socket hang up", and only a read may be sent again
 * (retryDroppedReads). Kept connections are let go after IDLE_CONNECTION_MS idle.
 */
class EngineAgent extends http.Agent {
  private readonly kept = new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS, maxFreeSockets: 8 });
  private readonly fresh = new http.Agent({ keepAlive: false });

  constructor() {
    // keepAlive here only lets ClientRequest ask for keep-alive; the agent that takes the request decides.
    super({ keepAlive: true });
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    ((mayReuse(req) ? this.kept : this.fresh) as unknown as RequestTaker).addRequest(req, options);
  }

  override destroy(): void {
    this.kept.destroy();
    this.fresh.destroy();
    super.destroy();
  }
}

function plainAgent(): http.Agent {
  return new EngineAgent();
}

/** The connection went away under the request (the engine closed a kept one as it was written). */
function droppedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

interface DialOptions {
  method?: string;
  headers?: Record<string, string>;
  hijack?: boolean;
}
type Dial = (options: DialOptions, callback: (error: unknown, data: unknown) => void) => void;

/**
 * A read whose kept connection the engine dropped is sent once more, on a connection of its own
 * (`Connection: close` sends it past the kept ones): the engine never read it, and a read
 * answers the same however often it is sent. Nothing else is sent twice.
 */
function retryDroppedReads(docker: Dockerode): Dockerode {
  const modem = docker.modem as unknown as { dial: Dial; headers?: Record<string, string> };
  const dial: Dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    dial(options, (error, data) => {
      const read = options.method === 'GET' || options.method === 'HEAD';
      if (!error || !read || options.hijack === true || !droppedConnection(error)) {
        callback(error, data);
        return;
      }
      dial({ ...options, headers: { ...modem.headers, ...options.headers, Connection: 'close' } }, callback);
    });
  };
  return docker;
}

/** A dockerode client for the endpoint. Does not connect yet. */
export function createDocker(endpoint: EngineEndpoint, opts: CreateDockerOptions = {}): Dockerode {
  const timeout = opts.timeoutMs ?? 10_000;
  switch (endpoint.kind) {
    case 'unix':
    case 'npipe':
      return retryDroppedReads(dockerodeFor({ socketPath: endpoint.socketPath, agent: plainAgent(), timeout }));
    case 'ssh':
      // HTTP over `ssh HOST docker system dial-stdio`; host and port only name the request.
      return dockerodeFor({
        protocol: 'http',
        host: endpoint.host,
        port: endpoint.port ?? 22,
        agent: new SshAgent({ host: endpoint.host ?? '', port: endpoint.port, username: endpoint.username, socketPath: endpoint.socketPath }, { env: opts.env }),
        timeout,
      });
    case 'tcp': {
      if (!endpoint.tls) {
        return retryDroppedReads(dockerodeFor({ protocol: 'http', host: endpoint.host, port: endpoint.port, agent: plainAgent(), timeout }));
      }
      const ca = readOptional(endpoint.tls.caFile);
      const cert = readOptional(endpoint.tls.certFile);
      const key = readOptional(endpoint.tls.keyFile);
      const agent = new https.Agent({ ca, cert, key, rejectUnauthorized: endpoint.tls.verify });
      return dockerodeFor({ protocol: 'https', host: endpoint.host, port: endpoint.port, ca, cert, key, agent, timeout });
    }
  }
}

/**
 * The newest Engine API version the product was written against. Newer engines answer older
 * versions the same way (Docker 29 accepts 1.44 and newer, Podman 4 speaks 1.41), so the client
 * asks for min(this, the engine's own), as the docker CLI negotiates; see docs/engines.md for
 * the fields each check reads.
 */
export const MAX_API_VERSION = '1.47';

/**
 * Pins `docker` to the API version both sides know: the engine's `ApiVersion` when older than
 * MAX_API_VERSION, else MAX_API_VERSION. Without it, requests go unversioned and a newer
 * engine answers in its newest shape. Returns the version chosen.
 */
export function negotiateApiVersion(docker: Dockerode, engineApiVersion: string): string {
  const chosen = compareApiVersions(engineApiVersion, MAX_API_VERSION) < 0 ? engineApiVersion : MAX_API_VERSION;
  (docker.modem as unknown as { version?: string }).version = `v${chosen}`;
  return chosen;
}

/** dockerode's `ping` takes `{ abortSignal }` at run time; its typings omit the argument. */
export function pingOf(docker: Dockerode, signal: AbortSignal): Promise<unknown> {
  const ping = docker.ping.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
  return ping({ abortSignal: signal });
}

/** Compare API versions such as `1.41` and `1.9` numerically. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function readOptional(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function exists(file: string): boolean {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}

function existingFile(file: string): string | undefined {
  return exists(file) ? file : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return errorMessage(err);
}
