/**
 * "Container Labs: Record a Lab" / "Stop Recording": the instructor does the exercise once in
 * a recording terminal (bash with shell integration, which reports each command line and its
 * exit code); the core's LabRecording watches the engine's events meanwhile. Stopping drafts
 * the lab (core/draft), writes it into the labs folder, opens it in an editor and offers "Test
 * this lab": the recording's clean-up (only what it created, by the ownership rule), then the
 * CLI's `test` in a terminal.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import { Commands, stringOptions } from '../common/commands';
import type { Logger } from '../common/logger';
import { readSettings, setContext } from '../common/settings';
import { draftLab, type LabDraft } from '../core/draft/draft';
import { LabRecording } from '../core/draft/recording';
import { labShell } from '../core/labs/labShell';
import { shellQuote } from '../core/labs/placeholders';
import { errorMessage, inert } from '../core/text';
import type { EngineHub } from '../session/engineHub';

export const RECORDING_TERMINAL = 'Container Labs: Recording';
const RECORDING_CONTEXT = 'containerLabs.recording';
const SHELL_INTEGRATION_WAIT_MS = 5000;

export interface RecorderDeps {
  engine: EngineHub;
  logger: Logger;
  workspaceFolder: () => string | undefined;
}

export interface RecordOptions {
  /** The lab's title (default: asked). */
  title?: string;
  /** Where the recording terminal starts and what becomes ${workspaceFolder} (default: the workspace folder). */
  folder?: string;
}

/** What Stop Recording gives back (for tests and the API). */
export interface StoppedRecording {
  file: string;
  draft: LabDraft;
}

interface Active {
  recording: LabRecording;
  terminal: vscode.Terminal;
  folder: string;
  title: string;
  id: string;
  subscriptions: vscode.Disposable[];
  pending: Set<Promise<unknown>>;
  status: vscode.StatusBarItem;
}

function labIdOf(title: string): string {
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return id || 'recorded-lab';
}

function optionsFrom(value: unknown): RecordOptions {
  return stringOptions(value, ['title', 'folder']);
}

export class LabRecorder implements vscode.Disposable {
  private active: Active | undefined;
  private last: { recording: LabRecording; file: string; folder: string } | undefined;

  constructor(private readonly deps: RecorderDeps) {}

  get recording(): boolean {
    return this.active !== undefined;
  }

  async start(arg: unknown): Promise<boolean> {
    if (this.active) {
      this.active.terminal.show();
      void vscode.window.showInformationMessage('A lab is being recorded already: run its commands in the recording terminal, then Stop Recording.');
      return false;
    }
    const opts = optionsFrom(arg);
    const folder = opts.folder ?? this.deps.workspaceFolder();
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder first: the drafted lab is written into it, and commands run there.');
      return false;
    }
    const title = opts.title ?? (await vscode.window.showInputBox({ title: 'Record a Lab', prompt: 'The lab\'s title', value: 'My recorded lab', ignoreFocusOut: true }));
    if (title === undefined || title.trim() === '') return false;

    const events = this.deps.engine.events;
    events.start();
    const recording = new LabRecording({ docker: this.deps.engine.docker, events: events.onEvent, labId: labIdOf(title), publishedHost: this.deps.engine.endpoint.publishedHost, onError: (error) => this.deps.logger.warn(`recording: could not tell whether an engine event was the recording's: ${errorMessage(error)}`) });
    const terminal = vscode.window.createTerminal({
      name: RECORDING_TERMINAL,
      shellPath: process.platform === 'win32' ? undefined : labShell().path,
      cwd: folder,
      iconPath: new vscode.ThemeIcon('record'),
    });
    const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
    status.command = Commands.stopRecording;
    status.tooltip = 'Container Labs is recording a lab from the commands in its recording terminal. Click to stop and draft the lab.';
    const active: Active = { recording, terminal, folder, title: title.trim(), id: labIdOf(title), subscriptions: [status], pending: new Set(), status };
    this.active = active;
    this.showCount();
    status.show();

    const running = new Map<vscode.TerminalShellExecution, ReturnType<LabRecording['begin']>>();
    active.subscriptions.push(
      vscode.window.onDidStartTerminalShellExecution((event) => {
        if (event.terminal !== terminal) return;
        const text = event.execution.commandLine.value;
        if (!text.trim()) return;
        this.deps.logger.info(`recording: ${inert(text, 'plain')}`);
        running.set(event.execution, recording.begin(text, true));
      }),
      vscode.window.onDidEndTerminalShellExecution((event) => {
        const command = running.get(event.execution);
        if (!command) return;
        running.delete(event.execution);
        const done = command.end(event.exitCode).then(
          () => this.showCount(),
          (error: unknown) => this.deps.logger.warn(`recording: could not inspect what \`${inert(event.execution.commandLine.value, 'plain')}\` did: ${errorMessage(error)}`),
        );
        active.pending.add(done);
        done.then(() => active.pending.delete(done), () => active.pending.delete(done));
      }),
      vscode.window.onDidCloseTerminal((closed) => {
        if (closed === terminal && this.active === active) this.stop().catch((error: unknown) => this.deps.logger.error(`stopping the recording failed: ${errorMessage(error)}`));
      }),
    );
    terminal.show();
    await setContext(RECORDING_CONTEXT, true);
    this.warnWithoutShellIntegration(terminal).catch(() => undefined);
    return true;
  }

  private showCount(): void {
    const active = this.active;
    if (!active) return;
    const n = active.recording.commands.length;
    active.status.text = `$(record) Recording lab: ${n} ${n === 1 ? 'command' : 'commands'} — Stop`;
  }

  private async warnWithoutShellIntegration(terminal: vscode.Terminal): Promise<void> {
    if (terminal.shellIntegration) return;
    const integrated = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve(terminal.shellIntegration !== undefined);
      }, SHELL_INTEGRATION_WAIT_MS);
      const listener = vscode.window.onDidChangeTerminalShellIntegration((event) => {
        if (event.terminal !== terminal) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(true);
      });
    });
    if (!integrated && this.active?.terminal === terminal) {
      void vscode.window.showWarningMessage('The recording terminal reports no commands (shell integration is off: setting terminal.integrated.shellIntegration.enabled), so nothing can be recorded.');
    }
  }

  /** Stops, drafts the lab into the labs folder and opens it; undefined when nothing was recording. */
  async stop(): Promise<StoppedRecording | undefined> {
    const active = this.active;
    if (!active) {
      void vscode.window.showInformationMessage('No lab is being recorded.');
      return undefined;
    }
    this.active = undefined;
    await setContext(RECORDING_CONTEXT, false);
    await Promise.all([...active.pending]);
    for (const s of active.subscriptions) s.dispose();
    active.recording.dispose();

    let folderReal: string | undefined;
    try {
      folderReal = realpathSync(active.folder);
    } catch {
      folderReal = undefined;
    }
    const draft = draftLab(active.recording.commands, { id: active.id, title: active.title, folder: active.folder, ...(folderReal ? { folderReal } : {}), home: os.homedir() });
    const labsFolder = readSettings().labsFolder;
    const dir = path.isAbsolute(labsFolder) ? labsFolder : path.join(active.folder, labsFolder);
    const file = await this.freeName(dir, active.id);
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(draft.yaml));
    this.last = { recording: active.recording, file, folder: active.folder };
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: false });
    const steps = draft.lab.steps.length;
    const note = draft.leftOut.length > 0 ? ` ${draft.leftOut.length} failed or unchecked commands were left out (see the top of the file).` : '';
    void vscode.window.showInformationMessage(`Drafted ${steps} ${steps === 1 ? 'step' : 'steps'} from the recording. Write the instructions, then test the lab.${note}`, 'Test this lab').then((answer) => {
      if (answer === 'Test this lab') void vscode.commands.executeCommand(Commands.testRecordedLab);
    });
    return { file, draft };
  }

  private async freeName(dir: string, id: string): Promise<string> {
    for (let k = 1; ; k++) {
      const file = path.join(dir, `${id}${k === 1 ? '' : `-${k}`}.lab.yaml`);
      try {
        await vscode.workspace.fs.stat(vscode.Uri.file(file));
      } catch {
        return file;
      }
    }
  }

  /**
   * "Test this lab": removes what the recording created (its ledger, nothing else), then runs
   * `container-labs test` on the drafted file in a terminal.
   */
  async test(cliPath: string): Promise<vscode.Terminal | undefined> {
    const last = this.last;
    if (!last) {
      void vscode.window.showInformationMessage('Record a lab first: Container Labs: Record a Lab.');
      return undefined;
    }
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Removing what the recording created…' }, () => last.recording.cleanup());
    this.deps.logger.info(`recording clean-up: ${report.removed} removed, ${report.alreadyGone} already gone, ${report.refused} refused`);
    if (report.refused > 0) {
      const refused = report.items.filter((i) => i.outcome === 'refused').map((i) => `${i.kind} ${i.name}: ${i.reason ?? 'refused'}`);
      void vscode.window.showWarningMessage(inert(`Some of what the recording created could not be removed, so the test may not start clean: ${refused.join('; ')}`, 'notification'));
    }
    const terminal = vscode.window.createTerminal({
      name: 'Container Labs: Test',
      cwd: last.folder,
      shellPath: process.platform === 'win32' ? undefined : labShell().path,
      // The extension host's own runtime runs the bundled CLI: no separate Node.js needed.
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    terminal.show();
    terminal.sendText(`${shellQuote(process.execPath)} ${shellQuote(cliPath)} test ${shellQuote(last.file)}`, true);
    return terminal;
  }

  dispose(): void {
    const active = this.active;
    this.active = undefined;
    if (active) {
      for (const s of active.subscriptions) s.dispose();
      active.recording.dispose();
    }
  }
}

/** The recorder; its commands are registered with the other lab commands (session/commands.ts). */
export function createRecorder(context: vscode.ExtensionContext, deps: RecorderDeps): LabRecorder {
  const recorder = new LabRecorder(deps);
  context.subscriptions.push(recorder);
  return recorder;
}

/** The bundled CLI next to the extension's bundle. */
export function bundledCli(context: vscode.ExtensionContext): string {
  return path.join(context.extensionUri.fsPath, 'dist', 'cli.js');
}
