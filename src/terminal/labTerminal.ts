/**
 * The one "Container Labs" terminal: reused, recreated when the user closes it.
 * Commands run through shell integration when the shell offers it (so the exit code
 * can be logged); otherwise through `sendText`. The exit code is for the log only:
 * the step's check decides whether a step passed.
 */
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { Logger } from '../common/logger';
import { labShell } from '../core/labs/labShell';

export const TERMINAL_NAME = 'Container Labs';

/** How long a new terminal may take to report shell integration before we fall back. */
const SHELL_INTEGRATION_WAIT_MS = 3000;

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
export interface CommandTerminal {
  run(commandLine: string): Promise<SentCommand>;
  interrupt(): void;
  /** Commands typed in this terminal, not sent by `run` (only with shell integration). */
  onDidTypeCommand?: (listener: (command: TypedCommand) => void) => { dispose(): void };
}

export class LabTerminal extends Disposable implements CommandTerminal {
  private terminal: vscode.Terminal | undefined;
  /** Listeners waiting for running commands to end. */
  private readonly pending = new Set<vscode.Disposable>();
  /** The executions `run` started (the others were typed by the student). */
  private readonly sent = new WeakSet<vscode.TerminalShellExecution>();
  private readonly typed = this._register(new vscode.EventEmitter<TypedCommand>());
  readonly onDidTypeCommand = this.typed.event;

  constructor(
    private readonly logger: Logger,
    private readonly options: { cwd?: () => string | undefined } = {},
  ) {
    super();
    this._register(
      vscode.window.onDidCloseTerminal((closed) => {
        if (closed === this.terminal) {
          this.logger.debug('terminal closed by the user; a new one opens on the next command');
          this.terminal = undefined;
        }
      }),
    );
    this._register(
      vscode.window.onDidStartTerminalShellExecution((event) => {
        if (event.terminal !== this.terminal || this.sent.has(event.execution)) return;
        const text = event.execution.commandLine.value;
        if (!text.trim()) return;
        this.logger.info(`typed in the terminal: ${text}`);
        this.typed.fire({ text, ended: this.endOf(event.terminal, event.execution).then(() => undefined) });
      }),
    );
  }

  /** Resolves with the exit code when the execution ends, or undefined when the terminal closes first. */
  private endOf(terminal: vscode.Terminal, execution: vscode.TerminalShellExecution): Promise<number | undefined> {
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

  /** The terminal, if one is open. */
  get current(): vscode.Terminal | undefined {
    return this.terminal;
  }

  async run(commandLine: string): Promise<SentCommand> {
    const { terminal, created } = this.ensure();
    terminal.show(true);
    const integration = terminal.shellIntegration ?? (created ? await waitForShellIntegration(terminal) : undefined);
    if (!integration) {
      this.logger.info(`sendText: ${commandLine}`);
      terminal.sendText(commandLine, true);
      return { via: 'sendText', exitCode: Promise.resolve(undefined) };
    }
    this.logger.info(`executeCommand: ${commandLine}`);
    const execution = integration.executeCommand(commandLine);
    this.sent.add(execution);
    const exitCode = this.endOf(terminal, execution).then((code) => {
      this.logger.info(`exit code ${code ?? 'unknown'}: ${commandLine}`);
      return code;
    });
    return { via: 'shellIntegration', exitCode };
  }

  interrupt(): void {
    if (!this.terminal) {
      this.logger.debug('interrupt: no terminal open');
      return;
    }
    this.logger.info('interrupt: sending Ctrl+C');
    this.terminal.sendText('\x03', false);
  }

  private ensure(): { terminal: vscode.Terminal; created: boolean } {
    if (this.terminal && this.terminal.exitStatus === undefined) {
      return { terminal: this.terminal, created: false };
    }
    const existing = vscode.window.terminals.find((t) => t.name === TERMINAL_NAME && t.exitStatus === undefined);
    if (existing) {
      this.terminal = existing;
      return { terminal: existing, created: false };
    }
    // Lab commands are written for bash (or POSIX sh) and their placeholders quoted for it:
    // the lab terminal runs that shell, whatever the user's default profile is.
    const shell = process.platform === 'win32' ? undefined : labShell().path;
    this.terminal = vscode.window.createTerminal({
      name: TERMINAL_NAME,
      shellPath: shell,
      cwd: this.options.cwd?.(),
      iconPath: new vscode.ThemeIcon('beaker'),
    });
    this.logger.debug('created the terminal');
    return { terminal: this.terminal, created: true };
  }

  override dispose(): void {
    // The terminal stays open for the user: a foreground server may still run in it.
    this.terminal = undefined;
    for (const listener of this.pending) {
      listener.dispose();
    }
    this.pending.clear();
    super.dispose();
  }
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
