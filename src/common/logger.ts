/**
 * Diagnostics go to one LogOutputChannel ("Container Labs"); each component logs with
 * its own tag, e.g. `[session] opened first-containers/pull`. Every message goes through
 * `inert(…, 'plain')`: secrets masked, control characters shown as escapes (a lab's text cannot
 * fake a log line).
 */
import type * as vscode from 'vscode';
import { errorMessage, inert } from '../core/text';

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
    trace: (message, ...args) => sink.trace(`${tag} ${inert(message, 'plain')}`, ...args),
    debug: (message, ...args) => sink.debug(`${tag} ${inert(message, 'plain')}`, ...args),
    info: (message, ...args) => sink.info(`${tag} ${inert(message, 'plain')}`, ...args),
    warn: (message, ...args) => sink.warn(`${tag} ${inert(message, 'plain')}`, ...args),
    error: (message, ...args) => sink.error(`${tag} ${inert(message instanceof Error ? message.message : message, 'plain')}`, ...args),
    child: (name) => createLogger(sink, `${component}/${name}`),
  };
}

/** An `onError` for `runDetached`: logs what failed and why, as one error line. */
export function logFailure(logger: Pick<Logger, 'error'>, what: string): (error: unknown) => void {
  return (error) => logger.error(`${what} failed: ${errorMessage(error)}`);
}
