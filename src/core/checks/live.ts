/**
 * Live checking of one step: re-evaluates its check when an engine event that can concern it
 * arrives (bursts coalesced), after the event stream reconnects, and every ~0.5 s while a check
 * that needs polling (http, logs, file) has not passed or the engine could not be asked.
 *
 * Fresh results: never two evaluations at once, but an evaluation that has run for a while
 * when a new event arrives is cancelled (it looks at a state that is gone) and a new one
 * starts, so a slow HTTP probe cannot hold back the result of a `die`. Results are published
 * in order, each one whole (status, reason and parts of one evaluation). No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { Check, CheckResult, ContainerMatch } from '../model';
import { Emitter, runDetached, type Disposable, type Event } from '../events';
import { checkNeedsPolling, evaluateCheck, type CheckContext } from './evaluate';
import { checkSubjects, type CheckSubjects } from './subjects';
import { normalizeImageRef } from '../images';
import type { EngineEvent, EngineEvents, EngineStatus } from './events';
import { errorMessage } from '../text';

export interface LiveCheckOptions {
  check: Check;
  /** The context of every evaluation (its `since` is when the step was opened). */
  ctx: CheckContext;
  /** The process's one event stream; started here if nobody started it yet. */
  events: EngineEvents;
  /**
   * Wait after an event before evaluating, default 0: no timer, the evaluation starts once the
   * events at hand are read (the events of one chunk of the stream are one evaluation), and the
   * events that come while one runs are one more right after it (never two at once). A delay
   * here only delays the result.
   */
  coalesceMs?: number;
  /** Poll interval while polling is needed, default 500 ms. */
  pollMs?: number;
  /** After the last event of a burst, look again this long after it (whatever the result), default [250, 1500] ms. */
  settleMs?: readonly number[];
  /** An evaluation running this long when a new event arrives is cancelled for a fresh one, default 100 ms. */
  supersedeAfterMs?: number;
}

/**
 * The actions that can change a check's outcome. Docker says `tag` when a build names its image;
 * Podman says `build` (and no `tag`). `docker commit` is a container event that makes an image.
 */
const RELEVANT: Record<EngineEvent['type'], ReadonlySet<string>> = {
  container: new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'rename', 'update', 'oom', 'commit', 'health_status']),
  image: new Set(['pull', 'tag', 'untag', 'delete', 'import', 'load', 'push', 'build']),
  volume: new Set(['create', 'destroy', 'mount', 'unmount']),
  network: new Set(['create', 'destroy', 'connect', 'disconnect']),
};

/** Whether an engine event can change a check's outcome at all (exec events of our own file checks cannot). */
export function isRelevantEvent(event: EngineEvent): boolean {
  // Docker names a health change "health_status: healthy" (Podman: "health_status").
  const action = event.action.startsWith('health_status') ? 'health_status' : event.action;
  return RELEVANT[event.type]?.has(action) ?? false;
}

function couldMatch(m: ContainerMatch, event: EngineEvent): boolean {
  if (m.name !== undefined) {
    const want = m.name.replace(/^\//, '');
    return event.name === want || event.attributes.oldName?.replace(/^\//, '') === want;
  }
  if (m.label !== undefined) {
    const eq = m.label.indexOf('=');
    const key = eq < 0 ? m.label : m.label.slice(0, eq);
    const have = event.attributes[key];
    return have !== undefined && (eq < 0 || have === m.label.slice(eq + 1));
  }
  if (m.image !== undefined && event.image !== undefined && !/^(sha256:)?[0-9a-f]{12,64}$/.test(event.image)) {
    return normalizeImageRef(event.image) === normalizeImageRef(m.image);
  }
  return true;
}

/** Whether an event can concern a check with these subjects (cheap: no engine call). */
export function concerns(subjects: CheckSubjects, event: EngineEvent): boolean {
  if (!isRelevantEvent(event)) return false;
  if (subjects.unknown) return true;
  switch (event.type) {
    case 'container':
      // A commit makes an image out of a container.
      if (event.action === 'commit' && subjects.images) return true;
      return subjects.containers.some((m) => couldMatch(m, event));
    case 'image':
      return subjects.images;
    case 'volume':
      return subjects.volumes;
    case 'network':
      return subjects.networks;
  }
}

interface Running {
  promise: Promise<CheckResult>;
  controller: AbortController;
  startedAt: number;
}

export class LiveCheck implements Disposable {
  private readonly resultEmitter = new Emitter<CheckResult>();
  /** Every published result, whatever triggered it, in order. */
  readonly onResult: Event<CheckResult> = this.resultEmitter.event;

  private readonly check: Check;
  private readonly ctx: CheckContext;
  private readonly coalesceMs: number;
  private readonly pollMs: number;
  private readonly settleMs: readonly number[];
  private readonly supersedeAfterMs: number;
  private readonly needsPolling: boolean;
  private readonly subjects: CheckSubjects;
  private readonly abort = new AbortController();
  private readonly subscriptions: Disposable[] = [];
  private running: Running | undefined;
  private queued: Promise<CheckResult> | undefined;
  private coalesceTimer: NodeJS.Timeout | undefined;
  /** An evaluation is due at the end of this turn (the events of one chunk of the stream are one look). */
  private dueNow = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private settleTimers: NodeJS.Timeout[] = [];
  private disposed = false;
  private _last: CheckResult | undefined;
  private _evaluations = 0;
  private _superseded = 0;

  constructor(opts: LiveCheckOptions) {
    this.check = opts.check;
    this.coalesceMs = opts.coalesceMs ?? 0;
    this.pollMs = opts.pollMs ?? 500;
    this.settleMs = opts.settleMs ?? [250, 1500];
    this.supersedeAfterMs = opts.supersedeAfterMs ?? 100;
    this.needsPolling = checkNeedsPolling(opts.check);
    this.subjects = checkSubjects(opts.check);
    const signal = opts.ctx.signal ? AbortSignal.any([opts.ctx.signal, this.abort.signal]) : this.abort.signal;
    this.ctx = { ...opts.ctx, signal };
    this.subscriptions.push(
      opts.events.onEvent((event) => {
        if (!concerns(this.subjects, event)) return;
        this.supersede();
        this.schedule(this.coalesceMs);
        this.scheduleSettle();
      }),
      opts.events.onStatus((status: EngineStatus) => {
        // Connected again: things may have changed while we were away. Disconnected: say so now.
        this.schedule(status.state === 'connected' ? 0 : this.coalesceMs);
      }),
    );
    opts.events.start();
  }

  /** The latest published result, if any evaluation finished. */
  get last(): CheckResult | undefined {
    return this._last;
  }

  /** How many results were published (for tests and diagnostics). */
  get evaluations(): number {
    return this._evaluations;
  }

  /** Nothing is due: no evaluation running or queued, no event waiting to be looked at (polling may still come). */
  get idle(): boolean {
    return !this.running && !this.queued && !this.coalesceTimer && !this.dueNow && this.settleTimers.length === 0;
  }

  /** How many evaluations were cancelled because a newer event made them stale. */
  get superseded(): number {
    return this._superseded;
  }

  /**
   * Evaluate now (the Check button). If an evaluation is running, one more is queued and
   * this resolves with that one's result.
   */
  checkNow(): Promise<CheckResult> {
    if (this.disposed) {
      return Promise.resolve(this._last ?? { status: 'error', reason: l10n.t('the live check was closed') });
    }
    clearTimeout(this.coalesceTimer);
    this.coalesceTimer = undefined;
    this.dueNow = false;
    if (!this.running) return this.run();
    this.queued ??= this.running.promise.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.coalesceTimer);
    clearTimeout(this.pollTimer);
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.abort.abort();
    for (const s of this.subscriptions) s.dispose();
    this.resultEmitter.dispose();
  }

  /** Evaluates without anyone awaiting it (a timer, the first look): a failure becomes an error result, never a lost rejection. */
  checkInBackground(): void {
    runDetached(this.checkNow(), (err) => {
      if (!this.disposed) this.publish({ status: 'error', reason: l10n.t('the check failed unexpectedly: {0}', errorMessage(err)) });
    });
  }

  private startQueued(): Promise<CheckResult> {
    this.queued = undefined;
    return this.run();
  }

  /** A new event: an evaluation that has been running a while looks at a state that is gone. */
  private supersede(): void {
    const running = this.running;
    if (running && Date.now() - running.startedAt >= this.supersedeAfterMs && !running.controller.signal.aborted) {
      this._superseded += 1;
      running.controller.abort(new Error('superseded by a newer engine event'));
    }
  }

  /**
   * More looks a moment after the LAST event of a burst, whatever the result: the engine
   * sometimes reports a container's start well after its create (seen: over 2 s on a loaded
   * machine), and it sends `die` before the container list it answers from says so (the list is
   * updated right after the event), so a check that lists containers can read "still running"
   * just after the container exited, or pass on a state that is already gone.
   */
  private scheduleSettle(): void {
    if (this.disposed) return;
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers = this.settleMs.map((ms) => {
      const timer = setTimeout(() => {
        this.settleTimers = this.settleTimers.filter((t) => t !== timer);
        this.checkInBackground();
      }, ms);
      timer.unref?.();
      return timer;
    });
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.coalesceTimer || this.dueNow) return; // already due: the burst joins it
    if (delayMs <= 0) {
      // No timer (a timer of 0 waits a millisecond or more): once the events at hand are read.
      this.dueNow = true;
      queueMicrotask(() => {
        if (!this.dueNow || this.disposed) return;
        this.dueNow = false;
        this.checkInBackground();
      });
      return;
    }
    this.coalesceTimer = setTimeout(() => {
      this.coalesceTimer = undefined;
      this.checkInBackground();
    }, delayMs);
  }

  private publish(result: CheckResult): void {
    this._evaluations += 1;
    this._last = result;
    this.resultEmitter.fire(result);
  }

  private run(): Promise<CheckResult> {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const controller = new AbortController();
    const signal = this.ctx.signal ? AbortSignal.any([this.ctx.signal, controller.signal]) : controller.signal;
    const evaluation = evaluateCheck(this.check, { ...this.ctx, signal }).then(
      (result) => result,
      (err: unknown): CheckResult => ({ status: 'error', reason: l10n.t('the check failed unexpectedly: {0}', errorMessage(err)) }),
    );
    const running: Running = { promise: evaluation, controller, startedAt: Date.now() };
    this.running = running;
    return evaluation.then((result) => {
      if (this.running === running) this.running = undefined;
      if (this.disposed) return result;
      if (controller.signal.aborted) {
        // Stale: whoever waits for it gets the fresh evaluation's result instead.
        return this.queued ?? this.run();
      }
      this.publish(result);
      if (result.status !== 'passed' && (this.needsPolling || result.status === 'error') && !this.queued) {
        this.pollTimer = setTimeout(() => {
          this.pollTimer = undefined;
          this.checkInBackground();
        }, this.pollMs);
      }
      return result;
    });
  }
}
