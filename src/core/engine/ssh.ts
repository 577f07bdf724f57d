/**
 * The Docker Engine API over ssh, the way the docker CLI reaches `DOCKER_HOST=ssh://...`: the
 * system's `ssh` runs `docker system dial-stdio` on the remote host, and HTTP goes over its
 * stdin and stdout. Using the same `ssh` as the docker CLI means the same `~/.ssh/config`
 * (host aliases, ports, users, ProxyJump), the same known_hosts check, the same agent and keys:
 * what works for `docker` in the student's terminal works here, and what fails fails the same
 * way, with ssh's own words on stderr, which `sshFailure` turns into a reason.
 *
 * Unlike the docker CLI, ssh runs with BatchMode: nothing here can answer a password or a
 * "continue connecting?" prompt, so those fail at once with a reason instead of hanging.
 * No `vscode` import.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as http from 'node:http';
import { Duplex } from 'node:stream';

export interface SshTarget {
  /** Host name or alias, as written in the URL (ssh resolves aliases from ~/.ssh/config). */
  host: string;
  /** Only when the URL gives one; otherwise ssh's configuration decides (default 22). */
  port?: number;
  username?: string;
  /** The remote engine's socket, when the URL has a path (ssh://host/run/user/1000/docker.sock). */
  socketPath?: string;
}

/** What kind of failure ssh (or the remote docker) reported. */
export type SshFailureKind =
  | 'no-ssh-client'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-refused'
  | 'host-not-found'
  | 'connection-refused'
  | 'connection-timeout'
  | 'no-docker'
  | 'remote-permission-denied'
  | 'remote-engine-down'
  | 'other';

/** An ssh connection that ended before or while the engine answered. */
export class SshError extends Error {
  readonly code = 'ESSH';
  constructor(
    readonly kind: SshFailureKind,
    /** ssh's (or the remote command's) own last lines on stderr. */
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(stderr ? `ssh: ${stderr}` : `ssh exited with ${exitCode ?? 'a signal'}`);
    this.name = 'SshError';
  }
}

/** The ssh arguments for `docker system dial-stdio` on the target (the docker CLI's own, plus BatchMode). */
export function sshArgs(target: SshTarget, connectTimeoutS = 30): string[] {
  const args = ['-o', `ConnectTimeout=${connectTimeoutS}`, '-o', 'BatchMode=yes', '-T'];
  if (target.username) args.push('-l', target.username);
  if (target.port !== undefined) args.push('-p', String(target.port));
  const remote = ['docker', ...(target.socketPath ? ['--host', `unix://${target.socketPath}`] : []), 'system', 'dial-stdio'];
  return [...args, '--', target.host, ...remote];
}

/** Sorts ssh's stderr (and the exit code) into a kind of failure. */
export function sshFailure(stderr: string, exitCode: number | null): SshFailureKind {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) return 'host-key-changed';
  if (/Host key verification failed|No \S+ host key is known|host key is not known/i.test(stderr)) return 'host-key-unknown';
  if (/Permission denied \((?:publickey|password|keyboard-interactive|gssapi)/i.test(stderr) || /Too many authentication failures/i.test(stderr)) return 'auth-refused';
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(stderr)) return 'host-not-found';
  if (/Connection refused/i.test(stderr)) return 'connection-refused';
  if (/Connection timed out|Operation timed out|timed out during banner exchange/i.test(stderr)) return 'connection-timeout';
  if (exitCode === 127 || /docker: (?:command )?not found|docker: No such file/i.test(stderr)) return 'no-docker';
  if (/permission denied while trying to connect to the Docker daemon/i.test(stderr)) return 'remote-permission-denied';
  if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(stderr)) return 'remote-engine-down';
  return 'other';
}

/** The last few meaningful lines of stderr (ssh's warnings about adding a host are kept). */
function lastLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join(' ');
}

/**
 * One connection: a Duplex over the child's stdout (read) and stdin (write) with the few
 * socket methods Node's HTTP client and agent call (setTimeout, setNoDelay, setKeepAlive, ref,
 * unref). When ssh exits with an error before the stream ended, the stream fails with an
 * SshError carrying its stderr.
 */
class SshConnection extends Duplex {
  private stderr = '';
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv) {
    super({ allowHalfOpen: true });
    this.child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const child = this.child;
    child.stdout.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    // Exit and the end of stdout come in either order: decide once both are in.
    let exit: { code: number | null } | undefined;
    let outEnded = false;
    const settle = (): void => {
      if (!exit || !outEnded || this.destroyed) return;
      if (exit.code === 0) this.push(null);
      else this.destroy(new SshError(sshFailure(this.stderr, exit.code), lastLines(this.stderr), exit.code));
    };
    child.stdout.on('end', () => {
      outEnded = true;
      settle();
    });
    child.on('exit', (code) => {
      exit = { code };
      settle();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const kind: SshFailureKind = err.code === 'ENOENT' ? 'no-ssh-client' : 'other';
      const text = err.code === 'ENOENT' ? `the ssh command (${command}) is not installed or not on PATH` : err.message;
      this.destroy(new SshError(kind, text, null));
    });
    child.stdin.on('error', () => undefined); // a write after ssh died: the exit above reports it
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    // A write that fails because ssh is gone is not the story: its exit (and stderr) is.
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    callback(error);
  }

  private touch(): void {
    if (this.idleMs <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
    this.idleTimer.unref();
  }

  /**
   * Like net.Socket#setTimeout: 'timeout' after `ms` without traffic; 0 turns it off and, as
   * there, takes `callback` off (the HTTP client does so for each request on a kept-alive socket).
   */
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = ms;
    clearTimeout(this.idleTimer);
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** An idle kept-alive connection must not keep the process alive (the agent unrefs it). */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as unknown as { unref?: () => void }).unref?.();
    return this;
  }

  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as unknown as { ref?: () => void }).ref?.();
    return this;
  }
}

/** ssh connections one client keeps at most (see SshAgent). */
const MAX_CONNECTIONS = 6;

export interface SshAgentOptions {
  /** Environment of the ssh process (SSH_AUTH_SOCK, PATH, HOME), default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The ssh program, default `ssh` from PATH. */
  command?: string;
}

/**
 * An HTTP agent whose connections are ssh processes running `docker system dial-stdio`.
 * Each costs an ssh handshake and a docker process on the remote host, so connections are
 * kept alive and reused, at most `MAX_CONNECTIONS` at once (a burst of requests queues on
 * them instead of starting a handshake each; long streams such as the event stream hold
 * one each); an idle one is closed after 30 s and never keeps the process alive.
 */
export class SshAgent extends http.Agent {
  private readonly args: string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly command: string;

  constructor(target: SshTarget, opts: SshAgentOptions = {}) {
    super({ keepAlive: true, maxSockets: MAX_CONNECTIONS, maxFreeSockets: MAX_CONNECTIONS, timeout: 30_000 });
    this.args = sshArgs(target);
    this.env = opts.env ?? process.env;
    this.command = opts.command ?? 'ssh';
  }

  override createConnection(): Duplex {
    return new SshConnection(this.command, this.args, this.env);
  }
}

/** What `ssh -G` says the connection really goes to (aliases of ~/.ssh/config resolved). */
export interface SshResolved {
  hostname: string;
  user?: string;
  port?: number;
}

/**
 * Asks ssh how it would connect to `target` (`ssh -G`: reads the configuration, connects to
 * nothing). Undefined when ssh is missing or says nothing useful.
 */
export function resolveSshTarget(target: SshTarget, env: NodeJS.ProcessEnv = process.env): SshResolved | undefined {
  const args = ['-G'];
  if (target.username) args.push('-l', target.username);
  if (target.port !== undefined) args.push('-p', String(target.port));
  args.push('--', target.host);
  let out: string;
  try {
    out = execFileSync('ssh', args, { env, encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
  } catch {
    return undefined;
  }
  const value = (key: string): string | undefined => new RegExp(`^${key} (.+)$`, 'mi').exec(out)?.[1]?.trim();
  const hostname = value('hostname');
  if (!hostname) return undefined;
  const port = Number(value('port'));
  return { hostname, user: value('user'), port: Number.isInteger(port) && port > 0 ? port : undefined };
}
