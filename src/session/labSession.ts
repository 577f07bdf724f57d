/**
 * The lab session: the catalog, each step's state and the student's progress, live
 * checks for the current step, the terminal, and the per-lab resource ledger. Views
 * (tree, walkthrough, status bar) only read it and call its methods.
 */
import * as vscode from 'vscode';
import type { Catalog, Check, CheckResult, HttpCheck, Lab, LabCommand, PlaceholderValues, Step } from '../core/model';
import { cleanup, CommandWindows, ResourceLedger, type CleanupReport } from '../core/ledger';
import { Disposable, MutableDisposable } from '../common/lifecycle';
import { logFailure, type Logger } from '../common/logger';
import { errorMessage } from '../core/text';
import { ProgressStore, emptyStepState, type ProgressMemento } from '../progress/progressStore';
import type { CommandTerminal } from '../terminal/labTerminal';
import { StateKeys } from '../common/settings';
import type { LabProgress, LabSession, QuizFeedback, ServiceLink, StepRef, StepState } from './types';
import type { EngineHub } from './engineHub';
import * as core from './coreAdapter';
import { findService } from './findService';
import { runDetached } from '../core/events';

/** Where labs come from. */
export interface LabRoot {
  dir: string;
  origin: 'bundled' | 'workspace';
}

export interface LabSessionOptions {
  memento: ProgressMemento;
  logger: Logger;
  terminal: CommandTerminal;
  engine: EngineHub;
  /** Folders to load labs from (bundled first). */
  roots: () => LabRoot[];
  /** Whether the workspace is trusted; workspace labs run nothing until it is. */
  isTrusted: () => boolean;
  /** Asks a yes/no question (modal in the product). */
  confirm: (message: string, detail: string, action: string) => Promise<boolean>;
  /** Whether steps are re-checked on engine events. */
  liveChecks: () => boolean;
  /** The workspace folder for `${workspaceFolder}` (undefined: the home directory). */
  workspaceFolder: () => string | undefined;
  /** Opens a URL outside (`vscode.env.asExternalUri` in the product). */
  externalUri?: (uri: vscode.Uri) => Thenable<vscode.Uri>;
  now?: () => number;
}

/** A failing live result within this time after running a command does not turn a step red. */
const GRACE_MS = 3000;
/**
 * How long after a command is sent a container with a generated name made from an image the
 * command names is still taken for the lab's (see `mentionedBy`). Containers made later are
 * left alone by "Clean up this lab"; the lab's named containers are recorded at any time.
 */
const COMMAND_WINDOW_MAX_MS = 120_000;

function key(ref: StepRef): string {
  return `${ref.labId}\u0000${ref.stepId}`;
}

function isStepRef(value: unknown): value is StepRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StepRef).labId === 'string' &&
    typeof (value as StepRef).stepId === 'string'
  );
}

export class LabSessionImpl extends Disposable implements LabSession {
  private _catalog: Catalog = { courses: [], labs: [], broken: [], warnings: [] };
  private readonly store: ProgressStore;
  private readonly states = new Map<string, StepState>();
  private readonly attemptedAt = new Map<string, number>();
  private readonly live = this._register(new MutableDisposable<vscode.Disposable>());
  private readonly ledgerAttachment = this._register(new MutableDisposable<vscode.Disposable>());
  private readonly graceTimer = this._register(new MutableDisposable<vscode.Disposable>());
  private readonly ledgers = new Map<string, ResourceLedger>();
  private ledgerLab: string | undefined;
  /** The commands this session sent to the terminal lately: the ledger takes a container with a generated name only from these. */
  private readonly commandWindows = new CommandWindows(2000);
  private reloading: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly now: () => number;

  private readonly changed = this._register(new vscode.EventEmitter<StepRef | undefined>());
  readonly onDidChange = this.changed.event;
  private readonly ran = this._register(new vscode.EventEmitter<{ ref: StepRef; text: string }>());
  /** Fires after a lab command was sent to the terminal. */
  readonly onDidRunCommand = this.ran.event;

  constructor(private readonly opts: LabSessionOptions) {
    super();
    this.log = opts.logger;
    this.now = opts.now ?? Date.now;
    this.store = new ProgressStore(opts.memento);
    this.loadLedgers();
    this._register(
      opts.engine.onDidChangeEngine(() => {
        // A new endpoint means a new event stream: re-attach what listened to the old one.
        this.ledgerLab = undefined;
        this.ledgerAttachment.value = undefined;
        const current = this.current;
        if (current) {
          this.attachLedger(current.labId);
          this.startLive(current);
        }
      }),
    );
  }

  get catalog(): Catalog {
    return this._catalog;
  }

  get current(): StepRef | undefined {
    const ref = this.store.current;
    return ref && this.getStep(ref) ? ref : undefined;
  }

  getLab(labId: string): Lab | undefined {
    return typeof labId === 'string' ? this._catalog.labs.find((l) => l.id === labId) : undefined;
  }

  getStep(ref: StepRef): Step | undefined {
    if (!isStepRef(ref)) return undefined;
    return this.getLab(ref.labId)?.steps.find((s) => s.id === ref.stepId);
  }

  getState(ref: StepRef): StepState {
    const state = this.states.get(key(ref)) ?? this.fromStore(ref);
    const current = this.store.current;
    if (state.status === 'not-started' && current && current.labId === ref.labId && current.stepId === ref.stepId) {
      return { ...state, status: 'current' };
    }
    return { ...state };
  }

  getProgress(labId: string): LabProgress {
    const lab = this.getLab(labId);
    if (!lab) return { passed: 0, total: 0 };
    const passed = lab.steps.filter((s) => this.getState({ labId, stepId: s.id }).status === 'passed').length;
    return { passed, total: lab.steps.length };
  }

  canRun(labId: string): boolean {
    const lab = this.getLab(labId);
    if (!lab) return false;
    return lab.source.origin === 'bundled' || this.opts.isTrusted();
  }

  // ---- catalog -------------------------------------------------------------------------

  reload(): Promise<void> {
    if (!this.reloading) {
      this.reloading = this.doReload().finally(() => {
        this.reloading = undefined;
      });
    }
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    const started = this.now();
    const roots = this.opts.roots();
    let catalog: Catalog;
    try {
      catalog = await core.loadLabs(roots);
    } catch (error) {
      this.log.error(`loading labs failed: ${errorMessage(error)}`);
      return;
    }
    const before = this.current;
    this._catalog = catalog;
    await this.store.prune(catalog);
    this.states.clear();
    this.log.info(
      `catalog: ${catalog.labs.length} labs, ${catalog.courses.length} courses, ${catalog.broken.length} broken, from ${roots
        .map((r) => r.dir)
        .join(', ')} in ${this.now() - started} ms`,
    );
    for (const broken of catalog.broken) {
      const first = broken.issues[0];
      this.log.warn(`broken lab ${broken.file}${first ? `:${first.line}:${first.col}: ${first.message}` : ''}`);
    }
    const after = this.current;
    if (!after) {
      this.live.value = undefined;
    } else if (!before || before.labId !== after.labId || before.stepId !== after.stepId || !this.live.value) {
      this.startLive(after);
      this.attachLedger(after.labId);
    } else {
      // The step's check may have changed in the file: evaluate the new one.
      this.startLive(after);
    }
    this.changed.fire(undefined);
  }

  // ---- steps ---------------------------------------------------------------------------

  async openStep(ref: StepRef): Promise<void> {
    const step = this.getStep(ref);
    if (!step) {
      this.log.warn(`openStep: no step ${String(ref?.labId)}/${String(ref?.stepId)}`);
      return;
    }
    const target: StepRef = { labId: ref.labId, stepId: ref.stepId };
    const previous = this.current;
    if (previous && previous.labId === target.labId && previous.stepId !== target.stepId) {
      await this.passReadOnlyStep(previous, target);
    }
    const state = this.getStoredState(target);
    if (state.openedAt === undefined) {
      state.openedAt = this.now();
      await this.saveState(target, state);
    }
    const same = previous?.labId === target.labId && previous.stepId === target.stepId;
    await this.store.setCurrent(target);
    if (!same || !this.live.value) {
      this.startLive(target);
    }
    this.attachLedger(target.labId);
    this.changed.fire(target);
  }

  /** A step with neither check nor quiz counts as done once the student moves past it. */
  private async passReadOnlyStep(from: StepRef, to: StepRef): Promise<void> {
    const lab = this.getLab(from.labId);
    const step = this.getStep(from);
    if (!lab || !step || step.check || step.quiz) return;
    const fromIndex = lab.steps.indexOf(step);
    const toIndex = lab.steps.findIndex((s) => s.id === to.stepId);
    if (toIndex > fromIndex) {
      await this.markPassed(from, 'Read.');
    }
  }

  async checkNow(ref: StepRef): Promise<CheckResult> {
    const step = this.getStep(ref);
    if (!step) {
      return { status: 'error', reason: 'There is no such step.' };
    }
    if (!step.check) {
      if (step.quiz) {
        const state = this.getState(ref);
        return state.status === 'passed'
          ? { status: 'passed', reason: 'Answered correctly.' }
          : { status: 'failed', reason: 'Answer the question to complete this step.' };
      }
      await this.markPassed(ref, 'This step has no automatic check: marked as done.');
      return { status: 'passed', reason: 'This step has no automatic check: marked as done.' };
    }
    this.attemptedAt.set(key(ref), 0);
    const result = await this.evaluate(ref, step.check);
    await this.applyResult(ref, result, true);
    return result;
  }

  private async evaluate(ref: StepRef, check: Check): Promise<CheckResult> {
    const lab = this.getLab(ref.labId);
    if (!lab) return { status: 'error', reason: 'There is no such lab.' };
    try {
      return await core.evaluate(check, this.checkContext(lab, ref));
    } catch (error) {
      return { status: 'error', reason: `The check could not run: ${errorMessage(error)}` };
    }
  }

  private checkContext(lab: Lab, ref: StepRef): core.CheckContextInput {
    const state = this.getStoredState(ref);
    return {
      docker: this.opts.engine.docker,
      endpoint: this.opts.engine.endpoint,
      since: state.openedAt,
      placeholders: this.placeholders(lab),
    };
  }

  private startLive(ref: StepRef): void {
    this.live.value = undefined;
    const step = this.getStep(ref);
    const lab = this.getLab(ref.labId);
    if (!step?.check || !lab || !this.opts.liveChecks()) {
      return;
    }
    try {
      const live = core.startLiveCheck(step.check, this.checkContext(lab, ref), this.opts.engine.events, (result) => {
        const current = this.current;
        if (!current || current.labId !== ref.labId || current.stepId !== ref.stepId) return;
        runDetached(this.applyResult(ref, result, false), logFailure(this.log, 'showing a live result'));
      });
      this.live.value = live;
      this.log.debug(`live check started for ${ref.labId}/${ref.stepId}`);
    } catch (error) {
      this.log.error(`live check for ${ref.labId}/${ref.stepId} could not start: ${errorMessage(error)}`);
    }
  }

  /** Restarts live checking of the current step (settings changed). */
  restartLiveCheck(): void {
    const current = this.current;
    if (current) this.startLive(current);
    else this.live.value = undefined;
  }

  private async applyResult(ref: StepRef, result: CheckResult, explicit: boolean): Promise<void> {
    if (this.isDisposed || !this.getStep(ref)) return;
    const state = this.getStoredState(ref);
    const before = `${state.status}|${state.reason ?? ''}`;
    this.states.set(key(ref), { ...state, result });
    if (result.status === 'passed') {
      if (state.status !== 'passed') {
        this.log.info(`step ${ref.labId}/${ref.stepId} passed: ${result.reason}`);
        await this.markPassed(ref, result.reason, result);
      }
      return;
    }
    if (state.status === 'passed' && !explicit) {
      // Passing is kept: the next step may well remove what this one created.
      return;
    }
    const attempted = this.attemptedAt.get(key(ref));
    const sinceRun = attempted === undefined ? undefined : this.now() - attempted;
    const counts = explicit || state.status === 'failed' || state.status === 'error' || (sinceRun !== undefined && sinceRun > GRACE_MS);
    if (!counts && sinceRun !== undefined && !explicit) {
      // Within the grace period after a command: if nothing else happens, this result stands.
      const timer = setTimeout(() => {
        const latest = this.getStoredState(ref);
        if (latest.status !== 'passed' && latest.result === result) runDetached(this.applyResult(ref, result, false), logFailure(this.log, 'showing a result after the grace period'));
      }, GRACE_MS - sinceRun + 50);
      this.graceTimer.value = { dispose: () => clearTimeout(timer) };
    }
    const next: StepState = { ...state, result, reason: result.reason };
    if (counts) {
      next.status = result.status === 'error' ? 'error' : 'failed';
      next.passedAt = undefined;
    }
    await this.saveState(ref, next, result);
    if (`${next.status}|${next.reason ?? ''}` !== before) {
      this.changed.fire(ref);
    }
  }

  private async markPassed(ref: StepRef, reason: string, result?: CheckResult): Promise<void> {
    const state = this.getStoredState(ref);
    const next: StepState = { ...state, status: 'passed', reason, passedAt: this.now() };
    await this.saveState(ref, next, result);
    this.changed.fire(ref);
  }

  // ---- commands ------------------------------------------------------------------------

  commandText(ref: StepRef, index: number, opts?: { solution?: boolean }): string | undefined {
    const found = this.resolveCommand(ref, index, opts);
    if (!found) return undefined;
    try {
      return core.fill(found.command.run, this.placeholders(found.lab));
    } catch (error) {
      this.log.warn(`commandText: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** The lab's own command for (lab, step, index): nothing else is ever run. */
  private resolveCommand(ref: StepRef, index: number, opts?: { solution?: boolean }): { lab: Lab; step: Step; command: LabCommand } | undefined {
    if (!isStepRef(ref) || typeof index !== 'number' || !Number.isInteger(index) || index < 0) return undefined;
    const lab = this.getLab(ref.labId);
    const step = this.getStep(ref);
    if (!lab || !step) return undefined;
    const list = opts?.solution === true ? (step.solution?.commands ?? []) : step.commands;
    const command = list[index];
    return command ? { lab, step, command } : undefined;
  }

  async runCommand(ref: StepRef, index: number, opts?: { solution?: boolean }): Promise<boolean> {
    const found = this.resolveCommand(ref, index, opts);
    if (!found) {
      this.log.warn(`runCommand refused: no command ${JSON.stringify(ref)} #${String(index)}`);
      return false;
    }
    const { lab, step, command } = found;
    const target: StepRef = { labId: lab.id, stepId: step.id };
    if (!this.canRun(lab.id)) {
      this.log.warn(`runCommand refused: ${lab.id} is a workspace lab and the workspace is not trusted`);
      void vscode.window
        .showWarningMessage(
          `"${lab.title}" comes from this workspace. Trust the workspace to run its commands.`,
          'Manage Workspace Trust',
        )
        .then((choice) => (choice ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
      return false;
    }
    let text: string;
    try {
      const values = this.placeholders(lab);
      await core.prepareLabData(values);
      text = core.fill(command.run, values);
    } catch (error) {
      this.log.error(`runCommand: cannot fill ${lab.id}/${step.id} #${index}: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(`Container Labs: this command cannot be prepared: ${errorMessage(error)}`);
      return false;
    }
    if (command.destructive) {
      const ok = await this.opts.confirm(
        'This command removes something. Run it?',
        text,
        'Run',
      );
      if (!ok) {
        this.log.info(`runCommand cancelled by the user: ${text}`);
        return false;
      }
    }
    if (this.current?.labId !== target.labId || this.current.stepId !== target.stepId) {
      await this.openStep(target);
    }
    this.attemptedAt.set(key(target), this.now());
    // Open before sending: the engine's create event can arrive before terminal.run resolves.
    const closeWindow = this.commandWindows.begin(text, { maxMs: COMMAND_WINDOW_MAX_MS });
    try {
      const sent = await this.opts.terminal.run(text);
      this.log.info(`ran ${lab.id}/${step.id} #${index} via ${sent.via}`);
      // Shell integration says when the command ends; otherwise the window closes at its cap.
      if (sent.via === 'shellIntegration') void sent.exitCode.then(closeWindow, closeWindow);
    } catch (error) {
      closeWindow();
      this.log.error(`the terminal did not take the command: ${errorMessage(error)}`);
      return false;
    }
    this.ran.fire({ ref: target, text });
    if (!step.check && !step.quiz) {
      await this.markPassed(target, 'Command run (this step has no automatic check).');
    }
    return true;
  }

  interrupt(): void {
    this.opts.terminal.interrupt();
  }

  // ---- hints, solution, quiz -----------------------------------------------------------

  revealHint(ref: StepRef): number {
    const step = this.getStep(ref);
    if (!step) return 0;
    const state = this.getStoredState(ref);
    const next = { ...state, hintsShown: Math.min(step.hints.length, state.hintsShown + 1) };
    runDetached(this.saveState(ref, next), logFailure(this.log, 'saving a revealed hint'));
    this.changed.fire(ref);
    return next.hintsShown;
  }

  async revealSolution(ref: StepRef): Promise<boolean> {
    const step = this.getStep(ref);
    if (!step?.solution) return false;
    const state = this.getStoredState(ref);
    if (state.solutionShown) return true;
    const ok = await this.opts.confirm('Show the solution?', 'Trying first helps you learn; the hints may be enough.', 'Show Solution');
    if (!ok) return false;
    await this.saveState(ref, { ...this.getStoredState(ref), solutionShown: true });
    this.changed.fire(ref);
    return true;
  }

  answerQuiz(ref: StepRef, choices: number[]): QuizFeedback | undefined {
    const step = this.getStep(ref);
    const quiz = step?.quiz;
    if (!quiz || !Array.isArray(choices)) return undefined;
    if (!choices.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < quiz.choices.length)) {
      return undefined;
    }
    const picked = [...new Set(choices)].sort((a, b) => a - b);
    const right = [...quiz.answer].sort((a, b) => a - b);
    const correct = picked.length === right.length && picked.every((c, i) => c === right[i]);
    const state = this.getStoredState(ref);
    const next: StepState = {
      ...state,
      answer: picked,
      status: correct ? 'passed' : 'failed',
      reason: correct ? 'Answered correctly.' : 'Not the right answer yet.',
      passedAt: correct ? (state.passedAt ?? this.now()) : undefined,
    };
    runDetached(this.saveState(ref, next), logFailure(this.log, 'saving a quiz answer'));
    this.changed.fire(ref);
    return { correct, explanation: quiz.explanation, answer: right };
  }

  // ---- services ------------------------------------------------------------------------

  async findService(ref: StepRef): Promise<ServiceLink | undefined> {
    const step = this.getStep(ref);
    const lab = this.getLab(ref.labId);
    const http = step?.check ? firstHttpCheck(step.check) : undefined;
    if (!lab || !http) return undefined;
    try {
      const found = await findService(this.opts.engine.docker, this.opts.engine.endpoint.publishedHost, http, {
        since: http.container.since === 'any' ? undefined : this.getStoredState(ref).openedAt,
      });
      if (!found) return undefined;
      const external = this.opts.externalUri ?? ((uri: vscode.Uri) => vscode.env.asExternalUri(uri));
      const uri = await external(vscode.Uri.parse(found.url, true));
      return { uri, label: found.label };
    } catch (error) {
      this.log.warn(`findService ${ref.labId}/${ref.stepId}: ${errorMessage(error)}`);
      return undefined;
    }
  }

  // ---- navigation ----------------------------------------------------------------------

  next(ref: StepRef): StepRef | undefined {
    return this.neighbour(ref, +1);
  }

  previous(ref: StepRef): StepRef | undefined {
    return this.neighbour(ref, -1);
  }

  private neighbour(ref: StepRef, delta: 1 | -1): StepRef | undefined {
    const lab = this.getLab(ref?.labId);
    if (!lab) return undefined;
    const index = lab.steps.findIndex((s) => s.id === ref.stepId);
    if (index < 0) return undefined;
    const step = lab.steps[index + delta];
    if (step) return { labId: lab.id, stepId: step.id };
    // Past the end of a lab: the next lab of its course (or the previous one's last step).
    const course = this._catalog.courses.find((c) => c.labs.includes(lab.id));
    if (!course) return undefined;
    const order = course.labs.filter((id) => this.getLab(id));
    const other = this.getLab(order[order.indexOf(lab.id) + delta] ?? '');
    if (!other || other.steps.length === 0) return undefined;
    const target = delta > 0 ? other.steps[0] : other.steps[other.steps.length - 1];
    return { labId: other.id, stepId: target.id };
  }

  // ---- reset and cleanup ---------------------------------------------------------------

  async resetStep(ref: StepRef): Promise<void> {
    if (!this.getStep(ref)) return;
    await this.store.resetStep(ref);
    this.states.delete(key(ref));
    this.attemptedAt.delete(key(ref));
    const current = this.current;
    if (current && current.labId === ref.labId && current.stepId === ref.stepId) {
      await this.saveState(ref, { ...emptyStepState(), openedAt: this.now() });
      this.startLive(ref);
    }
    this.changed.fire(ref);
  }

  async resetLab(labId: string): Promise<void> {
    const lab = this.getLab(labId);
    if (!lab) return;
    const wasCurrent = this.current?.labId === labId;
    await this.store.resetLab(labId);
    for (const step of lab.steps) {
      this.states.delete(key({ labId, stepId: step.id }));
      this.attemptedAt.delete(key({ labId, stepId: step.id }));
    }
    if (wasCurrent) {
      this.live.value = undefined;
    }
    this.changed.fire(undefined);
  }

  /** Whether the lab has a resource ledger that is recording (or recorded) what it creates. */
  hasLedger(labId: string): boolean {
    return this.ledgers.has(labId) && (this.ledgerLab !== labId || this.ledgerAttachment.value !== undefined);
  }

  /** What "Clean up this lab" would remove (from the lab's ledger). */
  cleanupPlan(labId: string): { containers: string[]; volumes: string[]; images: string[] } {
    const ledger = this.ledgers.get(labId);
    if (!ledger) return { containers: [], volumes: [], images: [] };
    return {
      containers: ledger.containerIds.map((c) => c.name ?? c.id.slice(0, 12)),
      volumes: ledger.volumeNames,
      images: ledger.imageRefs,
    };
  }

  /** Removes what the lab's steps created (the caller asks first). */
  async cleanupLab(labId: string): Promise<CleanupReport | undefined> {
    const ledger = this.ledgers.get(labId);
    if (!ledger) return undefined;
    const report = await cleanup(this.opts.engine.docker, ledger);
    ledger.forget(report);
    await this.saveLedgers();
    this.log.info(`cleanup ${labId}: ${report.removed} removed, ${report.alreadyGone} already gone, ${report.failed} failed`);
    return report;
  }

  // ---- ledger --------------------------------------------------------------------------

  private loadLedgers(): void {
    const stored = this.opts.memento.get<unknown>(StateKeys.ledger);
    if (typeof stored !== 'object' || stored === null) return;
    for (const [labId, json] of Object.entries(stored)) {
      try {
        this.ledgers.set(labId, ResourceLedger.fromJSON(json));
      } catch (error) {
        this.log.warn(`dropping the stored ledger of ${labId}: ${errorMessage(error)}`);
      }
    }
  }

  private saveLedgers(): Thenable<void> {
    const out: Record<string, unknown> = {};
    for (const [labId, ledger] of this.ledgers) out[labId] = ledger.toJSON();
    return this.opts.memento.update(StateKeys.ledger, out);
  }

  /** Records what the engine creates while this lab is the current one. */
  private attachLedger(labId: string): void {
    if (this.ledgerLab === labId && this.ledgerAttachment.value) return;
    this.ledgerLab = labId;
    this.ledgerAttachment.value = undefined;
    const attach = (ledger: ResourceLedger): void => {
      if (this.ledgerLab !== labId || this.isDisposed) return;
      this.ledgerAttachment.value = core.attachLedger(ledger, this.opts.engine.events, () => this.opts.engine.docker, () => {
        void this.saveLedgers();
      }, this.getLab(labId), this.commandWindows);
    };
    const existing = this.ledgers.get(labId);
    if (existing) {
      attach(existing);
      return;
    }
    ResourceLedger.begin(this.opts.engine.docker, labId).then(
      (ledger) => {
        if (!this.ledgers.has(labId)) {
          this.ledgers.set(labId, ledger);
          void this.saveLedgers();
        }
        attach(this.ledgers.get(labId) ?? ledger);
      },
      (error: unknown) => {
        this.ledgerLab = undefined;
        this.log.warn(`cannot start the resource ledger of ${labId}: ${errorMessage(error)}`);
      },
    );
  }

  // ---- state ---------------------------------------------------------------------------

  private fromStore(ref: StepRef): StepState {
    const stored = this.store.get(ref);
    return stored ? { ...stored } : emptyStepState();
  }

  /** The state without the "current" overlay. */
  private getStoredState(ref: StepRef): StepState {
    return { ...(this.states.get(key(ref)) ?? this.fromStore(ref)) };
  }

  private async saveState(ref: StepRef, state: StepState, result?: CheckResult): Promise<void> {
    const next = { ...state };
    if (result) next.result = result;
    this.states.set(key(ref), next);
    await this.store.set(ref, next);
  }

  private placeholders(lab: Lab): PlaceholderValues {
    return core.placeholdersFor(lab, this.opts.workspaceFolder());
  }

  override dispose(): void {
    this.live.value = undefined;
    super.dispose();
  }
}

function firstHttpCheck(check: Check): HttpCheck | undefined {
  if ('http' in check) return check.http;
  const parts = 'all' in check ? check.all : 'any' in check ? check.any : [];
  for (const part of parts) {
    const found = firstHttpCheck(part);
    if (found) return found;
  }
  return undefined;
}
