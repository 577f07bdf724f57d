/**
 * Live checking of one step: re-evaluates its check when a relevant engine event arrives
 * (bursts coalesced), after the event stream reconnects, and every ~1 s while a check that
 * needs polling (http, logs, file) has not passed or the engine could not be asked.
 * Never runs two evaluations of the step at once: one more is queued instead. No `vscode` import.
 */
import type { Check, CheckResult } from '../model';
import { Emitter, runDetached, type Disposable, type Event } from '../events';
import { checkNeedsPolling, evaluateCheck, type CheckContext } from './evaluate';
import type { EngineEvent, EngineEvents, EngineStatus } from './events';
import { errorMessage } from '../text';

export interface LiveCheckOptions {
  check: Check;
  /** The context of every evaluation (its `since` is when the step was opened). */
  ctx: CheckContext;
  /** The process's one event stream; started here if nobody started it yet. */
  events: EngineEvents;
  /** Quiet time after an event before evaluating, default 25 ms. */
  coalesceMs?: number;
  /** Poll interval while polling is needed, default 1000 ms. */
  pollMs?: number;
  /** After a burst of events, look once more this much later unless passed, default 1000 ms. */
  settleMs?: number;
}

const RELEVANT: Record<EngineEvent['type'], ReadonlySet<string>> = {
  container: new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'rename', 'update', 'oom']),
  image: new Set(['pull', 'tag', 'untag', 'delete', 'import', 'load', 'push']),
  volume: new Set(['create', 'destroy', 'mount', 'unmount']),
};

/** Whether an engine event can change a check's outcome (exec events of our own file checks cannot). */
export function isRelevantEvent(event: EngineEvent): boolean {
  return RELEVANT[event.type]?.has(event.action) ?? false;
}

export class LiveCheck implements Disposable {
  private readonly resultEmitter = new Emitter<CheckResult>();
  /** Every evaluation's result, whatever triggered it. */
  readonly onResult: Event<CheckResult> = this.resultEmitter.event;

  private readonly check: Check;
  private readonly ctx: CheckContext;
  private readonly coalesceMs: number;
  private readonly pollMs: number;
  private readonly needsPolling: boolean;
  private readonly abort = new AbortController();
  private readonly subscriptions: Disposable[] = [];
  private running: Promise<CheckResult> | undefined;
  private queued: Promise<CheckResult> | undefined;
  private coalesceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly settleMs: number;
  private disposed = false;
  private _last: CheckResult | undefined;
  private _evaluations = 0;

  constructor(opts: LiveCheckOptions) {
    this.check = opts.check;
    this.coalesceMs = opts.coalesceMs ?? 25;
    this.pollMs = opts.pollMs ?? 1000;
    this.settleMs = opts.settleMs ?? 1000;
    this.needsPolling = checkNeedsPolling(opts.check);
    const signal = opts.ctx.signal ? AbortSignal.any([opts.ctx.signal, this.abort.signal]) : this.abort.signal;
    this.ctx = { ...opts.ctx, signal };
    this.subscriptions.push(
      opts.events.onEvent((event) => {
        if (!isRelevantEvent(event)) return;
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

  /** The latest result, if any evaluation finished. */
  get last(): CheckResult | undefined {
    return this._last;
  }

  /** How many evaluations ran (for tests and diagnostics). */
  get evaluations(): number {
    return this._evaluations;
  }

  /**
   * Evaluate now (the Check button). If an evaluation is running, one more is queued and
   * this resolves with that one's result.
   */
  checkNow(): Promise<CheckResult> {
    if (this.disposed) {
      return Promise.resolve(this._last ?? { status: 'error', reason: 'the live check was closed' });
    }
    clearTimeout(this.coalesceTimer);
    this.coalesceTimer = undefined;
    if (!this.running) {
      return this.run();
    }
    if (!this.queued) {
      const after = this.running.then(
        () => undefined,
        () => undefined,
      );
      this.queued = after.then(() => {
        this.queued = undefined;
        return this.run();
      });
    }
    return this.queued;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.coalesceTimer);
    clearTimeout(this.pollTimer);
    clearTimeout(this.settleTimer);
    this.abort.abort();
    for (const s of this.subscriptions) s.dispose();
    this.resultEmitter.dispose();
  }

  /**
   * One more look a moment after a burst of events, unless the step passed by then: the engine
   * sometimes reports a container's start well after its create (seen: over 2 s on a loaded
   * machine), and a check evaluated in between must not wait for the next event or click.
   */
  private scheduleSettle(): void {
    if (this.disposed || this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this._last?.status !== 'passed') this.checkInBackground();
    }, this.settleMs);
    this.settleTimer.unref?.();
  }

  /** Evaluates without anyone awaiting it (a timer, the first look): a failure becomes an error result, never a lost rejection. */
  checkInBackground(): void {
    runDetached(this.checkNow(), (err) => {
      if (!this.disposed) this.resultEmitter.fire({ status: 'error', reason: `the check failed unexpectedly: ${errorMessage(err)}` });
    });
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.coalesceTimer) return; // already due: the burst joins it
    this.coalesceTimer = setTimeout(() => {
      this.coalesceTimer = undefined;
      this.checkInBackground();
    }, delayMs);
  }

  private run(): Promise<CheckResult> {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const promise = evaluateCheck(this.check, this.ctx).then(
      (result) => result,
      (err: unknown): CheckResult => ({ status: 'error', reason: `the check failed unexpectedly: ${errorMessage(err)}` }),
    );
    this.running = promise;
    return promise.then((result) => {
      if (this.running === promise) this.running = undefined;
      if (this.disposed) return result;
      this._evaluations += 1;
      this._last = result;
      this.resultEmitter.fire(result);
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
