/**
 * Feeds engine events through the ownership rule into a lab's ledger: what the lab creates
 * while its commands run is recorded with the command that made it. Events outside every
 * command window cost one comparison. No `vscode` import.
 */
import type { Disposable, Event } from '../events';
import type { ResourceLedger } from '../ledger';
import { isCreation, judgeEvent, VolumeHistory, type CommandWindows, type EngineLookup, type OwnershipEvent } from './ownership';

export interface RecorderOptions {
  ledger: ResourceLedger;
  windows: CommandWindows;
  lookup: EngineLookup;
  /** Called after the ledger changed (the extension saves it). */
  onChange?: () => void;
  /** Called when a decision could not be made (the engine did not answer): nothing was recorded. */
  onError?: (error: unknown) => void;
}

export class OwnershipRecorder implements Disposable {
  private readonly history = new VolumeHistory();
  private subscription: Disposable | undefined;

  constructor(private readonly opts: RecorderOptions) {}

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
    const windows = this.opts.windows.active(at);
    if (windows.length === 0) return;
    const facts = volumeFirstSeen === undefined ? { at } : { at, volumeFirstSeen };
    const work = judgeEvent(event, windows, this.opts.lookup, facts).then(
      ({ add, withdraw }) => {
        const ledger = this.opts.ledger;
        let changed = false;
        for (const entry of add) changed = ledger.add(entry) || changed;
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
  }
}
