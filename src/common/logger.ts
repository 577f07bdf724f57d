/**
 * Diagnostics go to one LogOutputChannel ("Container Labs"); each component logs with
 * its own tag, e.g. `[session] opened first-containers/pull`.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../core/text';

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
  /** A logger for a sub-component: `[parent/child]`. */
  child(component: string): Logger;
}

/** The part of `vscode.LogOutputChannel` the logger needs (a test can hand in its own). */
export type LogSink = Pick<vscode.LogOutputChannel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>;

export function createLogger(sink: LogSink, component: string): Logger {
  const tag = `[${component}]`;
  return {
    trace: (message, ...args) => sink.trace(`${tag} ${message}`, ...args),
    debug: (message, ...args) => sink.debug(`${tag} ${message}`, ...args),
    info: (message, ...args) => sink.info(`${tag} ${message}`, ...args),
    warn: (message, ...args) => sink.warn(`${tag} ${message}`, ...args),
    error: (message, ...args) =>
      sink.error(message instanceof Error ? `${tag} ${message.message}` : `${tag} ${message}`, ...args),
    child: (name) => createLogger(sink, `${component}/${name}`),
  };
}

/** An `onError` for `runDetached`: logs what failed and why, as one error line. */
export function logFailure(logger: Pick<Logger, 'error'>, what: string): (error: unknown) => void {
  return (error) => logger.error(`${what} failed: ${errorMessage(error)}`);
}
