/**
 * A tiny typed event emitter for the core, shaped like VS Code's `Event<T>` so the
 * extension can pass core events straight through, while the core stays free of `vscode`.
 */
export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;
export type Event<T> = (listener: Listener<T>) => Disposable;

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  /** Subscribe; the returned Disposable unsubscribes. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A faulty listener must not stop the others or the emitter's owner.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/**
 * Starts work nobody waits for (a timer's re-check, a refresh after a setting changed) without
 * losing its failure: a rejection goes to `onError` (a log line, an error result) instead of
 * becoming an unhandled rejection. The one way the product drops a promise on purpose.
 */
export function runDetached(work: PromiseLike<unknown>, onError: (error: unknown) => void): void {
  Promise.resolve(work).then(undefined, (error: unknown) => {
    try {
      onError(error);
    } catch {
      // The error handler itself failed: nothing is left to tell.
    }
  });
}
