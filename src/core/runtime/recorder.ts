/**
 * Feeds engine events through the ownership rule into a lab's ledger: what the lab creates
 * while its commands run is recorded with the command that made it. Events outside every
 * command window cost one comparison. No `vscode` import.
 */
import type { Disposable, Event } from '../events';
import type { ResourceLedger } from '../ledger';
import { ambiguousOfEndedWindow, isCreation, judgeEvent, networksOfEndedWindow, VolumeHistory, volumesOfEndedWindow, type CommandWindow, type CommandWindows, type EngineLookup, type Judgement, type OwnershipEvent } from './ownership';

export interface RecorderOptions {
  ledger: ResourceLedger;
  windows: CommandWindows;
  lookup: EngineLookup;
  /** Called after the ledger changed (the extension saves it). */
  onChange?: () => void;
  /** Called when a decision could not be made (the engine did not answer): nothing was recorded. */
  onError?: (error: unknown) => void;
}

/** How long creation events are kept for a late window to be judged on (see CommandWindow's lateMs). */
const REPLAY_KEEP_MS = 10_000;
const REPLAY_MAX = 2000;
/** How many ambiguous containers are remembered (the oldest are forgotten first). */
const WITHDRAWN_MAX = 10_000;

export class OwnershipRecorder implements Disposable {
  private readonly history = new VolumeHistory();
  /** Containers found ambiguous: never the lab's, whatever judgement comes later (the newest WITHDRAWN_MAX). */
  private readonly withdrawn = new Set<string>();
  private subscription: Disposable | undefined;
  /** The recent creation events, with when they arrived: a window that opens late is judged on those since its start. */
  private readonly recent: Array<{ event: OwnershipEvent; at: number }> = [];
  private readonly opened: Disposable;

  private readonly ended: Disposable;

  constructor(private readonly opts: RecorderOptions) {
    this.opened = opts.windows.onDidOpen((window) => {
      if (window.lateMs > 0) this.replay(window);
    });
    this.ended = opts.windows.onDidEnd((window) => {
      if (window.creates.networks.length > 0) this.apply(networksOfEndedWindow(window, opts.lookup).then((add) => ({ add, withdraw: [] })));
      if (window.creates.volumes.length > 0) this.apply(volumesOfEndedWindow(window, opts.lookup).then((add) => ({ add, withdraw: [] })));
      // Counted once the tail is over too: an identical container made in the tail (its event
      // late, as Podman's are under load) is in the engine's list only from then.
      if (window.unnamedRuns.length > 0) {
        const tailMs = opts.windows.tailMs;
        const afterTail = new Promise<void>((resolve) => setTimeout(resolve, tailMs).unref?.());
        this.apply(afterTail.then(() => ambiguousOfEndedWindow(window, opts.lookup, tailMs)).then((withdraw) => ({ add: [], withdraw })));
      }
    });
  }

  /** Records from `onEvent` until disposed (or attached elsewhere). */
  attach(onEvent: Event<OwnershipEvent>): void {
    this.subscription?.dispose();
    this.subscription = onEvent((event) => this.handle(event));
  }

  /** One engine event (public for the benchmark and tests that feed events themselves). */
  handle(event: OwnershipEvent): void {
    if (event.action === 'destroy' && (event.type === 'volume' || event.type === 'container' || event.type === 'network')) {
      // Gone: a later thing of the same name is another thing (a volume has no id to tell them apart).
      if (event.type === 'volume') this.history.forget(event.id);
      const kind = event.type;
      if (this.opts.ledger.has(kind, event.id)) {
        this.opts.ledger.forget([{ kind, id: event.id }]);
        this.opts.onChange?.();
      }
      return;
    }
    if (!isCreation(event)) return;
    const at = this.opts.windows.now();
    const volumeFirstSeen = event.type === 'volume' ? this.history.note(event.id, at) : undefined;
    this.keep(event, at);
    const windows = this.opts.windows.active(at);
    if (windows.length === 0) return;
    this.judge(event, windows, volumeFirstSeen === undefined ? { at } : { at, volumeFirstSeen });
  }

  private keep(event: OwnershipEvent, at: number): void {
    this.recent.push({ event, at });
    while (this.recent.length > REPLAY_MAX || (this.recent[0] !== undefined && this.recent[0].at < at - REPLAY_KEEP_MS)) this.recent.shift();
  }

  /** A window opened late: the creations that arrived since it started are judged for it too. */
  private replay(window: CommandWindow): void {
    for (const { event, at } of this.recent) {
      if (at < window.startedAt) continue;
      const volumeFirstSeen = event.type === 'volume' ? this.history.note(event.id, at) : undefined;
      this.judge(event, [window], volumeFirstSeen === undefined ? { at } : { at, volumeFirstSeen });
    }
  }

  private judge(event: OwnershipEvent, windows: readonly CommandWindow[], facts: { at: number; volumeFirstSeen?: number }): void {
    this.apply(judgeEvent(event, windows, this.opts.lookup, facts));
  }

  /** Puts a judgement into the ledger once it is made (the ledger's `settled` waits for it). */
  private apply(judgement: Promise<Judgement>): void {
    const work = judgement.then(
      ({ add, withdraw }) => {
        const ledger = this.opts.ledger;
        let changed = false;
        for (const id of withdraw) this.withdrawn.add(id);
        for (const id of this.withdrawn) {
          if (this.withdrawn.size <= WITHDRAWN_MAX) break;
          this.withdrawn.delete(id);
        }
        // A judgement made before its container turned out ambiguous may resolve after the withdrawal: it stays out.
        for (const entry of add) {
          const container = entry.kind === 'container' ? entry.id : entry.container;
          if (container !== undefined && this.withdrawn.has(container)) continue;
          changed = ledger.add(entry) || changed;
        }
        if (withdraw.length > 0) {
          const gone = ledger.list().filter((e) => (e.kind === 'container' && withdraw.includes(e.id)) || (e.container !== undefined && withdraw.includes(e.container)));
          ledger.forget(gone);
          changed = changed || gone.length > 0;
        }
        if (changed) this.opts.onChange?.();
      },
      (error: unknown) => this.opts.onError?.(error),
    );
    this.opts.ledger.track(work);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    this.opened.dispose();
    this.ended.dispose();
  }
}
