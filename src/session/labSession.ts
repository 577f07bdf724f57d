/**
 * The extension's lab session: a thin coordinator over the core lab runtime
 * (src/core/runtime/labRuntime.ts), which holds every step state, live check, command window
 * and ledger. The session adds what only VS Code has: the terminal (the runtime's command
 * executor, and the commands the student types there), the Memento, the dialogs, workspace
 * trust, and external URIs for the views.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Catalog, CheckResult, Lab, Step } from '../core/model';
import { engineUnreachable } from '../core/checks/evaluate';
import { loadCatalog } from '../core/labs/loader';
import { CommandRefused, LabRuntime, restrictedReason } from '../core/runtime/labRuntime';
import { runContainerName, serviceCheck } from '../core/runtime/steps';
import type { CleanupPlan, CleanupReport } from '../core/runtime/cleanup';
import type { CommandExecution, StateStore } from '../core/runtime/types';
import { Disposable } from '../common/lifecycle';
import { logFailure, type Logger } from '../common/logger';
import { runDetached } from '../core/events';
import { errorMessage, inert } from '../core/text';
import type { CommandTerminal, SentCommand } from '../terminal/labTerminal';
import type { LabProgress, LabSession, QuizFeedback, ServiceLink, StepRef, StepState } from './types';
import type { EngineHub } from './engineHub';
import { findService } from './findService';
import { serviceAddress } from '../core/runtime/serviceUrl';

/** Where labs come from. */
export interface LabRoot {
  dir: string;
  origin: 'bundled' | 'workspace';
}

/**
 * The notifications of the session and the lab commands (VS Code's window messages in the
 * product). Every text passed here is a fixed sentence or went through `inert(…,
 * 'notification')`: VS Code turns `[label](command:…)` in it into a link that runs the command.
 * Tests pass a port that records the text as it would reach the window API.
 */
export interface SessionNotices {
  /** Information with optional actions; resolves with the action chosen. */
  info(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  /** A warning with optional actions; resolves with the action chosen. */
  warning(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  error(message: string): void;
}

export interface LabSessionOptions {
  memento: StateStore;
  logger: Logger;
  terminal: CommandTerminal;
  engine: EngineHub;
  /** Folders to load labs from (bundled first). */
  roots: () => LabRoot[];
  /** Whether the workspace is trusted; workspace labs run nothing until it is. */
  isTrusted: () => boolean;
  /** Asks a yes/no question (modal in the product); message and detail are inert already. */
  confirm: (message: string, detail: string, action: string) => Promise<boolean>;
  /** Information, warnings and errors for the student. */
  notices: SessionNotices;
  /** Runs a VS Code command (the trust warning's "Manage Workspace Trust"). */
  executeCommand?: (command: string) => PromiseLike<unknown>;
  /** Whether steps are re-checked on engine events. */
  liveChecks: () => boolean;
  /** The workspace folder for `${workspaceFolder}` (undefined: the home directory). */
  workspaceFolder: () => string | undefined;
  /** Opens a URL outside (`vscode.env.asExternalUri` in the product). */
  externalUri?: (uri: vscode.Uri) => Thenable<vscode.Uri>;
  now?: () => number;
}

/** The container events after which a running service may have come or gone. */
const CONTAINER_LIFECYCLE = new Set(['start', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'restart']);

/** What the terminal gave for a command the runtime sent. */
interface TerminalExecution extends CommandExecution {
  sent: SentCommand;
}

export class LabSessionImpl extends Disposable implements LabSession {
  /** The core runtime this session shows (tests read its state directly). */
  readonly runtime: LabRuntime<TerminalExecution>;
  private readonly log: Logger;
  readonly onDidChange: LabSession['onDidChange'];
  readonly onDidChangeContainers: LabSession['onDidChangeContainers'];
  /** Fires after a lab command was sent to the terminal. */
  readonly onDidRunCommand: vscode.Event<{ ref: StepRef; text: string }>;

  constructor(private readonly opts: LabSessionOptions) {
    super();
    this.log = opts.logger;
    const engine = opts.engine;
    const runtimeOpts: ConstructorParameters<typeof LabRuntime<TerminalExecution>>[0] = {
      engine: {
        get docker() {
          return engine.docker;
        },
        get endpoint() {
          return engine.endpoint;
        },
        get events() {
          return engine.events;
        },
      },
      store: opts.memento,
      executor: {
        run: async (text, command) => {
          // A foreground server keeps its terminal: the terminal runs later commands in another one.
          const sent = await opts.terminal.run(text, { foreground: command.foreground === true, interactive: command.interactive === true });
          this.log.info(`sent to the terminal via ${sent.via}: ${text}`);
          // Shell integration says when the command ends; otherwise its window closes at its cap.
          return sent.via === 'shellIntegration' ? { sent, ended: sent.exitCode } : { sent };
        },
      },
      loadCatalog: () => this.load(),
      workspaceFolder: () => opts.workspaceFolder() ?? os.homedir(),
      liveChecks: opts.liveChecks,
      // Restricted Mode: a workspace lab shows its text and does nothing (no checks, no live
      // checks, no host reads, no commands) until the workspace is trusted.
      mayAct: (lab) => lab.source.origin === 'bundled' || opts.isTrusted(),
      log: opts.logger,
    };
    if (opts.now) runtimeOpts.now = opts.now;
    this.runtime = new LabRuntime<TerminalExecution>(runtimeOpts);
    this._register(this.runtime);
    this.onDidChange = this.runtime.onDidChange;
    this.onDidChangeContainers = (listener) => {
      // The hub's event stream is replaced when the endpoint changes: follow it.
      const follow = (): { dispose(): void } => {
        const events = engine.events;
        events.start();
        return events.onEvent((event) => {
          if (event.type === 'container' && CONTAINER_LIFECYCLE.has(event.action)) listener();
        });
      };
      let sub = follow();
      const changed = engine.onDidChangeEngine(() => {
        sub.dispose();
        sub = follow();
      });
      return {
        dispose: () => {
          sub.dispose();
          changed.dispose();
        },
      };
    };
    this.onDidRunCommand = (listener) =>
      this.runtime.onDidRunCommand((e) => {
        listener({ ref: e.ref, text: e.text });
      });
    // A check that cannot reach the engine: its health is checked at once (the Docker Engine view shows its fixes).
    this._register(
      this.runtime.onDidApplyResult(({ result }) => {
        if (result.status === 'error' && engineUnreachable(result)) engine.suspectEngine();
      }),
    );
    // A new endpoint means a new client and event stream.
    this._register(engine.onDidChangeEngine(() => this.runtime.engineChanged()));
    // What the student types in the lab's terminal counts like a command sent from the lab.
    const typed = opts.terminal.onDidTypeCommand;
    if (typed) {
      this._register(
        typed(({ text, ended }) => {
          const end = this.runtime.commandTyped(text);
          ended.then(end, end);
        }),
      );
    }
  }

  private async load(): Promise<Catalog> {
    const started = Date.now();
    const roots = this.opts.roots();
    const catalog = await loadCatalog(roots.map((r) => ({ path: r.dir, origin: r.origin })));
    this.log.info(
      `catalog: ${catalog.labs.length} labs, ${catalog.courses.length} courses, ${catalog.broken.length} broken, from ${roots.map((r) => r.dir).join(', ')} in ${Date.now() - started} ms`,
    );
    for (const broken of catalog.broken) {
      const first = broken.issues[0];
      this.log.warn(`broken lab ${broken.file}${first ? `:${first.line}:${first.col}: ${first.message}` : ''}`);
    }
    return catalog;
  }

  // ---- what the views read -----------------------------------------------------------------

  get catalog(): Catalog {
    return this.runtime.catalog;
  }

  get current(): StepRef | undefined {
    return this.runtime.current;
  }

  getLab(labId: string): Lab | undefined {
    return this.runtime.getLab(labId);
  }

  getStep(ref: StepRef): Step | undefined {
    return this.runtime.getStep(ref);
  }

  getState(ref: StepRef): StepState {
    return this.runtime.getState(ref);
  }

  getProgress(labId: string): LabProgress {
    return this.runtime.getProgress(labId);
  }

  canRun(labId: string): boolean {
    return this.runtime.mayAct(labId);
  }

  /** The notifications port (the lab commands show theirs through it too). */
  get notices(): SessionNotices {
    return this.opts.notices;
  }

  /** Asks a yes/no question; `message` and `detail` must be fixed text or inert already. */
  confirm(message: string, detail: string, action: string): Promise<boolean> {
    return this.opts.confirm(message, detail, action);
  }

  /** The workspace was trusted: its labs come alive (live checks start, the views redraw) without a reload. */
  trustChanged(): void {
    this.log.info(`workspace trust: ${this.opts.isTrusted() ? 'trusted' : 'not trusted'}`);
    this.runtime.permissionsChanged();
  }

  next(ref: StepRef): StepRef | undefined {
    return this.runtime.next(ref);
  }

  previous(ref: StepRef): StepRef | undefined {
    return this.runtime.previous(ref);
  }

  commandText(ref: StepRef, index: number, opts?: { solution?: boolean }): string | undefined {
    return this.runtime.commandText(ref, index, opts);
  }

  readableText(labId: string, text: string, code: boolean): string {
    return this.runtime.readableText(labId, text, code);
  }

  // ---- what the student does ---------------------------------------------------------------

  async reload(): Promise<void> {
    try {
      await this.runtime.reload();
    } catch (error) {
      this.log.error(`loading labs failed: ${errorMessage(error)}`);
    }
  }

  openStep(ref: StepRef): Promise<void> {
    return this.runtime.openStep(ref);
  }

  checkNow(ref: StepRef): Promise<CheckResult> {
    return this.runtime.checkNow(ref);
  }

  restartLiveCheck(): void {
    this.runtime.restartLiveCheck();
  }

  async runCommand(ref: StepRef, index: number, opts?: { solution?: boolean }): Promise<boolean> {
    const text = this.commandText(ref, index, opts);
    const lab = this.getLab(ref?.labId);
    if (text === undefined || !lab) {
      this.log.warn(`runCommand refused: no command ${JSON.stringify(ref)} #${String(index)}`);
      return false;
    }
    if (!this.canRun(lab.id)) {
      this.log.warn(`runCommand refused: ${lab.id} is a workspace lab and the workspace is not trusted`);
      this.offerTrust();
      return false;
    }
    let prepared;
    try {
      prepared = await this.runtime.prepare(ref, index, opts);
    } catch (error) {
      this.log.error(`runCommand ${lab.id}/${ref.stepId} #${index}: ${errorMessage(error)}`);
      if (error instanceof CommandRefused) this.opts.notices.error(`Container Labs: ${inert(error.message, 'notification')}`);
      return false;
    }
    if (prepared.command.destructive && !(await this.opts.confirm('This command removes something. Run it?', prepared.text, 'Run'))) {
      this.log.info(`runCommand cancelled by the user: ${prepared.text}`);
      return false;
    }
    try {
      await this.runtime.run(prepared);
    } catch (error) {
      this.log.error(`the terminal did not take the command: ${errorMessage(error)}`);
      return false;
    }
    return true;
  }

  /**
   * Says why a workspace lab did nothing, with the button that manages workspace trust. A fixed
   * sentence: no lab text reaches the notification.
   */
  offerTrust(): void {
    const action = 'Manage Workspace Trust';
    const asked = Promise.resolve(this.opts.notices.warning(restrictedReason(), action));
    runDetached(
      asked.then((choice) => (choice === action ? this.opts.executeCommand?.('workbench.trust.manage') : undefined)),
      logFailure(this.log, 'offering workspace trust'),
    );
  }

  interrupt(): void {
    this.opts.terminal.interrupt();
  }

  revealHint(ref: StepRef): number {
    return this.runtime.revealHint(ref);
  }

  async revealSolution(ref: StepRef): Promise<boolean> {
    if (!this.getStep(ref)?.solution) return false;
    if (this.getState(ref).solutionShown) return true;
    const ok = await this.opts.confirm('Show the solution?', 'Trying first helps you learn; the hints may be enough.', 'Show Solution');
    return ok && this.runtime.showSolution(ref);
  }

  answerQuiz(ref: StepRef, choices: number[]): QuizFeedback | undefined {
    return this.runtime.answerQuiz(ref, choices);
  }

  async findService(ref: StepRef): Promise<ServiceLink | undefined> {
    const lab = this.getLab(ref.labId);
    const step = this.getStep(ref);
    const http = lab && step ? serviceCheck(lab, step) : undefined;
    // Looking for the service lists containers and reads their logs: not for a lab that may not act.
    if (!http || !this.canRun(ref.labId)) return undefined;
    try {
      const engine = this.opts.engine;
      const found = await findService(engine.docker, engine.endpoint.publishedHost, http, {
        since: http.container.since === 'any' ? undefined : this.getState(ref).openedAt,
      });
      if (!found) return undefined;
      const external = this.opts.externalUri ?? ((uri: vscode.Uri) => vscode.env.asExternalUri(uri));
      const forBrowser = await external(vscode.Uri.parse(found.url, true));
      const address = serviceAddress(found.url, forBrowser.toString(true));
      const link: ServiceLink = { uri: vscode.Uri.parse(address.url, true), label: found.label };
      if (address.pathProxied) link.pathProxied = address.pathProxied;
      return link;
    } catch (error) {
      this.log.warn(`findService ${ref.labId}/${ref.stepId}: ${errorMessage(error)}`);
      return undefined;
    }
  }

  resetStep(ref: StepRef): Promise<void> {
    return this.runtime.resetStep(ref);
  }

  resetLab(labId: string): Promise<void> {
    return this.runtime.resetLab(labId);
  }

  // ---- clean-up ----------------------------------------------------------------------------

  /** Whether the lab has a ledger of what it created. */
  hasLedger(labId: string): boolean {
    return this.runtime.hasLedger(labId);
  }

  /** What "Clean up this lab" would remove now, each thing once with why it is the lab's. */
  cleanupPlan(labId: string): Promise<CleanupPlan> {
    return this.runtime.cleanupPlan(labId);
  }

  /** Removes exactly the plan's items (the caller showed them and asked). */
  cleanupLab(plan: CleanupPlan): Promise<CleanupReport> {
    return this.runtime.cleanup(plan);
  }

  /** The lab's own containers from an earlier try that are in the way of the step's `docker run --name`. */
  async leftovers(ref: StepRef): Promise<CleanupPlan> {
    try {
      return await this.runtime.leftovers(ref);
    } catch (error) {
      this.log.warn(`leftovers ${ref.labId}/${ref.stepId}: ${errorMessage(error)}`);
      return { labId: ref.labId, items: [], gone: [] };
    }
  }

  /**
   * Asks, then removes the step's leftovers (only the lab's own containers of the names the
   * step's commands give) and, with rerun, runs the step's command that names the first one
   * again. Resolves false when there was nothing to remove or the student said no.
   */
  async removeLeftovers(ref: StepRef, opts: { rerun: boolean }): Promise<boolean> {
    const plan = await this.leftovers(ref);
    if (plan.items.length === 0) return false;
    const names = plan.items.map((i) => i.name);
    const detail = `${plan.items.map((i) => `container ${i.name}: ${i.why}`).join('\n')}\n\nOnly ${names.length === 1 ? 'this container' : 'these containers'}, which this lab created; nothing else is touched.`;
    const question = opts.rerun ? `Remove ${names.join(', ')} and run the command again?` : `Also remove what this step left (${names.join(', ')})?`;
    if (!(await this.opts.confirm(question, detail, opts.rerun ? 'Remove and Run' : 'Remove'))) return false;
    const report = await this.runtime.cleanup(plan);
    const refused = report.items.filter((i) => i.outcome === 'refused');
    if (refused.length > 0) {
      this.opts.notices?.error(`Container Labs: could not remove ${refused.map((i) => `${i.name} (${i.reason ?? 'refused'})`).join(', ')}`);
      return false;
    }
    if (!opts.rerun) return true;
    const step = this.getStep(ref);
    const index = step?.commands.findIndex((c) => runContainerName(c.run) === names[0]) ?? -1;
    return index < 0 ? true : this.runCommand(ref, index);
  }
}
