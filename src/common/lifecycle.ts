/**
 * A small base class that owns disposables, so a feature can register listeners,
 * emitters and views and drop all of them with one `dispose()`.
 */
import type * as vscode from 'vscode';

export interface IDisposable {
  dispose(): void;
}

export function disposeAll(items: Iterable<IDisposable>): void {
  for (const item of items) {
    try {
      item.dispose();
    } catch {
      // One faulty disposable must not keep the others alive.
    }
  }
}

export abstract class Disposable implements vscode.Disposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Takes ownership of `item`: it is disposed with this object (at once if already disposed). */
  protected _register<T extends IDisposable>(item: T): T {
    if (this._isDisposed) {
      item.dispose();
    } else {
      this._disposables.push(item);
    }
    return item;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    disposeAll(this._disposables.splice(0).reverse());
  }
}

/** Holds at most one disposable; setting a new one disposes the previous one. */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private _value: T | undefined;

  get value(): T | undefined {
    return this._value;
  }

  set value(next: T | undefined) {
    if (this._value === next) {
      return;
    }
    this._value?.dispose();
    this._value = next;
  }

  dispose(): void {
    this.value = undefined;
  }
}
