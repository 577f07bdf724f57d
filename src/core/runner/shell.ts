/**
 * Runs a lab's command text the way a student's terminal would, but headless:
 * `/bin/sh -c TEXT`, stdin from /dev/null, in its own process group so that a timeout or
 * the end of a lab stops the whole pipeline, not just the shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { labShell } from '../labs/labShell';

/** Lines of output kept per command (the tail is what explains a failure). */
const TAIL_LINES = 20;

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Deadline; the process group gets SIGTERM, then SIGKILL 2 s later. Default 120 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ShellResult {
  /** Exit code, or null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Could not be started at all (e.g. no /bin/sh). */
  spawnError?: string;
  ms: number;
  /** Last lines of stdout and stderr, interleaved as they came. */
  tail: string[];
}

/** Keeps the last `max` lines of a stream of chunks. */
export class TailBuffer {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = TAIL_LINES) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    // A very long line without a newline must not grow without bound.
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096);
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  get tail(): string[] {
    const all = this.partial ? [...this.lines, this.partial] : [...this.lines];
    return all.slice(-this.max);
  }
}

function spawnShell(text: string, opts: ShellOptions): ChildProcess {
  return spawn(labShell().path, ['-c', text], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Sends a signal to a child's whole process group; false when it is already gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    try {
      return child.kill(signal);
    } catch {
      return false;
    }
  }
}

/** Runs a command to its end (or its deadline). Never rejects. */
export function runShell(text: string, opts: ShellOptions): Promise<ShellResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const tail = new TailBuffer();
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawnShell(text, opts);
    } catch (error) {
      resolve({ exitCode: null, signal: null, timedOut: false, spawnError: String(error), ms: 0, tail: [] });
      return;
    }
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), 2000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = (): void => stop();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (d: Buffer) => tail.push(d));
    child.stderr?.on('data', (d: Buffer) => tail.push(d));
    let settled = false;
    const finish = (result: ShellResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.on('error', (error) => {
      // Could not start (or could not be signalled): nothing more will come.
      if (child.pid === undefined) {
        finish({ exitCode: null, signal: null, timedOut, spawnError: error.message, ms: Date.now() - started, tail: tail.tail });
      }
    });
    child.on('exit', () => {
      // Whatever the shell left behind in its group goes too (it would hold the pipes open).
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already empty.
        }
      }
    });
    child.on('close', (code, signal) => {
      finish({ exitCode: code, signal, timedOut, ms: Date.now() - started, tail: tail.tail });
    });
  });
}

/**
 * A command that keeps running (a server in the foreground). Started without waiting; the
 * runner stops it when the lab ends: SIGINT (what Ctrl+C sends), SIGTERM after a grace period,
 * then SIGKILL.
 */
export class ForegroundProcess {
  private readonly child: ChildProcess;
  private readonly output = new TailBuffer();
  private readonly exited: Promise<void>;
  readonly startedAt = Date.now();
  spawnError?: string;

  constructor(readonly text: string, opts: ShellOptions) {
    this.child = spawnShell(text, opts);
    this.child.stdout?.on('data', (d: Buffer) => this.output.push(d));
    this.child.stderr?.on('data', (d: Buffer) => this.output.push(d));
    this.child.on('error', (error) => {
      this.spawnError = error.message;
    });
    this.exited = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  /** Resolves when the process has exited, with its exit code (null after a signal). */
  get whenExited(): Promise<number | null> {
    return this.exited.then(() => this.child.exitCode);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.spawnError;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get tail(): string[] {
    return this.output.tail;
  }

  /** Stops the process group: SIGINT, then SIGTERM after `graceMs`, then SIGKILL. */
  async stop(graceMs = 5000): Promise<'exited' | 'interrupted' | 'terminated' | 'killed'> {
    if (!this.running) {
      await this.exited;
      return 'exited';
    }
    const waitFor = (ms: number): Promise<boolean> =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    signalGroup(this.child, 'SIGINT');
    if (await waitFor(graceMs)) return 'interrupted';
    signalGroup(this.child, 'SIGTERM');
    if (await waitFor(graceMs)) return 'terminated';
    signalGroup(this.child, 'SIGKILL');
    await waitFor(2000);
    return 'killed';
  }
}
