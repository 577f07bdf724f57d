/**
 * Engine call deadlines and error classification shared by the health report and the checks.
 * A 404 is "not there"; everything in `EngineErrorKind` means "the engine did not answer".
 */
import * as l10n from '@vscode/l10n';
import type { EngineEndpoint } from './connection';
import { errorMessage } from '../text';
import { SshError } from './ssh';

export type EngineErrorKind = 'not-running' | 'permission-denied' | 'timeout' | 'aborted' | 'unreachable' | 'http';

/** Thrown (wrapped) when a call ran out of time. */
export class DeadlineError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the Docker Engine did not answer within ${formatSeconds(timeoutMs)}`);
    this.name = 'DeadlineError';
  }
}

/**
 * Run `call` with an AbortSignal that fires after `timeoutMs` or when `outer` aborts.
 * The promise rejects with DeadlineError on the deadline even if the call ignores its signal.
 */
export async function callWithDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<T> {
  if (outer?.aborted) {
    throw abortError(outer);
  }
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineError(timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    if (outer) {
      onOuterAbort = () => {
        const err = abortError(outer);
        controller.abort(err);
        reject(err);
      };
      outer.addEventListener('abort', onOuterAbort, { once: true });
    }
  });
  const work = call(controller.signal);
  // The losing promise must not turn into an unhandled rejection.
  work.catch(() => undefined);
  guard.catch(() => undefined);
  try {
    return await Promise.race([work, guard]);
  } catch (err) {
    // dockerode reports an abort as AbortError; give the reason we know instead.
    if (controller.signal.aborted && controller.signal.reason instanceof Error) {
      throw controller.signal.reason;
    }
    throw err;
  } finally {
    clearTimeout(timer);
    if (outer && onOuterAbort) outer.removeEventListener('abort', onOuterAbort);
  }
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const err = new Error('the check was cancelled');
  err.name = 'AbortError';
  return err;
}

/** HTTP status of an engine error (dockerode sets `statusCode`), if any. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** The system error code (`ENOENT`, `ECONNREFUSED`...) of a thrown value, if any. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function engineErrorKind(err: unknown): EngineErrorKind {
  if (err instanceof DeadlineError) return 'timeout';
  if (statusCodeOf(err) !== undefined) return 'http';
  const code = codeOf(err);
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK') return 'not-running';
  if (code === 'EACCES' || code === 'EPERM') return 'permission-denied';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return 'unreachable';
}

/** A short, specific sentence fragment about why the engine did not answer (in the user's language: the health report and the checks show it). */
export function describeEngineError(err: unknown, endpoint: EngineEndpoint | undefined, timeoutMs: number): string {
  const address = typeof err === 'object' && err !== null && 'address' in err ? (err as { address?: unknown }).address : undefined;
  const where = endpoint ? (endpoint.socketPath ?? endpoint.url) : typeof address === 'string' ? address : l10n.t('the engine');
  const code = codeOf(err);
  if (err instanceof SshError) return l10n.t('the ssh connection to {0} failed: {1}', endpoint?.url ?? l10n.t('the engine'), err.stderr || err.message);
  switch (engineErrorKind(err)) {
    case 'timeout':
      return l10n.t('the Docker Engine did not answer within {0}', formatSeconds(err instanceof DeadlineError ? err.timeoutMs : timeoutMs));
    case 'not-running':
      return code === 'ENOENT' ? l10n.t('nothing listens at {0} (the socket does not exist)', where) : l10n.t('{0} refused the connection', where);
    case 'permission-denied':
      return l10n.t('permission denied on {0}', where);
    case 'aborted':
      return l10n.t('the check was cancelled');
    case 'http':
      return l10n.t('the Docker Engine answered with an error: {0}', messageOf(err));
    default:
      return `${where}: ${messageOf(err)}`;
  }
}

/** The engine's own message, without dockerode's "(HTTP code 404) no such container -" prefix. */
export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'json' in err) {
    const json = (err as { json?: unknown }).json;
    if (typeof json === 'object' && json !== null && 'message' in json) {
      const m = (json as { message?: unknown }).message;
      if (typeof m === 'string') return m;
    }
  }
  const text = errorMessage(err);
  return text.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

/**
 * A one-line reason for a failed engine call that changes something (clean-up): `cancelled`
 * when the caller aborted, the deadline when the engine did not answer, else the engine's message.
 */
export function engineErrorReason(err: unknown, timeoutMs: number, signal?: AbortSignal): string {
  if (signal?.aborted) return 'cancelled';
  if (err instanceof DeadlineError) return err.message;
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return `the Docker Engine did not answer within ${formatSeconds(timeoutMs)}`;
  }
  return messageOf(err) || 'unknown engine error';
}

/** `3000` -> `3 s`, `300` -> `0.3 s`. */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
