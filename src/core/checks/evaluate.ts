/**
 * The check engine: evaluates a step's declarative `Check` against the Docker Engine and
 * says, from the real state, whether it passed and why (or why not). No `vscode` import.
 *
 * This is the dispatcher: it reads a check's kind once (`kind.ts`) and hands it to that
 * kind's entry in the table (`kinds/`), with one `EngineSnapshot` per evaluation so the parts
 * of an all/any/not share what they read from the engine.
 */
import * as l10n from '@vscode/l10n';
import type { Check, CheckResult } from '../model';
import { codeOf, describeEngineError, engineErrorKind, messageOf } from '../engine/errors';
import { fillCheck } from '../labs/placeholders';
import { readCheck } from './kind';
import { specOf } from './kinds';
import { CannotCheck, type CheckContext, EngineSnapshot } from './snapshot';

export type { CheckContext } from './snapshot';

/** Evaluate a check. Never rejects: an engine that does not answer gives status `error`. */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  let filled: Check;
  try {
    filled = ctx.placeholders ? fillCheck(check, ctx.placeholders) : check;
  } catch (err) {
    return { status: 'error', reason: l10n.t('the check cannot be filled in: {0}', messageOf(err)), elapsedMs: performance.now() - started };
  }
  const result = await evaluateWith(new EngineSnapshot(ctx), filled);
  return { ...result, elapsedMs: Math.round((performance.now() - started) * 100) / 100 };
}

/** One check (or a part of one) against the evaluation's snapshot; never rejects. */
async function evaluateWith(engine: EngineSnapshot, check: Check): Promise<CheckResult> {
  const read = readCheck(check);
  if (!read) return { status: 'error', reason: l10n.t('the check has an unknown kind: {0}', Object.keys(check).join(', ') || l10n.t('(empty)')) };
  try {
    return await specOf(read.kind).evaluate(read.body, engine, (part) => evaluateWith(engine, part));
  } catch (err) {
    if (err instanceof CannotCheck) return { status: 'error', reason: err.message };
    const reason = l10n.t('cannot check: {0}', describeEngineError(err, engine.ctx.endpoint, engine.timeoutMs));
    return reachedNot(err) ? { status: 'error', reason, engineUnreachable: true } : { status: 'error', reason };
  }
}

/** Whether an error says the engine did not answer (not an answer it gave, a cancel, or a bug of ours). */
function reachedNot(err: unknown): boolean {
  const kind = engineErrorKind(err);
  if (kind === 'unreachable') return codeOf(err) !== undefined;
  return kind === 'not-running' || kind === 'permission-denied' || kind === 'timeout';
}

/** Whether this result, or a part of it, could not be had because the engine did not answer. */
export function engineUnreachable(result: CheckResult): boolean {
  return result.engineUnreachable === true || (result.children ?? []).some(engineUnreachable);
}

/** Whether the result can change without an engine event (http, logs and file checks): then it needs polling. */
export function checkNeedsPolling(check: Check): boolean {
  const read = readCheck(check);
  return read ? specOf(read.kind).needsPolling(read.body, checkNeedsPolling) : false;
}
