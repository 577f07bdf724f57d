/**
 * Is the engine there and usable? A report that tells apart the usual reasons it is not,
 * each with its fix, for every kind of engine a student has: Docker (local, Desktop,
 * rootless), Podman (rootful, rootless, `podman machine`), and remote engines over TLS or ssh,
 * directly or through a docker context. It also says which engine answered and as whom.
 * No `vscode` import.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSecureContext } from 'node:tls';
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import { compareApiVersions, createDocker, negotiateApiVersion, pingOf, type EngineEndpoint } from './connection';
import { callWithDeadline, describeEngineError, engineErrorKind, formatSeconds, messageOf, statusCodeOf } from './errors';
import { SshError } from './ssh';

export type HealthProblem =
  | 'not-running'
  | 'permission-denied'
  | 'wrong-context'
  | 'too-old'
  | 'no-engine-in-codespace'
  | 'unreachable'
  /** DOCKER_CERT_PATH (or the context's TLS folder) is missing, incomplete, or its files are not usable. */
  | 'tls-files'
  /** The engine's certificate is not signed by the CA in ca.pem (or is for another name, or expired). */
  | 'tls-untrusted'
  /** The engine refused our client certificate (none sent, or signed by a CA it does not know). */
  | 'tls-client-refused'
  /** Plain HTTP was sent to a port that speaks TLS. */
  | 'tls-expected'
  /** TLS was sent to a port that speaks plain HTTP. */
  | 'tls-unexpected'
  | 'ssh-no-client'
  /** The remote host's key is not in known_hosts, or it changed. */
  | 'ssh-host-key'
  /** The remote host refused every key (or needs a password). */
  | 'ssh-auth'
  /** The ssh connection itself did not get through (refused, unknown host, timeout). */
  | 'ssh-unreachable'
  /** ssh got in, but there is no docker command on the remote host. */
  | 'ssh-no-docker'
  /** ssh got in, but the remote docker cannot reach its engine (not running, permission). */
  | 'ssh-remote-engine';

export interface HealthFix {
  title: string;
  /** A shell command that fixes it, to show or to send to a terminal (never run silently). */
  command?: string;
  url?: string;
}

/** Which engine answered. */
export interface EngineIdentity {
  /** `Docker Engine`, `Docker Desktop` or `Podman`. */
  product: string;
  version: string;
  /** True when the engine runs without root (rootless Docker or Podman); undefined when unknown. */
  rootless?: boolean;
  /** The engine host's name (`docker info` Name). */
  hostName?: string;
}

export interface HealthReport {
  ok: boolean;
  problem?: HealthProblem;
  /** One or two sentences for people. */
  message: string;
  fixes: HealthFix[];
  endpoint: EngineEndpoint;
  serverVersion?: string;
  /** The engine's own API version. */
  apiVersion?: string;
  /** The API version this client speaks to it (negotiated). */
  clientApiVersion?: string;
  /** Operating system / architecture the engine reports, e.g. `linux/amd64`. */
  platform?: string;
  engine?: EngineIdentity;
  /** Who the engine sees: a local user, an ssh user, a TLS client certificate's subject. */
  user?: string;
  /** The docker context in use, when one is. */
  context?: string;
  /** Things worth knowing that do not stop the labs (Podman's socket and the docker CLI, ...). */
  notes?: string[];
  elapsedMs: number;
}

export interface HealthOptions {
  /** Deadline for the whole check, default 3000 ms (10 s over ssh, which needs a handshake). */
  timeoutMs?: number;
  /** Environment, default `process.env` (for CODESPACES, DOCKER_HOST, XDG_RUNTIME_DIR, PATH). */
  env?: NodeJS.ProcessEnv;
  /** A client to use instead of one built from the endpoint (its API version is negotiated). */
  docker?: Dockerode;
  signal?: AbortSignal;
}

/** The oldest Engine API the checks rely on (Docker 19.03). */
export const MIN_API_VERSION = '1.40';

/** Deadline of /version and /info once /_ping answered (see checkHealth). */
const SLOW_CALL_MS = 15_000;

type Findings = Omit<HealthReport, 'endpoint' | 'elapsedMs' | 'notes' | 'user' | 'context'> & { notes?: string[] };

export async function checkHealth(endpoint: EngineEndpoint, opts: HealthOptions = {}): Promise<HealthReport> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? (endpoint.kind === 'ssh' ? 10_000 : 3000);
  const base = { user: whoAmI(endpoint, env), context: endpoint.contextName };
  const report = (fields: Findings): HealthReport => {
    const r: HealthReport = { ...fields, notes: fields.notes ?? [], endpoint, elapsedMs: Date.now() - started };
    if (base.user) r.user = base.user;
    if (base.context) r.context = base.context;
    return r;
  };

  if (endpoint.contextError) {
    return report({
      ok: false,
      problem: 'wrong-context',
      message: l10n.t('The docker context cannot be used: {0}.', endpoint.contextError),
      fixes: [
        { title: l10n.t('List the contexts that exist'), command: 'docker context ls' },
        { title: l10n.t('Switch back to the default context'), command: 'docker context use default' },
        ...(env.DOCKER_CONTEXT ? [{ title: l10n.t('Or unset DOCKER_CONTEXT in your shell'), command: 'unset DOCKER_CONTEXT' }] : []),
      ],
    });
  }

  if (endpoint.hostError) {
    return report({
      ok: false,
      problem: 'unreachable',
      message: l10n.t('The engine address cannot be used: {0}.', endpoint.hostError),
      fixes: [
        { title: l10n.t('Use a docker host such as unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST') },
        ...(endpoint.hostErrorSource === 'DOCKER_HOST' ? [{ title: l10n.t('Or unset DOCKER_HOST in your shell'), command: 'unset DOCKER_HOST' }] : []),
      ],
    });
  }

  const tlsProblem = checkTlsFiles(endpoint, env);
  if (tlsProblem) return report(tlsProblem);

  // Liveness first, with the deadline: /_ping is cheap everywhere. /version and /info can be
  // slow on an engine that is there (Podman runs `conmon --version` and its runtime's for
  // each /version: seconds on a busy machine), so they get more time, and so does the
  // client's own socket inactivity timeout (the deadlines below bound each call).
  const slowMs = Math.max(timeoutMs, SLOW_CALL_MS);
  const docker = opts.docker ?? createDocker(endpoint, { timeoutMs: slowMs, env });
  try {
    await callWithDeadline((signal) => pingOf(docker, signal), timeoutMs, opts.signal);
  } catch (err) {
    return report(problemFor(err, endpoint, env, timeoutMs));
  }
  // Rootless or not, and the host's name (/info): asked at the same time; without it the report stands.
  const infoCall = callWithDeadline((signal) => infoOf(docker, signal), slowMs, opts.signal).catch(() => undefined);
  let version: Dockerode.DockerVersion;
  try {
    version = await callWithDeadline((signal) => versionOf(docker, signal), slowMs, opts.signal);
  } catch (err) {
    return report(problemFor(err, endpoint, env, slowMs));
  }
  const apiVersion = version.ApiVersion;
  const serverVersion = version.Version;
  const platform = version.Os && version.Arch ? `${version.Os}/${version.Arch}` : undefined;
  const identity: EngineIdentity = { product: productOf(version), version: serverVersion };
  if (apiVersion && compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
    return report({
      ok: false,
      problem: 'too-old',
      message: l10n.t('The {0} at {1} is too old: version {2} speaks API {3}; Container Labs needs API {4} (Docker 19.03) or newer.', identity.product, endpoint.url, String(serverVersion), apiVersion, MIN_API_VERSION),
      fixes: identity.product === 'Podman'
        ? [{ title: l10n.t('Update Podman (4.0 or newer serves API 1.40 and up)'), url: 'https://podman.io/docs/installation' }]
        : [
            { title: l10n.t('Update Docker Engine'), url: 'https://docs.docker.com/engine/install/' },
            { title: l10n.t('Update Docker Desktop'), url: 'https://docs.docker.com/desktop/release-notes/' },
          ],
      serverVersion,
      apiVersion,
      platform,
      engine: identity,
    });
  }
  const clientApiVersion = apiVersion ? negotiateApiVersion(docker, apiVersion) : undefined;
  const info = await infoCall;
  if (info) {
    const security = Array.isArray(info.SecurityOptions) ? info.SecurityOptions : [];
    identity.rootless = security.some((o) => /name=rootless/.test(o));
    if (typeof info.Name === 'string' && info.Name) identity.hostName = info.Name;
  }
  // `${version}` as the template did: an engine that leaves a field out shows `undefined`.
  const answers = [identity.product, String(serverVersion), String(apiVersion), endpoint.description] as const;
  return report({
    ok: true,
    message: identity.rootless ? l10n.t('rootless {0} {1} (API {2}) answers at {3}.', ...answers) : l10n.t('{0} {1} (API {2}) answers at {3}.', ...answers),
    fixes: [],
    serverVersion,
    apiVersion,
    clientApiVersion,
    platform,
    engine: identity,
    notes: notesFor(endpoint, identity),
  });
}

/** What the engine's /version says it is. */
function productOf(version: Dockerode.DockerVersion): string {
  const components = (version as { Components?: Array<{ Name?: unknown }> }).Components ?? [];
  if (components.some((c) => typeof c.Name === 'string' && /podman/i.test(c.Name))) return 'Podman';
  const platform = (version as { Platform?: { Name?: unknown } }).Platform?.Name;
  if (typeof platform === 'string' && /docker desktop/i.test(platform)) return 'Docker Desktop';
  return 'Docker Engine';
}

/** Who the engine sees: the ssh user, the TLS client certificate, or the local user. */
function whoAmI(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): string | undefined {
  if (endpoint.kind === 'ssh') {
    const user = endpoint.username ?? endpoint.sshResolved?.user ?? localUser(env);
    return user ? l10n.t('{0} on {1} (ssh)', user, endpoint.sshResolved?.hostname ?? endpoint.host ?? l10n.t('the remote host')) : undefined;
  }
  if (endpoint.kind === 'tcp') {
    if (!endpoint.tls?.certFile) return endpoint.tls ? l10n.t('no client certificate') : l10n.t('anyone who reaches the port (no TLS)');
    try {
      const subject = new X509Certificate(fs.readFileSync(endpoint.tls.certFile)).subject.replace(/\n/g, ', ');
      return l10n.t('the client certificate {0}', subject);
    } catch {
      return undefined;
    }
  }
  const user = localUser(env);
  return user ? l10n.t('{0} (this computer)', user) : undefined;
}

function localUser(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME;
  }
}

/** Notes for an engine that answers, about what a student will trip over next. */
function notesFor(endpoint: EngineEndpoint, identity: EngineIdentity): string[] {
  const notes: string[] = [];
  const chosenBySearch = endpoint.source.startsWith('Podman');
  if (identity.product === 'Podman' && chosenBySearch && endpoint.socketPath) {
    notes.push(
      l10n.t('The docker CLI does not look for Podman\'s socket by itself: in your terminal, run `export DOCKER_HOST=unix://{0}` (or install podman-docker), so that `docker` commands reach the engine the checks read.', endpoint.socketPath),
    );
  }
  if (identity.product === 'Podman') {
    notes.push(
      identity.rootless
        ? l10n.t('This is your own (rootless) Podman: containers made with `sudo podman` or `sudo docker` are in root\'s store, which the checks do not see.')
        : l10n.t('This is root\'s Podman: containers made with `podman` as your own user (rootless) are in another store, which the checks do not see.'),
    );
  }
  if (endpoint.kind === 'tcp' && !endpoint.tls && !['127.0.0.1', 'localhost', '::1'].includes(endpoint.host ?? '')) {
    notes.push(l10n.t('The engine at {0} speaks plain HTTP: anyone who reaches that port controls the engine. Use TLS (port 2376) or ssh://.', endpoint.url));
  }
  if ((endpoint.kind === 'ssh' || endpoint.kind === 'tcp') && !['127.0.0.1', 'localhost', '::1'].includes(endpoint.publishedHost)) {
    notes.push(l10n.t('Published ports are reached on {0}, not on this computer: open http://{0}:PORT in the browser.', endpoint.publishedHost));
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// TLS: the files, before any connection, then what the handshake said

/** Where the TLS files came from, for the messages. */
function tlsFolderOf(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): { dir: string; how: string } {
  if (endpoint.contextName) {
    const file = endpoint.tls?.caFile ?? endpoint.tls?.certFile ?? endpoint.tls?.keyFile;
    return { dir: file ? path.dirname(file) : l10n.t('the context\'s TLS folder'), how: l10n.t('the TLS folder of context "{0}"', endpoint.contextName) };
  }
  const certPath = env.DOCKER_CERT_PATH?.trim();
  if (certPath) return { dir: certPath, how: `DOCKER_CERT_PATH (${certPath})` };
  const dir = path.join(env.HOME ?? os.homedir(), '.docker');
  return { dir, how: l10n.t('{0} (DOCKER_CERT_PATH is not set)', dir) };
}

/** Missing, unreadable or mismatched certificate files: found before connecting, each with its fix. */
function checkTlsFiles(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): Findings | undefined {
  const tls = endpoint.tls;
  if (endpoint.kind !== 'tcp' || !tls) return undefined;
  const { dir, how } = tlsFolderOf(endpoint, env);
  const fixes: HealthFix[] = [
    { title: l10n.t('Put the engine\'s CA certificate (ca.pem) and your client certificate and key (cert.pem, key.pem) in {0}: your instructor or the engine\'s admin has them', dir) },
    { title: l10n.t('See what the docker CLI says with the same settings'), command: 'docker version' },
  ];
  if (!endpoint.contextName && env.DOCKER_CERT_PATH && !isDirectory(dir)) {
    return {
      ok: false,
      problem: 'tls-files',
      message: l10n.t('TLS is on for {0}, but {1} does not exist, so there are no certificates to use.', endpoint.url, how),
      fixes: [{ title: l10n.t('Point DOCKER_CERT_PATH at the folder with ca.pem, cert.pem and key.pem'), command: 'export DOCKER_CERT_PATH=/path/to/certs' }, ...fixes],
    };
  }
  const missing = [
    ...(tls.verify && !tls.caFile ? ['ca.pem'] : []),
    ...(!tls.certFile && tls.keyFile ? ['cert.pem'] : []),
    ...(tls.certFile && !tls.keyFile ? ['key.pem'] : []),
    // The docker CLI needs a client certificate whenever it verifies: say so before it fails.
    ...(tls.verify && !tls.certFile && !tls.keyFile ? ['cert.pem', 'key.pem'] : []),
  ];
  if (missing.length > 0) {
    return {
      ok: false,
      problem: 'tls-files',
      message: missing.length === 1
        ? l10n.t('TLS is on for {0}, but {1} is missing from {2}.', endpoint.url, listed(missing), how)
        : l10n.t('TLS is on for {0}, but {1} are missing from {2}.', endpoint.url, listed(missing), how),
      fixes,
    };
  }
  const read = (file: string | undefined): Buffer | undefined | Error => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };
  const ca = read(tls.caFile);
  const cert = read(tls.certFile);
  const key = read(tls.keyFile);
  for (const [name, value] of [['ca.pem', ca], ['cert.pem', cert], ['key.pem', key]] as const) {
    if (value instanceof Error) {
      return { ok: false, problem: 'tls-files', message: l10n.t('{0} in {1} cannot be read: {2}.', name, dir, messageOf(value)), fixes };
    }
  }
  try {
    createSecureContext({ ca: ca as Buffer | undefined, cert: cert as Buffer | undefined, key: key as Buffer | undefined });
  } catch (err) {
    const text = messageOf(err);
    const mismatch = /key values mismatch|KEY_VALUES_MISMATCH/i.test(text) || (err as { code?: string }).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH';
    const which = /no start line|PEM|bad base64|ASN1/i.test(text) ? l10n.t('one of ca.pem, cert.pem and key.pem is not a PEM certificate or key') : text;
    return {
      ok: false,
      problem: 'tls-files',
      message: mismatch
        ? l10n.t('cert.pem and key.pem in {0} do not belong together: the key is not the certificate\'s. Use the key that was made with that certificate.', dir)
        : l10n.t('The TLS files in {0} cannot be used: {1}.', dir, which),
      fixes,
    };
  }
  return undefined;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : l10n.t('{0} and {1}', items.slice(0, -1).join(', '), items[items.length - 1] ?? '');
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

function codeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** A TLS (or TLS-versus-plain-HTTP) failure, when `err` is one. */
function tlsProblemFor(err: unknown, endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): Findings | undefined {
  if (endpoint.kind !== 'tcp') return undefined;
  const code = codeOf(err);
  const text = messageOf(err);
  const hostPort = `${endpoint.host ?? ''}:${endpoint.port ?? ''}`;
  if (!endpoint.tls) {
    // A TLS port closes on plain HTTP (stunnel, a proxy) or answers 400 (dockerd --tlsverify).
    const plainRefused = code === 'ECONNRESET' || code === 'EPIPE' || code === 'HPE_INVALID_CONSTANT' || /socket hang up/i.test(text);
    const told = statusCodeOf(err) === 400 && /HTTP request to an HTTPS server/i.test(text);
    if (plainRefused || told) {
      return {
        ok: false,
        problem: 'tls-expected',
        message: endpoint.port === 2376
          ? l10n.t('The engine at {0} closed the connection on plain HTTP: that port speaks TLS (2376 is Docker\'s TLS port). Turn TLS on and give the certificates.', endpoint.url)
          : l10n.t('The engine at {0} closed the connection on plain HTTP: that port speaks TLS. Turn TLS on and give the certificates.', endpoint.url),
        fixes: [
          { title: l10n.t('Turn TLS on for the docker CLI and Container Labs'), command: 'export DOCKER_TLS_VERIFY=1' },
          { title: l10n.t('Point DOCKER_CERT_PATH at the folder with ca.pem, cert.pem and key.pem'), command: 'export DOCKER_CERT_PATH=/path/to/certs' },
        ],
      };
    }
    return undefined;
  }
  const { dir } = tlsFolderOf(endpoint, env);
  if (UNTRUSTED.has(code)) {
    return {
      ok: false,
      problem: 'tls-untrusted',
      message: l10n.t('The engine at {0} showed a certificate that ca.pem in {1} does not vouch for (unknown CA: {2}). This ca.pem belongs to another engine, or someone is in between.', endpoint.url, dir, code),
      fixes: [
        { title: l10n.t('Get this engine\'s ca.pem from your instructor or the engine\'s admin, and put it in {0}', dir) },
        { title: l10n.t('See the certificate the engine shows'), command: `openssl s_client -connect ${hostPort} -showcerts </dev/null` },
      ],
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      ok: false,
      problem: 'tls-untrusted',
      message: l10n.t('The engine\'s certificate is not for {0}: {1}. Connect with the name or address its certificate was made for.', endpoint.host ?? l10n.t('this address'), text),
      fixes: [{ title: l10n.t('See which names the certificate covers'), command: `openssl s_client -connect ${hostPort} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName` }],
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      ok: false,
      problem: 'tls-untrusted',
      message: code === 'CERT_HAS_EXPIRED'
        ? l10n.t('The engine\'s certificate at {0} has expired.', endpoint.url)
        : l10n.t('The engine\'s certificate at {0} is not valid yet (is this computer\'s clock right?).', endpoint.url),
      fixes: [{ title: l10n.t('Ask the engine\'s admin for a new server certificate') }],
    };
  }
  if (/ALERT_CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_HANDSHAKE_FAILURE|ALERT_ACCESS_DENIED/.test(code) || /alert (certificate required|bad certificate|unknown ca|handshake failure)/i.test(text)) {
    const none = !endpoint.tls.certFile;
    return {
      ok: false,
      problem: 'tls-client-refused',
      message: none
        ? l10n.t('The engine at {0} wants a client certificate, and {1} has none (cert.pem, key.pem).', endpoint.url, dir)
        : l10n.t('The engine at {0} refused the client certificate cert.pem in {1}: it is not signed by a CA that engine trusts.', endpoint.url, dir),
      fixes: [{ title: l10n.t('Get a client certificate (cert.pem, key.pem) made for this engine from your instructor or the engine\'s admin, and put it in {0}', dir) }],
    };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(text)) {
    return {
      ok: false,
      problem: 'tls-unexpected',
      message: endpoint.port === 2375
        ? l10n.t('The engine at {0} speaks plain HTTP, not TLS (2375 is Docker\'s plain port).', endpoint.url)
        : l10n.t('The engine at {0} speaks plain HTTP, not TLS.', endpoint.url),
      fixes: [
        { title: l10n.t('Turn TLS off for this engine'), command: 'unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH' },
        { title: l10n.t('Or use the engine\'s TLS port, usually 2376') },
      ],
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// ssh: what ssh itself said

function sshProblemFor(err: SshError, endpoint: EngineEndpoint): Findings {
  const target = `${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host ?? ''}`;
  const portFlag = endpoint.port !== undefined ? ` -p ${endpoint.port}` : '';
  const tryIt = { title: l10n.t('Try the same connection in a terminal'), command: `ssh${portFlag} ${target} docker version` };
  const said = err.stderr ? ` ${l10n.t('ssh said: "{0}"', err.stderr)}` : '';
  switch (err.kind) {
    case 'no-ssh-client':
      return {
        ok: false,
        problem: 'ssh-no-client',
        message: l10n.t('{0} needs the ssh command, and it is not installed or not on PATH.', endpoint.url),
        fixes: [
          { title: l10n.t('Install the OpenSSH client (Debian/Ubuntu)'), command: 'sudo apt-get install openssh-client' },
          { title: l10n.t('On Windows: Settings > System > Optional features > OpenSSH Client') },
        ],
      };
    case 'host-key-unknown':
      return {
        ok: false,
        problem: 'ssh-host-key',
        message: (endpoint.port !== undefined
          ? l10n.t('The host key of {0} (port {1}) is not in your known_hosts, so ssh will not connect without asking, and nothing here can answer.', endpoint.host ?? l10n.t('the remote host'), endpoint.port)
          : l10n.t('The host key of {0} is not in your known_hosts, so ssh will not connect without asking, and nothing here can answer.', endpoint.host ?? l10n.t('the remote host'))) + said,
        fixes: [
          { title: l10n.t('Connect once in a terminal, compare the fingerprint with the one your instructor gave, and answer yes'), command: `ssh${portFlag} ${target} true` },
        ],
      };
    case 'host-key-changed':
      return {
        ok: false,
        problem: 'ssh-host-key',
        message: l10n.t('The host key of {0} changed since you last connected: either the machine was rebuilt or someone is in between. ssh refuses to connect.', endpoint.host ?? l10n.t('the remote host')) + said,
        fixes: [
          { title: l10n.t('Ask your instructor whether the machine was rebuilt; only then forget the old key'), command: `ssh-keygen -R ${endpoint.port !== undefined ? `'[${endpoint.host ?? ''}]:${endpoint.port}'` : endpoint.host ?? ''}` },
        ],
      };
    case 'auth-refused':
      return {
        ok: false,
        problem: 'ssh-auth',
        message: `${l10n.t('{0} refused every key ssh offered for {1}.', endpoint.host ?? l10n.t('The remote host'), target)}${said} ${l10n.t('Container Labs (like the docker CLI) needs a key: in your ssh-agent or named in ~/.ssh/config; it cannot type a password.')}`,
        fixes: [
          { title: l10n.t('See which keys your agent holds'), command: 'ssh-add -l' },
          { title: l10n.t('Add your key to the agent'), command: 'ssh-add ~/.ssh/id_ed25519' },
          { title: l10n.t('Or install your public key on the remote host'), command: `ssh-copy-id${portFlag} ${target}` },
        ],
      };
    case 'no-docker':
      return {
        ok: false,
        problem: 'ssh-no-docker',
        message: l10n.t('ssh to {0} works, but there is no docker command there (in the PATH of a non-interactive ssh session).', target) + said,
        fixes: [
          { title: l10n.t('Install Docker on the remote host'), url: 'https://docs.docker.com/engine/install/' },
          { title: l10n.t('See which docker the remote session finds'), command: `ssh${portFlag} ${target} 'command -v docker; echo $PATH'` },
        ],
      };
    case 'remote-permission-denied':
    case 'remote-engine-down':
      return {
        ok: false,
        problem: 'ssh-remote-engine',
        message: err.kind === 'remote-permission-denied'
          ? l10n.t('ssh to {0} works, but that user may not use the remote Docker socket.', target) + said
          : l10n.t('ssh to {0} works, but the Docker engine there is not running.', target) + said,
        fixes: err.kind === 'remote-permission-denied'
          ? [{ title: l10n.t('On the remote host, add the user to the docker group, then connect again'), command: 'sudo usermod -aG docker $USER' }]
          : [{ title: l10n.t('Start Docker on the remote host'), command: `ssh${portFlag} ${target} sudo systemctl start docker` }],
      };
    case 'host-not-found':
    case 'connection-refused':
    case 'connection-timeout':
    case 'other': {
      const what = err.kind === 'host-not-found'
        ? l10n.t('the host name {0} cannot be resolved (not in DNS, and no Host entry in ~/.ssh/config)', endpoint.host ?? '')
        : err.kind === 'connection-refused'
          ? l10n.t('the connection was refused: no sshd listens there')
          : err.kind === 'connection-timeout'
            ? l10n.t('the connection timed out: the host is down, or a firewall is in the way')
            : l10n.t('ssh failed');
      return {
        ok: false,
        problem: 'ssh-unreachable',
        message: l10n.t('The SSH connection to {0} did not get through: {1}.', endpoint.url, what) + said,
        fixes: [tryIt, { title: l10n.t('Check the address, the port and the user in DOCKER_HOST or the context'), command: 'docker context ls' }],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------

function problemFor(err: unknown, endpoint: EngineEndpoint, env: NodeJS.ProcessEnv, timeoutMs: number): Findings {
  if (err instanceof SshError) return sshProblemFor(err, endpoint);
  const tls = tlsProblemFor(err, endpoint, env);
  if (tls) return tls;
  const kind = engineErrorKind(err);
  const detail = describeEngineError(err, endpoint, timeoutMs);
  const inCodespace = env.CODESPACES === 'true';
  if (kind === 'not-running' && inCodespace) {
    return {
      ok: false,
      problem: 'no-engine-in-codespace',
      message: l10n.t('This Codespace has no Docker Engine ({0}). Add the docker-in-docker feature to the dev container and rebuild it.', detail),
      fixes: [
        {
          title: l10n.t('Add "ghcr.io/devcontainers/features/docker-in-docker:2": {} to "features" in .devcontainer/devcontainer.json, then run "Codespaces: Rebuild Container"'),
          url: 'https://github.com/devcontainers/features/tree/main/src/docker-in-docker',
        },
      ],
    };
  }
  if (kind === 'not-running') {
    const podman = endpoint.engineHint === 'podman';
    const message = podman ? l10n.t('The Podman service is not running: {0}.', detail) : l10n.t('The Docker Engine is not running: {0}.', detail);
    return { ok: false, problem: 'not-running', message, fixes: startFixes(endpoint, env) };
  }
  if (kind === 'permission-denied') {
    return {
      ok: false,
      problem: 'permission-denied',
      message: l10n.t('Permission denied on {0}: your user may not use the {1} socket.', endpoint.socketPath ?? endpoint.url, endpoint.engineHint === 'podman' ? 'Podman' : 'Docker'),
      fixes: endpoint.engineHint === 'podman'
        ? [{ title: l10n.t('Use your own (rootless) Podman socket instead of root\'s'), command: 'systemctl --user enable --now podman.socket && export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock' }]
        : [
            { title: l10n.t('Add your user to the docker group, then log out and back in (or run `newgrp docker`)'), command: 'sudo usermod -aG docker $USER' },
            { title: l10n.t('Docker post-installation steps for Linux'), url: 'https://docs.docker.com/engine/install/linux-postinstall/' },
          ],
    };
  }
  if (kind === 'timeout') {
    return {
      ok: false,
      problem: 'unreachable',
      message: l10n.t('The Docker Engine at {0} did not answer within {1}. It may be starting, overloaded or behind a firewall.', endpoint.url, formatSeconds(timeoutMs)),
      fixes: [
        { title: l10n.t('See whether the docker CLI gets an answer'), command: 'docker version' },
        ...startFixes(endpoint, env),
      ],
    };
  }
  return {
    ok: false,
    problem: 'unreachable',
    message: l10n.t('The Docker Engine at {0} cannot be reached: {1}.', endpoint.url, detail),
    fixes: [
      { title: l10n.t('See what the docker CLI says'), command: 'docker version' },
      ...(endpoint.source === 'DOCKER_HOST' ? [{ title: l10n.t('Check DOCKER_HOST in your shell'), command: 'echo $DOCKER_HOST' }] : []),
    ],
  };
}

/** Whether `name` is a program on PATH (no process started). */
function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return dirs.some((d) => exts.some((e) => {
    try {
      fs.accessSync(path.join(d, name + e), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }));
}

function podmanStartFixes(endpoint: EngineEndpoint): HealthFix[] {
  if (endpoint.source === 'Podman machine socket' || process.platform === 'darwin' || process.platform === 'win32') {
    return [
      { title: l10n.t('Start the Podman machine (Podman Desktop does this from its dashboard)'), command: 'podman machine start' },
      { title: l10n.t('Then use its socket'), command: 'export DOCKER_HOST=unix://$(podman machine inspect --format \'{{.ConnectionInfo.PodmanSocket.Path}}\')' },
    ];
  }
  if (endpoint.source === 'Podman socket (rootful)' || endpoint.socketPath === '/run/podman/podman.sock') {
    return [{ title: l10n.t('Start root\'s Podman API socket'), command: 'sudo systemctl enable --now podman.socket' }];
  }
  return [
    { title: l10n.t('Start your own (rootless) Podman API socket'), command: 'systemctl --user enable --now podman.socket' },
    { title: l10n.t('Without systemd, serve it by hand'), command: 'podman system service --time=0 &' },
  ];
}

function startFixes(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): HealthFix[] {
  if (endpoint.kind === 'tcp' || endpoint.kind === 'ssh') {
    return [{ title: l10n.t('Start Docker on {0}, or point DOCKER_HOST at an engine that runs', endpoint.host ?? l10n.t('the remote host')) }];
  }
  if (endpoint.engineHint === 'podman') return podmanStartFixes(endpoint);
  const fixes: HealthFix[] = [];
  if (process.platform === 'darwin' || process.platform === 'win32' || endpoint.source === 'Docker Desktop socket') {
    fixes.push({ title: l10n.t('Start Docker Desktop'), url: 'https://docs.docker.com/desktop/' });
  } else if (endpoint.source === 'rootless socket') {
    fixes.push({ title: l10n.t('Start the rootless Docker daemon'), command: 'systemctl --user start docker' });
  } else {
    fixes.push(
      { title: l10n.t('Start the Docker service'), command: 'sudo systemctl start docker' },
      { title: l10n.t('Without systemd, start the daemon by hand'), command: 'sudo dockerd' },
      { title: l10n.t('Or start Docker Desktop'), url: 'https://docs.docker.com/desktop/' },
    );
  }
  // No Docker socket anywhere, but Podman is installed: its service is what is missing.
  if (endpoint.source === 'default socket' && onPath('podman', env)) {
    const rootless = typeof process.getuid === 'function' && process.getuid() !== 0 && env.XDG_RUNTIME_DIR;
    fixes.unshift(
      ...(rootless
        ? [{ title: l10n.t('Podman is installed: start its API socket for your user'), command: 'systemctl --user enable --now podman.socket' }, { title: l10n.t('and point the docker CLI and Container Labs at it'), command: 'export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock' }]
        : [{ title: l10n.t('Podman is installed: start its API socket'), command: 'sudo systemctl enable --now podman.socket' }, { title: l10n.t('and point the docker CLI and Container Labs at it'), command: 'export DOCKER_HOST=unix:///run/podman/podman.sock' }]),
    );
  }
  return fixes;
}

/** dockerode's `version` takes `{ abortSignal }` at run time; its typings omit the argument. */
function versionOf(docker: Dockerode, signal: AbortSignal): Promise<Dockerode.DockerVersion> {
  const version = docker.version.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<Dockerode.DockerVersion>;
  return version({ abortSignal: signal });
}

/** The parts of `docker info` the report reads. */
interface EngineInfo {
  Name?: string;
  SecurityOptions?: string[];
}

function infoOf(docker: Dockerode, signal: AbortSignal): Promise<EngineInfo> {
  const info = docker.info.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<EngineInfo>;
  return info({ abortSignal: signal });
}
