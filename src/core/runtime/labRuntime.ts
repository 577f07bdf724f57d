/**
 * THE lab runtime, one for the extension and the CLI: the catalog, each step's state and its
 * transitions (steps.ts), the live check of the current step, the command windows and the
 * ownership ledger of each lab (ownership.ts), placeholder filling, and running a step's
 * commands through an injected executor (the lab's terminal in the extension, a real shell in
 * `container-labs test`). The extension's session adds only the terminal, the Memento, the
 * dialogs and the views on top. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import * as os from 'node:os';
import type Dockerode from 'dockerode';
import type { Catalog, CheckResult, Lab, LabCommand, PlaceholderValues, Step } from '../model';
import type { EngineEndpoint } from '../engine/connection';
import type { EngineEvents } from '../checks/events';
import { evaluateCheck, type CheckContext } from '../checks/evaluate';
import { LiveCheck, type LiveCheckOptions } from '../checks/live';
import { Emitter, runDetached, type Disposable, type Event } from '../events';
import { defaultPlaceholders, ensureLabData, fillCommand, fillText, findPlaceholders } from '../labs/placeholders';
import type { ResourceLedger } from '../ledger';
import { createdNames, dockerCalls } from '../labs/dockerCommands';
import { normalizeImageRef } from '../images';
import { callWithDeadline } from '../engine/errors';
import { errorMessage } from '../text';
import type { CleanupPlan, CleanupReport } from './cleanup';
import { LabLedgers } from './ledgers';
import { LabClaims, type CommandSource, type CommandWindow } from './ownership';
import { ProgressStore } from './progress';
import { applyAnswer, applyResult, emptyStepState, isChecked, markDone, namedContainers, type ResultContext } from './steps';
import { commandFailure } from './commandExit';
import {
  isStepRef,
  sameRef,
  SILENT_LOG,
  type CommandExecution,
  type CommandExecutor,
  type LabProgress,
  type QuizFeedback,
  type RuntimeLog,
  type StateStore,
  type StepRef,
  type StepState,
} from './types';

/** The engine the runtime works against; read again after `engineChanged()`. */
export interface RuntimeEngine {
  readonly docker: Dockerode;
  /** The endpoint (its publishedHost, and its name in "cannot check" reasons). */
  readonly endpoint?: EngineEndpoint;
  /** Host where published ports answer, when not the endpoint's. */
  readonly publishedHost?: string;
  readonly events: EngineEvents;
}

export interface LabRuntimeOptions<E extends CommandExecution> {
  engine: RuntimeEngine;
  store: StateStore;
  executor: CommandExecutor<E>;
  /** Loads the catalog for `reload()`. */
  loadCatalog?: () => Promise<Catalog>;
  /** The workspace folder for `${workspaceFolder}` (undefined: the home directory). */
  workspaceFolder?: () => string | undefined;
  /** Placeholder values of a lab; default `defaultPlaceholders` from the workspace folder. */
  placeholders?: (lab: Lab) => PlaceholderValues;
  /** Whether the current step is re-checked on engine events, default true. */
  liveChecks?: () => boolean;
  /**
   * Whether a lab may act: check the engine or the host, run live checks, send commands.
   * Default: every lab may. The extension says no for a workspace lab in Restricted Mode; such
   * a lab only shows its text, and every way in (Check, live checks, Run, `evaluate`) refuses
   * with restrictedReason().
   */
  mayAct?: (lab: Lab) => boolean;
  /** How long after a command a failing live result does not turn the step red, default 3000 ms. */
  graceMs?: number;
  /** Options of the live checks (tests make them quicker). */
  live?: Pick<LiveCheckOptions, 'coalesceMs' | 'pollMs' | 'settleMs' | 'supersedeAfterMs'>;
  /**
   * Deadline of each engine call of a check, default 10 000 ms: the engine answers an inspect
   * of a container only once its start is done, which takes seconds on a busy machine, and
   * "cannot check" would be the wrong thing to show meanwhile.
   */
  checkTimeoutMs?: number;
  /** A command window closes by itself this long after it opened, default 120 000 ms. */
  commandWindowMaxMs?: number;
  /** How long after a command's end its events still count, default 1500 ms. */
  commandTailMs?: number;
  log?: RuntimeLog;
  now?: () => number;
}

/** A lab command ready to run: the lab's own text with its placeholders filled. */
export interface PreparedCommand {
  ref: StepRef;
  lab: Lab;
  step: Step;
  command: LabCommand;
  index: number;
  solution: boolean;
  text: string;
}

/**
 * How long before shell integration reports a typed command the shell may have started it: the
 * report goes through the workbench, and the engine's events of the command came 0.5 s before
 * it on an idle machine here.
 */
export const TYPED_LATE_MS = 3000;

/**
 * The grace after a command stretches while the step's result keeps changing, to at most this
 * many graces after it began (a container that restarts in a loop goes red in the end).
 */
const GRACE_STRETCH = 4;

/** How long a command waits for the list of what existed when its step opened. */
const LIST_BEFORE_RUN_MS = 2000;

/** What a lab that may not act (see `mayAct`) answers to Check and Run. */
export function restrictedReason(): string {
  return l10n.t('This lab comes from a workspace you have not trusted: in Restricted Mode it shows its text only, and its checks and commands do not run. Trust the workspace to use it.');
}

/** Why a command was not run. */
export class CommandRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandRefused';
  }
}

/** The image references the lab's commands build (`docker build -t X`), normalised. */
export function builtImages(lab: Lab, placeholders: PlaceholderValues | undefined): string[] {
  const refs = new Set<string>();
  for (const step of lab.steps) {
    for (const command of [...step.commands, ...(step.solution?.commands ?? [])]) {
      let text = command.run;
      try {
        if (placeholders) text = fillCommand(command.run, placeholders);
      } catch {
        // A placeholder that cannot be filled: the text as written.
      }
      for (const call of dockerCalls(text)) if (call.verb === 'build') for (const ref of createdNames(call).images) refs.add(normalizeImageRef(ref));
    }
  }
  return [...refs];
}

function keyOf(ref: StepRef): string {
  return `${ref.labId}\u0000${ref.stepId}`;
}

export class LabRuntime<E extends CommandExecution = CommandExecution> implements Disposable {
  private _catalog: Catalog = { courses: [], labs: [], broken: [], warnings: [] };
  private readonly progress: ProgressStore;
  private readonly states = new Map<string, StepState>();
  private readonly attemptedAt = new Map<string, number>();
  /** When the grace of a step's last command first began (the stretch of the grace is capped from here). */
  private readonly graceBegan = new Map<string, number>();
  /**
   * How many of each step's commands run now (by step key): from the click until the executor
   * has put the command in, and then until its end is reported (when it will be).
   */
  private readonly running = new Map<string, number>();
  /** The step's last lab command did not end as the lab expects: the reason its failing check shows. */
  private readonly commandFailures = new Map<string, CheckResult>();
  private readonly ledgers: LabLedgers;
  private live: { ref: StepRef; check: LiveCheck; subscription: Disposable } | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Per step opened in this runtime: when, and the IDs of the containers that existed then. */
  private readonly existedAtOpen = new Map<string, { openedAt: number; ids: Promise<ReadonlySet<string> | undefined> }>();
  private reloading: Promise<void> | undefined;
  private saving: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly log: RuntimeLog;
  private readonly now: () => number;
  private readonly graceMs: number;

  private readonly changed = new Emitter<StepRef | undefined>();
  /** Fires when the catalog, the current step or any step state changes. */
  readonly onDidChange: Event<StepRef | undefined> = this.changed.event;
  private readonly ran = new Emitter<{ ref: StepRef; text: string; execution: E }>();
  /** Fires after a lab command was handed to the executor. */
  readonly onDidRunCommand: Event<{ ref: StepRef; text: string; execution: E }> = this.ran.event;
  private readonly resultEmitter = new Emitter<{ ref: StepRef; result: CheckResult }>();
  /** Every check result applied to a step (live or Check now), in order. */
  readonly onDidApplyResult: Event<{ ref: StepRef; result: CheckResult }> = this.resultEmitter.event;

  constructor(private readonly opts: LabRuntimeOptions<E>) {
    this.log = opts.log ?? SILENT_LOG;
    this.now = opts.now ?? Date.now;
    this.graceMs = opts.graceMs ?? 3000;
    this.progress = new ProgressStore(opts.store);
    const ledgerOpts: ConstructorParameters<typeof LabLedgers>[0] = {
      store: opts.store,
      engine: () => opts.engine,
      claimsOf: (labId) => {
        const lab = this.getLab(labId);
        return lab ? LabClaims.of(lab, this.placeholders(lab)) : new LabClaims([]);
      },
      save: (work, what) => this.save(work, what),
      log: this.log,
      now: this.now,
    };
    if (opts.commandWindowMaxMs !== undefined) ledgerOpts.commandWindowMaxMs = opts.commandWindowMaxMs;
    if (opts.commandTailMs !== undefined) ledgerOpts.commandTailMs = opts.commandTailMs;
    this.ledgers = new LabLedgers(ledgerOpts);
  }

  // ---- catalog ---------------------------------------------------------------------------

  get catalog(): Catalog {
    return this._catalog;
  }

  get current(): StepRef | undefined {
    const ref = this.progress.current;
    return ref && this.getStep(ref) ? ref : undefined;
  }

  getLab(labId: string): Lab | undefined {
    return typeof labId === 'string' ? this._catalog.labs.find((l) => l.id === labId) : undefined;
  }

  getStep(ref: StepRef): Step | undefined {
    if (!isStepRef(ref)) return undefined;
    return this.getLab(ref.labId)?.steps.find((s) => s.id === ref.stepId);
  }

  /** Whether the lab may act now (check, live-check, run); false for a lab that is not loaded. */
  mayAct(labId: string): boolean {
    const lab = this.getLab(labId);
    return lab !== undefined && (this.opts.mayAct?.(lab) ?? true);
  }

  /** The step the live check watches now, if any. */
  get liveStep(): StepRef | undefined {
    return this.live ? { ...this.live.ref } : undefined;
  }

  /** Whether labs may act changed (the workspace was trusted): the current step's live check starts, the views redraw. */
  permissionsChanged(): void {
    this.restartLiveCheck();
    this.changed.fire(undefined);
  }

  /** Loads the catalog again (one load at a time). */
  reload(): Promise<void> {
    const load = this.opts.loadCatalog;
    if (!load) return Promise.resolve();
    this.reloading ??= load()
      .then((catalog) => this.setCatalog(catalog))
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  /** Applies a catalog: progress of vanished steps is dropped, the current step's live check restarts. */
  async setCatalog(catalog: Catalog): Promise<void> {
    const before = this.current;
    this._catalog = catalog;
    await this.progress.prune(catalog);
    this.states.clear();
    // The lab's commands may have changed: what they may create changes with them.
    for (const labId of this.ledgers.labIds) {
      const lab = this.getLab(labId);
      if (lab) this.ledgers.refreshClaims(lab, LabClaims.of(lab, this.placeholders(lab)));
    }
    const after = this.current;
    if (!after) {
      this.stopLive();
    } else {
      // A new step, or the same step whose check may have changed in the file.
      this.startLive(after);
      this.ledgers.ensure(after.labId);
      if (!sameRef(before, after)) this.log.debug(`current step ${after.labId}/${after.stepId}`);
    }
    this.changed.fire(undefined);
  }

  // ---- state -----------------------------------------------------------------------------

  getState(ref: StepRef): StepState {
    const state = this.storedState(ref);
    if (state.status === 'not-started' && sameRef(this.progress.current, ref)) return { ...state, status: 'current' };
    return state;
  }

  getProgress(labId: string): LabProgress {
    const lab = this.getLab(labId);
    if (!lab) return { passed: 0, total: 0, read: 0, unchecked: 0 };
    const done = (s: Step): boolean => this.storedState({ labId, stepId: s.id }).status === 'passed';
    const checked = lab.steps.filter(isChecked);
    const plain = lab.steps.filter((s) => !isChecked(s));
    return { passed: checked.filter(done).length, total: checked.length, read: plain.filter(done).length, unchecked: plain.length };
  }

  private storedState(ref: StepRef): StepState {
    const cached = this.states.get(keyOf(ref));
    if (cached) return { ...cached };
    const stored = this.progress.get(ref);
    return stored ? { ...stored } : emptyStepState();
  }

  /** Sets a step's state at once; it is saved in the background (see `flush`). */
  private setState(ref: StepRef, state: StepState): void {
    this.states.set(keyOf(ref), { ...state });
    this.save(() => this.progress.set(ref, state), 'saving progress');
  }

  /**
   * Starts a write to the store now (the store takes it in call order: the progress store and a
   * Memento change their data at once and persist after), and keeps it for `flush`.
   */
  private save(work: () => PromiseLike<unknown>, what: string): void {
    const failed = (error: unknown): void => this.log.error(`${what} failed: ${errorMessage(error)}`);
    let done: Promise<unknown>;
    try {
      done = Promise.resolve(work()).then(undefined, failed);
    } catch (error) {
      failed(error);
      done = Promise.resolve();
    }
    this.saving = Promise.all([this.saving, done]);
  }

  /** Resolves when every state change so far is saved. */
  flush(): Promise<void> {
    return this.saving.then(() => undefined);
  }

  // ---- steps -----------------------------------------------------------------------------

  /** Makes a step the current one: records when it was first opened, starts its live check. */
  async openStep(ref: StepRef): Promise<void> {
    const step = this.getStep(ref);
    if (!step) {
      this.log.warn(`openStep: no step ${String(ref?.labId)}/${String(ref?.stepId)}`);
      return;
    }
    const target: StepRef = { labId: ref.labId, stepId: ref.stepId };
    const previous = this.current;
    if (previous && previous.labId === target.labId && previous.stepId !== target.stepId) this.passReadStep(previous, target);
    const state = this.storedState(target);
    if (state.openedAt === undefined) this.markOpened(target, state);
    const same = sameRef(previous, target);
    this.save(() => this.progress.setCurrent(target), 'saving the current step');
    if (!same || !this.live) this.startLive(target);
    this.ledgers.ensure(target.labId);
    await this.readyDataFolder(target, step);
    this.changed.fire(target);
    await this.flush();
  }

  /**
   * The step opens now (first time, or after Reset Step): records when, and lists the
   * containers that exist at this moment, so its check can tell an older container from a new
   * one by ID rather than by the engine's whole-second creation times.
   */
  private markOpened(ref: StepRef, state: StepState): void {
    const openedAt = this.now();
    this.setState(ref, { ...state, openedAt });
    const ids = callWithDeadline(
      async (signal) => new Set((await this.opts.engine.docker.listContainers({ all: true, abortSignal: signal })).map((c) => c.Id)) as ReadonlySet<string>,
      this.opts.checkTimeoutMs ?? 10_000,
    ).catch((error: unknown) => {
      this.log.debug(`listing the containers as ${ref.labId}/${ref.stepId} opened: ${errorMessage(error)}; its check goes by creation times`);
      return undefined;
    });
    this.existedAtOpen.set(keyOf(ref), { openedAt, ids });
  }

  /**
   * What existed when the step opened is listed, if it can be, before one of its commands runs
   * (so the command's own container is not among them). An engine slower than
   * LIST_BEFORE_RUN_MS does not hold the command up, and the list is kept: a container it names
   * that was made after the step opened is judged by its exact creation time (the check's
   * snapshot), while dropping the list would bring back the whole-second times, under which a
   * container made a moment before Reset Step counts as new.
   */
  private async listedBeforeRun(ref: StepRef): Promise<void> {
    const known = this.existedAtOpen.get(keyOf(ref));
    if (!known) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, LIST_BEFORE_RUN_MS)));
    await Promise.race([known.ids, late]);
    clearTimeout(timer);
  }

  /** The containers that existed when the step was opened, if this runtime listed them then (and it was not opened again since). */
  private existedWhenOpened(ref: StepRef): Promise<ReadonlySet<string> | undefined> {
    const known = this.existedAtOpen.get(keyOf(ref));
    return known !== undefined && known.openedAt === this.storedState(ref).openedAt ? known.ids : Promise.resolve(undefined);
  }

  /**
   * A step whose text shows the lab's data folder gets it made when opened, so a student who
   * types the command as shown (`echo ... > <folder>/notes.txt`) finds the folder there, as one
   * who clicked Run does. Never for a lab that may not act; a failure is logged, and Run says it.
   */
  private async readyDataFolder(ref: StepRef, step: Step): Promise<void> {
    const lab = this.getLab(ref.labId);
    if (!lab || !this.mayAct(lab.id) || !findPlaceholders(step.instructions).some((use) => use.name === 'labData')) return;
    try {
      await ensureLabData(this.placeholders(lab));
    } catch (error) {
      this.log.warn(`cannot create the data folder of ${lab.id}: ${errorMessage(error)}`);
    }
  }

  /** One more attempt at a step (a command of it run, or Check now): the class report shows them. */
  private countAttempt(ref: StepRef): void {
    const state = this.storedState(ref);
    this.setState(ref, { ...state, attempts: (state.attempts ?? 0) + 1 });
  }

  /** A step with neither check nor quiz counts as done once the student moves on past it. */
  private passReadStep(from: StepRef, to: StepRef): void {
    const lab = this.getLab(from.labId);
    const step = this.getStep(from);
    if (!lab || !step || isChecked(step)) return;
    if (lab.steps.findIndex((s) => s.id === to.stepId) > lab.steps.indexOf(step)) {
      this.setState(from, markDone(this.storedState(from), 'Read.', this.now()));
      this.changed.fire(from);
    }
  }

  /** Check now: through the step's live check when it has one (one evaluation at a time, results in order). */
  async checkNow(ref: StepRef): Promise<CheckResult> {
    const step = this.getStep(ref);
    if (!step) return { status: 'error', reason: l10n.t('There is no such step.') };
    if (!this.mayAct(ref.labId)) return { status: 'error', reason: restrictedReason() };
    if (!step.check) {
      if (step.quiz) {
        return this.storedState(ref).status === 'passed'
          ? { status: 'passed', reason: l10n.t('Answered correctly.') }
          : { status: 'failed', reason: l10n.t('Answer the question to complete this step.') };
      }
      const reason = l10n.t('This step has no automatic check: marked as done.');
      this.setState(ref, markDone(this.storedState(ref), reason, this.now()));
      this.changed.fire(ref);
      await this.flush();
      return { status: 'passed', reason };
    }
    this.countAttempt(ref);
    let result: CheckResult;
    const live = this.live;
    if (live && sameRef(live.ref, ref)) {
      result = await live.check.checkNow();
      // Applied as a live result already; it counts as asked for, unless a newer one came since.
      if (live.check.last === result && this.live === live) this.apply(ref, result, true);
    } else {
      const lab = this.getLab(ref.labId);
      result = lab ? await evaluateCheck(step.check, this.checkContext(lab, ref)) : { status: 'error', reason: l10n.t('There is no such lab.') };
      this.apply(ref, result, true);
    }
    await this.flush();
    return result;
  }

  /**
   * One evaluation of a step's check in the runtime's context (engine, placeholders), changing
   * no state: `container-labs check`. `since` (default: when the step was opened) limits
   * "created since the step opened"; 0 means any time.
   */
  async evaluate(ref: StepRef, opts: { since?: number } = {}): Promise<CheckResult> {
    const lab = this.getLab(ref.labId);
    const check = this.getStep(ref)?.check;
    if (!lab || !check) return { status: 'error', reason: l10n.t('There is no such step, or it has no check.') };
    if (!this.mayAct(lab.id)) return { status: 'error', reason: restrictedReason() };
    const ctx = this.checkContext(lab, ref);
    if (opts.since !== undefined) ctx.since = opts.since;
    return evaluateCheck(check, ctx);
  }

  private checkContext(lab: Lab, ref: StepRef): CheckContext {
    const engine = this.opts.engine;
    const ctx: CheckContext = { docker: engine.docker, placeholders: this.placeholders(lab) };
    const publishedHost = engine.publishedHost ?? engine.endpoint?.publishedHost;
    if (publishedHost !== undefined) ctx.publishedHost = publishedHost;
    if (engine.endpoint) ctx.endpoint = engine.endpoint;
    const openedAt = this.storedState(ref).openedAt;
    if (openedAt !== undefined) ctx.since = openedAt;
    ctx.existedWhenOpened = () => this.existedWhenOpened(ref);
    ctx.timeoutMs = this.opts.checkTimeoutMs ?? 10_000;
    const built = builtImages(lab, ctx.placeholders);
    if (built.length) ctx.builtImages = built;
    return ctx;
  }

  private startLive(ref: StepRef): void {
    this.stopLive();
    const step = this.getStep(ref);
    const lab = this.getLab(ref.labId);
    if (!step?.check || !lab || !this.mayAct(lab.id) || !(this.opts.liveChecks?.() ?? true)) return;
    try {
      const check = new LiveCheck({ check: step.check, ctx: this.checkContext(lab, ref), events: this.opts.engine.events, ...this.opts.live });
      const subscription = check.onResult((result) => {
        if (!sameRef(this.current, ref)) return;
        this.apply(ref, result, false);
      });
      this.live = { ref, check, subscription };
      check.checkInBackground();
      this.log.debug(`live check started for ${ref.labId}/${ref.stepId}`);
    } catch (error) {
      this.log.error(`live check for ${ref.labId}/${ref.stepId} could not start: ${errorMessage(error)}`);
    }
  }

  private stopLive(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (!this.live) return;
    this.live.subscription.dispose();
    this.live.check.dispose();
    this.live = undefined;
  }

  /** Restarts live checking of the current step (a setting changed). */
  restartLiveCheck(): void {
    const current = this.current;
    if (current) this.startLive(current);
    else this.stopLive();
  }

  /** Whether the step's live check has looked at every engine event so far (its result is the engine's present state). */
  liveSettled(ref: StepRef): boolean {
    return this.live !== undefined && sameRef(this.live.ref, ref) && this.live.check.idle && this.live.check.last !== undefined;
  }

  /**
   * Waits on the step's live check (the same one the extension shows) until a result passes,
   * `stop()` says there is no point (a foreground server died), or `timeoutMs` passed; resolves
   * with the last result. The step must be the current one.
   */
  async awaitPass(ref: StepRef, opts: { timeoutMs: number; signal?: AbortSignal; stop?: () => boolean }): Promise<CheckResult> {
    const live = this.live;
    if (!live || !sameRef(live.ref, ref)) return this.checkNow(ref);
    return new Promise<CheckResult>((resolve) => {
      let last = live.check.last;
      let settled = false;
      const finish = (result: CheckResult | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        sub.dispose();
        opts.signal?.removeEventListener('abort', onAbort);
        if (result) {
          resolve(result);
          return;
        }
        // The events of its exit may still be on their way: one more look once they settle.
        setTimeout(() => runDetached(live.check.checkNow().then(resolve), () => resolve({ status: 'error', reason: 'the check could not run' })), 200);
      };
      const sub = live.check.onResult((result) => {
        last = result;
        if (result.status === 'passed') finish(result);
      });
      const timer = setTimeout(() => finish(last), opts.timeoutMs);
      // A foreground server that died will not come back: one more look (its exit's events settle), then stop.
      const watch = setInterval(() => {
        if (opts.stop?.()) finish(undefined);
      }, 200);
      const onAbort = (): void => finish(last);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (last?.status === 'passed') finish(last);
    });
  }

  /** Applies a result to a step (synchronously; saved in the background). */
  private apply(ref: StepRef, result: CheckResult, explicit: boolean): void {
    if (this.disposed || !this.getStep(ref)) return;
    const before = this.storedState(ref);
    this.stretchGrace(ref, before, result, explicit);
    const attemptedAt = this.attemptedAt.get(keyOf(ref));
    const step = this.getStep(ref);
    const ran = new Set(before.commandsRun ?? []).size;
    const commandsLeft = step && ran > 0 ? Math.max(0, step.commands.length - ran) : 0;
    const ctx: ResultContext = { explicit, now: this.now(), graceMs: this.graceMs, commandsLeft };
    if (attemptedAt !== undefined) ctx.attemptedAt = attemptedAt;
    const failure = this.commandFailures.get(keyOf(ref));
    if (failure) ctx.commandFailure = failure;
    if ((this.running.get(keyOf(ref)) ?? 0) > 0) ctx.commandRunning = true;
    const outcome = applyResult(before, result, ctx);
    if (result.status === 'passed') this.commandFailures.delete(keyOf(ref));
    if (outcome.passed) this.log.info(`step ${ref.labId}/${ref.stepId} passed: ${result.reason}`);
    this.setState(ref, outcome.state);
    const recheckAt = outcome.recheckAt;
    if (recheckAt !== undefined) {
      clearTimeout(this.graceTimer);
      // If nothing newer comes, this result counts once the grace is over.
      this.graceTimer = setTimeout(() => {
        this.graceTimer = undefined;
        if (this.storedState(ref).result === outcome.state.result) this.apply(ref, result, false);
      }, Math.max(0, recheckAt - this.now()));
      this.graceTimer.unref?.();
    }
    this.resultEmitter.fire({ ref, result });
    this.changed.fire(ref);
  }

  /**
   * Inside the grace, a failing result with another reason than the one before means the
   * engine is still moving (created, then started; a slow engine takes seconds between them):
   * the grace starts again from that change, up to GRACE_STRETCH times the grace after it first
   * began. A step goes red only once its result has stood still for the grace.
   */
  private stretchGrace(ref: StepRef, before: StepState, result: CheckResult, explicit: boolean): void {
    const key = keyOf(ref);
    const from = this.attemptedAt.get(key);
    // Not yet judged (a step the student opened shows 'not-started' or 'current' until a result counts).
    const unjudged = before.status === 'current' || before.status === 'not-started';
    if (explicit || from === undefined || result.status !== 'failed' || !unjudged) return;
    if (before.result?.status !== 'failed' || before.result.reason === result.reason) return;
    const now = this.now();
    const began = this.graceBegan.get(key) ?? from;
    if (now - from > this.graceMs || now - began >= GRACE_STRETCH * this.graceMs) return;
    this.attemptedAt.set(key, Math.min(now, began + GRACE_STRETCH * this.graceMs - this.graceMs));
  }

  // ---- commands --------------------------------------------------------------------------

  /** The placeholder values of a lab. */
  placeholders(lab: Lab): PlaceholderValues {
    if (this.opts.placeholders) return this.opts.placeholders(lab);
    return defaultPlaceholders({ workspaceFolder: this.opts.workspaceFolder?.() ?? os.homedir(), labId: lab.id });
  }

  /**
   * Text the student reads (instructions, hints, solutions) with the lab's placeholders
   * filled: code exactly as a command with that text would be filled (quoted for the shell),
   * prose plainly. Unfillable text is shown as written.
   */
  readableText(labId: string, text: string, code: boolean): string {
    const lab = this.getLab(labId);
    if (!lab || !text.includes('${')) return text;
    const values = this.placeholders(lab);
    try {
      return code ? fillCommand(text, values) : fillText(text, values);
    } catch {
      try {
        return fillText(text, values);
      } catch {
        return text;
      }
    }
  }

  /** The lab's own command for (lab, step, index), with its placeholders filled; undefined for anything else. */
  commandText(ref: StepRef, index: number, opts?: { solution?: boolean }): string | undefined {
    try {
      return this.resolve(ref, index, opts)?.text;
    } catch (error) {
      this.log.warn(`commandText: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private resolve(ref: StepRef, index: number, opts?: { solution?: boolean }): PreparedCommand | undefined {
    if (!isStepRef(ref) || typeof index !== 'number' || !Number.isInteger(index) || index < 0) return undefined;
    const lab = this.getLab(ref.labId);
    const step = this.getStep(ref);
    if (!lab || !step) return undefined;
    const solution = opts?.solution === true;
    const command = (solution ? (step.solution?.commands ?? []) : step.commands)[index];
    if (!command) return undefined;
    return { ref: { labId: lab.id, stepId: step.id }, lab, step, command, index, solution, text: fillCommand(command.run, this.placeholders(lab)) };
  }

  /**
   * Gets a command ready to run: the lab's own text, placeholders filled, the lab's data folder
   * created. Throws CommandRefused when there is no such command or it cannot be filled.
   */
  async prepare(ref: StepRef, index: number, opts?: { solution?: boolean }): Promise<PreparedCommand> {
    let prepared: PreparedCommand | undefined;
    try {
      prepared = this.resolve(ref, index, opts);
    } catch (error) {
      throw new CommandRefused(`cannot fill the placeholders: ${errorMessage(error)}`);
    }
    // Before the data folder: a lab that may not act creates nothing either.
    if (prepared && !this.mayAct(prepared.lab.id)) throw new CommandRefused(restrictedReason());
    try {
      if (prepared) await ensureLabData(this.placeholders(prepared.lab));
    } catch (error) {
      throw new CommandRefused(`cannot create the lab's data folder: ${errorMessage(error)}`);
    }
    if (!prepared) throw new CommandRefused(`there is no command ${JSON.stringify(ref)} #${String(index)}`);
    return prepared;
  }

  /**
   * Runs a prepared command through the executor: makes its step current, starts the grace
   * period, opens its ownership window (and waits for the window's look at what exists), and
   * closes the window when the command ends. A step without check or quiz is done once run.
   */
  async run(prepared: PreparedCommand): Promise<E> {
    const { ref, step } = prepared;
    if (!this.mayAct(ref.labId)) throw new CommandRefused(restrictedReason());
    if (!sameRef(this.current, ref)) await this.openStep(ref);
    await this.listedBeforeRun(ref);
    this.attemptedAt.set(keyOf(ref), this.now());
    this.graceBegan.set(keyOf(ref), this.now());
    this.commandFailures.delete(keyOf(ref));
    if (!prepared.solution) {
      const state = this.storedState(ref);
      const ran = [...new Set([...(state.commandsRun ?? []), prepared.index])].sort((a, b) => a - b);
      this.setState(ref, { ...state, commandsRun: ran });
    }
    this.countAttempt(ref);
    const { window, end } = this.openWindow(ref.labId, prepared.text, 'sent');
    await window.ready;
    // Until the executor has put the command in (it may wait for its terminal: a new one's shell
    // integration takes up to 3 s, longer on a busy machine), the step counts as running: no
    // result counts, and the grace starts once the command went in (or, if its end will be
    // reported, once it ended).
    const key = keyOf(ref);
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let execution: E;
    try {
      execution = await this.opts.executor.run(prepared.text, prepared.command);
    } catch (error) {
      end();
      this.commandStopped(ref);
      throw error;
    }
    if (execution.ended) {
      const stopped = (): void => {
        end();
        this.commandStopped(ref);
      };
      Promise.resolve(execution.ended).then(
        (code) => {
          stopped();
          this.commandEnded(prepared, code);
        },
        stopped,
      );
    } else {
      this.commandStopped(ref);
    }
    this.ran.fire({ ref, text: prepared.text, execution });
    if (!isChecked(step)) {
      this.setState(ref, markDone(this.storedState(ref), 'Command run (this step has no automatic check).', this.now()));
      this.changed.fire(ref);
    }
    return execution;
  }

  /**
   * One of the step's commands ended: the grace starts now, and the step's last result is
   * looked at again (it did not count while the command ran).
   */
  private commandStopped(ref: StepRef): void {
    const key = keyOf(ref);
    const left = (this.running.get(key) ?? 1) - 1;
    if (left > 0) {
      this.running.set(key, left);
      return;
    }
    this.running.delete(key);
    if (this.disposed || !this.attemptedAt.has(key)) return;
    this.attemptedAt.set(key, this.now());
    this.graceBegan.set(key, this.now());
    const result = this.storedState(ref).result;
    if (result !== undefined && result.status !== 'passed') this.apply(ref, result, false);
  }

  /**
   * A lab command ended with this exit code (undefined: not known). When that is not what the
   * lab expects (commandExit.ts), the step's check is looked at again at once: if it still
   * fails, the command's failure is the step's reason, and it counts now (no grace).
   */
  private commandEnded(prepared: PreparedCommand, exitCode: number | undefined): void {
    if (this.disposed) return;
    const failure = commandFailure(prepared.text, prepared.command, { exitCode });
    if (!failure || !prepared.step.check) return;
    const { ref } = prepared;
    this.commandFailures.set(keyOf(ref), failure);
    this.log.info(`step ${ref.labId}/${ref.stepId}: ${failure.reason}`);
    const live = this.live;
    const lab = this.getLab(ref.labId);
    const check = prepared.step.check;
    const look = live && sameRef(live.ref, ref) ? live.check.checkNow() : lab ? evaluateCheck(check, this.checkContext(lab, ref)) : undefined;
    if (!look) return;
    runDetached(
      look.then((result) => {
        if (this.commandFailures.get(keyOf(ref)) === failure) this.apply(ref, result, false);
      }),
      (error) => this.log.error(`checking ${ref.labId}/${ref.stepId} after its command failed: ${errorMessage(error)}`),
    );
  }

  /**
   * A command the student typed in the lab's terminal (shell integration reports its text):
   * what it creates may be the current lab's, by the same rule. Returns the function to call
   * when it ends.
   */
  commandTyped(text: string): () => void {
    const current = this.current;
    if (!current) return () => undefined;
    // The student tries something else: the lab command's failure is no longer the reason.
    this.commandFailures.delete(keyOf(current));
    // Reported by shell integration after the shell started it: its window opens that much earlier.
    return this.openWindow(current.labId, text, 'typed', TYPED_LATE_MS).end;
  }

  private openWindow(labId: string, text: string, source: CommandSource, lateMs = 0): { window: CommandWindow; end: () => void } {
    return this.ledgers.openWindow(labId, text, source, lateMs);
  }

  // ---- hints, solution, quiz -------------------------------------------------------------

  revealHint(ref: StepRef): number {
    const step = this.getStep(ref);
    if (!step) return 0;
    const state = this.storedState(ref);
    const next = { ...state, hintsShown: Math.min(step.hints.length, state.hintsShown + 1) };
    this.setState(ref, next);
    this.changed.fire(ref);
    return next.hintsShown;
  }

  /** Records that the solution was shown (the caller asked the student first). */
  showSolution(ref: StepRef): boolean {
    if (!this.getStep(ref)?.solution) return false;
    this.setState(ref, { ...this.storedState(ref), solutionShown: true });
    this.changed.fire(ref);
    return true;
  }

  answerQuiz(ref: StepRef, choices: number[]): QuizFeedback | undefined {
    const quiz = this.getStep(ref)?.quiz;
    if (!quiz || !Array.isArray(choices)) return undefined;
    if (!choices.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < quiz.choices.length)) return undefined;
    const picked = [...new Set(choices)].sort((a, b) => a - b);
    const right = [...quiz.answer].sort((a, b) => a - b);
    const correct = picked.length === right.length && picked.every((c, i) => c === right[i]);
    const next = applyAnswer(this.storedState(ref), picked, correct, this.now());
    this.setState(ref, next);
    this.changed.fire(ref);
    return { correct, explanation: quiz.explanation, answer: right };
  }

  // ---- navigation ------------------------------------------------------------------------

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
    const target = other ? (delta > 0 ? other.steps[0] : other.steps[other.steps.length - 1]) : undefined;
    return other && target ? { labId: other.id, stepId: target.id } : undefined;
  }

  // ---- reset -----------------------------------------------------------------------------

  async resetStep(ref: StepRef): Promise<void> {
    if (!this.getStep(ref)) return;
    this.states.delete(keyOf(ref));
    this.attemptedAt.delete(keyOf(ref));
    this.graceBegan.delete(keyOf(ref));
    this.commandFailures.delete(keyOf(ref));
    this.save(() => this.progress.resetStep(ref), 'resetting a step');
    if (sameRef(this.current, ref)) {
      this.markOpened(ref, emptyStepState());
      this.startLive(ref);
    }
    this.changed.fire(ref);
    await this.flush();
  }

  async resetLab(labId: string): Promise<void> {
    const lab = this.getLab(labId);
    if (!lab) return;
    const wasCurrent = this.current?.labId === labId;
    for (const step of lab.steps) {
      this.states.delete(keyOf({ labId, stepId: step.id }));
      this.attemptedAt.delete(keyOf({ labId, stepId: step.id }));
      this.graceBegan.delete(keyOf({ labId, stepId: step.id }));
      this.commandFailures.delete(keyOf({ labId, stepId: step.id }));
    }
    this.save(() => this.progress.resetLab(labId), 'resetting a lab');
    if (wasCurrent) this.stopLive();
    this.changed.fire(undefined);
    await this.flush();
  }

  // ---- ownership and clean-up ------------------------------------------------------------

  /** The engine endpoint changed: a new client and a new event stream. */
  engineChanged(): void {
    this.ledgers.engineChanged();
    const current = this.current;
    if (current) this.startLive(current);
  }

  /** Whether the lab has a ledger (it was opened, or a ledger of it was stored). */
  hasLedger(labId: string): boolean {
    return this.ledgers.has(labId);
  }

  /** Whether one of the lab's commands is running (or ended a moment ago). */
  commandsRunning(labId: string): boolean {
    return this.ledgers.commandsRunning(labId);
  }

  /** The lab's ledger (what it created, with why); undefined when it never ran anything. */
  ledger(labId: string): ResourceLedger | undefined {
    return this.ledgers.get(labId);
  }

  /** What "Clean up this lab" would remove now: each thing once, only what still exists, with why. */
  cleanupPlan(labId: string): Promise<CleanupPlan> {
    return this.ledgers.plan(labId);
  }

  /**
   * The lab's own containers that carry a name the step's commands give (`docker run --name`)
   * and exist now: an earlier try's, in the way of running the command again. Only what the
   * lab's ledger holds and the engine still has as the lab made it; nothing else, ever.
   */
  async leftovers(ref: StepRef): Promise<CleanupPlan> {
    const step = this.getStep(ref);
    const names = step ? namedContainers(step) : [];
    if (names.length === 0 || !this.ledgers.has(ref.labId)) return { labId: ref.labId, items: [], gone: [] };
    const plan = await this.ledgers.plan(ref.labId);
    return { labId: ref.labId, items: plan.items.filter((i) => i.kind === 'container' && names.includes(i.name)), gone: [] };
  }

  /** Removes exactly a plan's items (the caller showed it and asked). */
  async cleanup(plan: CleanupPlan): Promise<CleanupReport> {
    const report = await this.ledgers.remove(plan);
    await this.flush();
    return report;
  }

  /** Plans and removes at once (the CLI after a lab). */
  async cleanupNow(labId: string): Promise<{ plan: CleanupPlan; report: CleanupReport }> {
    const done = await this.ledgers.planAndRemove(labId);
    await this.flush();
    return done;
  }

  // ---- lifetime --------------------------------------------------------------------------

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopLive();
    this.ledgers.dispose();
    this.changed.dispose();
    this.ran.dispose();
    this.resultEmitter.dispose();
  }
}
