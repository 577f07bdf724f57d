/**
 * The "Container Labs" terminal: reused, recreated when the user closes it. While a lab's
 * foreground server runs in it (Jupyter, RStudio), the next commands go to a second lab
 * terminal ("Container Labs (2)", and so on): sending a command to a busy terminal would stop
 * the server (VS Code types Ctrl+C before a command it runs in a busy terminal). Ctrl+C goes
 * to the terminal where the server runs.
 * Commands are typed into the terminal (`sendText`). Where the shell has VS Code's shell
 * integration, its reports of each command's start and end say when a command ended (so a
 * command waits for the one sent before it instead of interrupting it) and with which exit
 * code. The exit code is for the log only: the step's check decides whether a step passed.
 *
 * Not `TerminalShellIntegration.executeCommand`: VS Code pairs the shell's report with the
 * command it sent by the command's text, and where the shell words it otherwise it never ends
 * the execution it returned, and pairs the next ones wrong. Bash words it otherwise often:
 * with HISTTIMEFORMAT set its report starts with the time, and with HISTCONTROL=ignoreboth (the
 * default ~/.bashrc of Debian, Ubuntu and Codespaces images) `a && b` is reported as `a`.
 */
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { Logger } from '../common/logger';
import { labShell } from '../core/labs/labShell';

export const TERMINAL_NAME = 'Container Labs';

/** How long a new terminal may take to report shell integration before we fall back. */
const SHELL_INTEGRATION_WAIT_MS = 3000;

/**
 * How long a lab command waits for the shell to report its start. Without that report its end
 * is unknown too; past this the next commands go in without waiting for it.
 */
const START_REPORT_WAIT_MS = 20_000;

/**
 * Typed before a lab command: Ctrl+U, which empties the line a student left half-typed at the
 * prompt (readline's unix-line-discard, the terminal driver's line kill), so the command runs
 * as it is and not glued to their text. Windows' shells have no such key.
 */
const CLEAR_LINE = process.platform === 'win32' ? '' : '\x15';

export interface SentCommand {
  /** `shellIntegration` or `sendText`. */
  via: 'shellIntegration' | 'sendText';
  /** Resolves with the exit code when the shell reports it (shell integration only). */
  exitCode: Promise<number | undefined>;
}

/** A command the student typed in the terminal (shell integration reports its text). */
export interface TypedCommand {
  text: string;
  /** Resolves when the shell reports its end (or the terminal closes). */
  ended: Promise<void>;
}

/** What the session needs from a terminal (tests hand in their own). */
/** How a command is run. */
export interface RunOptions {
  /** The command keeps its terminal busy (a server in the foreground) until stopped. */
  foreground?: boolean;
  /** The command waits for the student's typing (a shell in a container) and ends when they leave it. */
  interactive?: boolean;
}

export interface CommandTerminal {
  run(commandLine: string, opts?: RunOptions): Promise<SentCommand>;
  /** Ctrl+C to the terminal where a foreground server runs (the main one when none does). */
  interrupt(): void;
  /** Commands typed in this terminal, not sent by `run` (only with shell integration). */
  onDidTypeCommand?: (listener: (command: TypedCommand) => void) => { dispose(): void };
}

/** The name of the lab terminal number `n` (1: the main one). */
export function terminalName(n: number): string {
  return n <= 1 ? TERMINAL_NAME : `${TERMINAL_NAME} (${n})`;
}

export class LabTerminal extends Disposable implements CommandTerminal {
  /** The lab's terminals, the main one first; undefined where the user closed one. */
  private readonly terminals: Array<vscode.Terminal | undefined> = [];
  /** Terminals where a foreground server was started and has not ended (or been interrupted). */
  private readonly serving = new Set<vscode.Terminal>();
  /** Listeners waiting for running commands to end. */
  private readonly pending = new Set<vscode.Disposable>();
  /** The executions `run` started (the others were typed by the student). */
  private readonly sent = new WeakSet<vscode.TerminalShellExecution>();
  /** Per terminal: resolves once every command `run` sent there so far has ended. */
  private readonly idle = new WeakMap<vscode.Terminal, Promise<void>>();
  /** Per terminal, oldest first: the commands `run` typed there whose start the shell has not reported yet. */
  private readonly unstarted = new WeakMap<vscode.Terminal, Unstarted[]>();
  /** Every command still waiting for its start, to be let go on dispose. */
  private readonly waiting = new Set<Unstarted>();
  private readonly typed = this._register(new vscode.EventEmitter<TypedCommand>());
  readonly onDidTypeCommand = this.typed.event;

  constructor(
    private readonly logger: Logger,
    private readonly options: {
      cwd?: () => string | undefined;
      /** The environment the lab's `docker` needs (the engine the checks read), when the shell's own is not it. */
      env?: () => Record<string, string | null> | undefined;
    } = {},
  ) {
    super();
    this._register(
      vscode.window.onDidCloseTerminal((closed) => {
        const index = this.terminals.indexOf(closed);
        if (index >= 0) {
          this.logger.debug(`${terminalName(index + 1)} closed by the user; a new one opens when needed`);
          this.terminals[index] = undefined;
        }
        this.serving.delete(closed);
        // Its commands that never started never will.
        for (const entry of [...(this.unstarted.get(closed) ?? [])]) entry.settle(undefined);
      }),
    );
    this._register(
      vscode.window.onDidStartTerminalShellExecution((event) => {
        // The shell runs one command at a time, and the lab's wait for each other: the next
        // one the shell starts after `run` typed one in is that one, when its report can be
        // it (a student's own command at that very moment is theirs).
        const queue = this.unstarted.get(event.terminal);
        const next = queue?.[0];
        if (queue && next && mayBe(event.execution.commandLine.value, next.commandLine)) {
          queue.shift();
          this.sent.add(event.execution);
          next.settle(event.execution);
          return;
        }
        if (!this.terminals.includes(event.terminal) || this.sent.has(event.execution)) return;
        const text = event.execution.commandLine.value;
        if (!text.trim()) return;
        this.logger.info(`typed in the terminal: ${text}`);
        this.typed.fire({ text, ended: this.endOf(event.terminal, event.execution).then(() => undefined) });
      }),
    );
  }

  /** Resolves with the exit code when the execution ends, or undefined when the terminal closes first. */
  private endOf(terminal: vscode.Terminal, execution: vscode.TerminalShellExecution): Promise<number | undefined> {
    // Closed already: its close event has gone by, and nothing would ever end this.
    if (terminal.exitStatus !== undefined) return Promise.resolve(undefined);
    return new Promise<number | undefined>((resolve) => {
      const stop = (): void => {
        listener.dispose();
        closed.dispose();
        this.pending.delete(listener);
        this.pending.delete(closed);
      };
      const listener = vscode.window.onDidEndTerminalShellExecution((event) => {
        if (event.execution === execution) {
          stop();
          resolve(event.exitCode);
        }
      });
      // A foreground server may never end; stop listening when the terminal goes away.
      const closed = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) {
          stop();
          resolve(undefined);
        }
      });
      this.pending.add(listener);
      this.pending.add(closed);
    });
  }

  /**
   * The execution the shell reports next in this terminal (the command `run` is about to type
   * in), or undefined when the terminal closes or no start is reported within START_REPORT_WAIT_MS.
   */
  private nextStart(terminal: vscode.Terminal, commandLine: string): Promise<vscode.TerminalShellExecution | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const entry: Unstarted = {
        commandLine,
        settle: (execution) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.waiting.delete(entry);
          const queue = this.unstarted.get(terminal);
          const at = queue?.indexOf(entry) ?? -1;
          if (queue && at >= 0) queue.splice(at, 1);
          resolve(execution);
        },
      };
      const timer = setTimeout(() => {
        this.logger.warn(`the shell did not report the start of this command within ${START_REPORT_WAIT_MS / 1000} s; the next ones will not wait for it: ${commandLine}`);
        entry.settle(undefined);
      }, START_REPORT_WAIT_MS);
      this.waiting.add(entry);
      const queue = this.unstarted.get(terminal);
      if (queue) queue.push(entry);
      else this.unstarted.set(terminal, [entry]);
    });
  }

  /** Stops waiting for the start of a command that did not go in. */
  private forget(terminal: vscode.Terminal, commandLine: string): void {
    this.unstarted.get(terminal)?.find((u) => u.commandLine === commandLine)?.settle(undefined);
  }

  /** The main terminal, if one is open. */
  get current(): vscode.Terminal | undefined {
    return this.terminals[0];
  }

  /** The terminals where a lab's foreground server runs now. */
  get servers(): readonly vscode.Terminal[] {
    return [...this.serving];
  }

  async run(commandLine: string, opts: RunOptions = {}): Promise<SentCommand> {
    let { terminal, created } = this.ensure();
    // VS Code types Ctrl+C before a command it runs in a busy terminal: a student who clicks
    // Run on a step's next command while the one before still runs would kill it (lab 4's
    // `docker volume create`, then the `docker run` that fills the volume). The lab's commands
    // go one after the other: each waits for the ones sent before it to end. The place in the
    // line is taken before anything is awaited, so two quick clicks keep their order.
    // A command that may never end by itself (a server in the foreground, a shell the student
    // types into) holds nobody up: a server's terminal takes no other command, and the next
    // Run after an interactive shell goes in as before.
    const holds = opts.foreground !== true && opts.interactive !== true;
    // At once: a command clicked while this server starts goes to another terminal.
    if (opts.foreground === true) this.serving.add(terminal);
    const before = this.idle.get(terminal);
    let done = (): void => undefined;
    if (holds) this.idle.set(terminal, Promise.all([before, new Promise<void>((resolve) => (done = resolve))]).then(() => undefined));
    try {
      if (before) {
        this.logger.info(`after the commands sent before it: ${commandLine}`);
        await before;
        // The student closed it meanwhile (or the engine setting replaced it): a new one.
        if (terminal.exitStatus !== undefined) {
          this.serving.delete(terminal);
          ({ terminal, created } = this.ensure());
          if (opts.foreground === true) this.serving.add(terminal);
        }
      }
      terminal.show(true);
      const integration = terminal.shellIntegration ?? (created ? await waitForShellIntegration(terminal) : undefined);
      if (!integration) {
        this.logger.info(`sendText: ${commandLine}`);
        terminal.sendText(commandLine, true);
        done();
        // Its end is never reported: a foreground server counts as running until Ctrl+C or its terminal closes.
        return { via: 'sendText', exitCode: Promise.resolve(undefined) };
      }
      this.logger.info(`typed in (shell integration): ${commandLine}`);
      const started = this.nextStart(terminal, commandLine);
      try {
        terminal.sendText(CLEAR_LINE + commandLine, true);
      } catch (error) {
        this.forget(terminal, commandLine);
        throw error;
      }
      const exitCode = started.then((execution) => {
        if (!execution) {
          // Unknown: the next commands go in without waiting for this one.
          done();
          return undefined;
        }
        if (execution.commandLine.value !== commandLine) this.logger.debug(`the shell reports it as: ${execution.commandLine.value}`);
        return this.endOf(terminal, execution).then((code) => {
          done();
          if (opts.foreground === true) this.serving.delete(terminal);
          this.logger.info(`exit code ${code ?? 'unknown'}: ${commandLine}`);
          return code;
        });
      });
      return { via: 'shellIntegration', exitCode };
    } catch (error) {
      done();
      if (opts.foreground === true) this.serving.delete(terminal);
      throw error;
    }
  }

  interrupt(): void {
    // The server started last is the one the step is about.
    const server = [...this.serving].pop();
    const target = server ?? this.current;
    if (!target) {
      this.logger.debug('interrupt: no terminal open');
      return;
    }
    this.logger.info(`interrupt: sending Ctrl+C to ${target.name}`);
    if (server) this.serving.delete(server);
    target.sendText('\x03', false);
  }

  /** The first lab terminal that no foreground server keeps busy (opened when needed). */
  private ensure(): { terminal: vscode.Terminal; created: boolean } {
    const env = this.env();
    for (let i = 0; ; i += 1) {
      const open = this.terminals[i];
      if (open && open.exitStatus === undefined) {
        if (this.serving.has(open)) continue;
        if (sameEnv(open, env)) return { terminal: open, created: false };
        // The engine setting changed since it opened: its `docker` reaches another engine than the checks.
        this.logger.info(`${open.name} was opened for another engine: a new one replaces it`);
        this.terminals[i] = undefined;
        open.dispose();
      }
      const name = terminalName(i + 1);
      const existing = vscode.window.terminals.find((t) => t.name === name && t.exitStatus === undefined && !this.serving.has(t) && sameEnv(t, env));
      if (existing) {
        this.terminals[i] = existing;
        return { terminal: existing, created: false };
      }
      const created = this.create(name);
      this.terminals[i] = created;
      return { terminal: created, created: true };
    }
  }

  private create(name: string): vscode.Terminal {
    // Lab commands are written for bash (or POSIX sh) and their placeholders quoted for it:
    // the lab terminal runs that shell, whatever the user's default profile is.
    const shell = process.platform === 'win32' ? undefined : labShell().path;
    const env = this.env();
    const terminal = vscode.window.createTerminal({
      name,
      shellPath: shell,
      cwd: this.options.cwd?.(),
      iconPath: new vscode.ThemeIcon('beaker'),
      ...(env === undefined ? {} : { env }),
    });
    this.logger.debug(`created ${name}`);
    return terminal;
  }

  private env(): Record<string, string | null> | undefined {
    return this.options.env?.();
  }

  override dispose(): void {
    // The terminals stay open for the user: a foreground server may still run in one.
    this.terminals.length = 0;
    this.serving.clear();
    for (const listener of this.pending) {
      listener.dispose();
    }
    this.pending.clear();
    for (const entry of [...this.waiting]) entry.settle(undefined);
    super.dispose();
  }
}

/** A command `run` typed in, waiting for the shell to report its start. */
interface Unstarted {
  commandLine: string;
  settle(execution: vscode.TerminalShellExecution | undefined): void;
}

/**
 * Whether the shell's report of a starting command can be the command typed in: the same, or
 * worded as bash words it (HISTTIMEFORMAT's time before it; `a` for `a && b` under
 * HISTCONTROL=ignoreboth), or no words at all (a report VS Code could not read).
 */
function mayBe(reported: string, typed: string): boolean {
  const r = reported.trim();
  const t = typed.trim();
  return r === '' || r === t || t.startsWith(r) || r.endsWith(t);
}

function waitForShellIntegration(terminal: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(terminal.shellIntegration);
    }, SHELL_INTEGRATION_WAIT_MS);
    const listener = vscode.window.onDidChangeTerminalShellIntegration((event) => {
      if (event.terminal === terminal) {
        clearTimeout(timer);
        listener.dispose();
        resolve(event.shellIntegration);
      }
    });
  });
}

/** The environment a terminal was opened with (lab terminals are never extension-driven pseudoterminals). */
export function terminalEnv(terminal: vscode.Terminal): vscode.TerminalOptions['env'] {
  return (terminal.creationOptions as vscode.TerminalOptions).env;
}

/** Whether the terminal was opened with this environment for `docker` (none given: none asked). */
function sameEnv(terminal: vscode.Terminal, env: Record<string, string | null> | undefined): boolean {
  return JSON.stringify(terminalEnv(terminal) ?? null) === JSON.stringify(env ?? null);
}
