/**
 * A step's state and its transitions, as pure functions (the runtime applies them; tests call
 * them directly):
 *
 *   not-started --open--> current --result passes--> passed
 *   current --result fails, in the grace after a command--> current (reason shown, not red yet)
 *   current --result fails after the grace, or Check now--> failed (error: cannot check)
 *   current --its lab command ends with an exit code the lab does not expect, and the check
 *             fails--> failed at once, the command's failure as the reason
 *   passed --live result fails--> passed (progress kept) with that result shown as it is
 *   passed --Check now fails--> failed
 *   a step without check or quiz --the student moves on past it, or runs its command--> passed
 *
 * No `vscode` import.
 */
import type { CheckResult } from '../model';
import type { StepState } from './types';

export function emptyStepState(): StepState {
  return { status: 'not-started', hintsShown: 0, solutionShown: false };
}

export interface ResultContext {
  /** Check now (the student asked): the result counts at once. */
  explicit: boolean;
  now: number;
  /** When the student last ran one of the step's commands, if ever. */
  attemptedAt?: number;
  /** How long after a command a failing result does not turn the step red. */
  graceMs: number;
  /**
   * The step's last lab command did not end as the lab expects (commandExit.ts): a failing
   * result shows this reason, with the check's result as its part, and counts at once.
   */
  commandFailure?: CheckResult;
}

export interface ResultOutcome {
  state: StepState;
  /** The step just passed. */
  passed: boolean;
  /** When the result should be applied again (it did not count only because of the grace period). */
  recheckAt?: number;
}

/** The state after a check result. */
export function applyResult(state: StepState, result: CheckResult, ctx: ResultContext): ResultOutcome {
  if (result.status === 'passed') {
    const already = state.status === 'passed';
    return {
      state: { ...state, status: 'passed', result, reason: result.reason, passedAt: already ? (state.passedAt ?? ctx.now) : ctx.now },
      passed: !already,
    };
  }
  if (ctx.commandFailure && state.status !== 'passed') {
    // No grace: the command said it failed, and the check agrees the step is not done.
    const shown: CheckResult = { status: 'failed', reason: ctx.commandFailure.reason, children: [result] };
    const failed: StepState = { ...state, status: 'failed', result: shown, reason: shown.reason };
    delete failed.passedAt;
    return { state: failed, passed: false };
  }
  const next: StepState = { ...state, result, reason: result.reason };
  if (state.status === 'passed' && !ctx.explicit) {
    // Passing is kept (the next step may well remove what this one created); the result shown is the engine's.
    return { state: next, passed: false };
  }
  const sinceRun = ctx.attemptedAt === undefined ? undefined : ctx.now - ctx.attemptedAt;
  const counts = ctx.explicit || state.status === 'failed' || state.status === 'error' || (sinceRun !== undefined && sinceRun > ctx.graceMs);
  if (counts) {
    next.status = result.status === 'error' ? 'error' : 'failed';
    delete next.passedAt;
    return { state: next, passed: false };
  }
  // Not attempted yet (just opened): "not done yet", never red. Within the grace: red only if it still fails then.
  const outcome: ResultOutcome = { state: next, passed: false };
  if (sinceRun !== undefined && ctx.attemptedAt !== undefined) outcome.recheckAt = ctx.attemptedAt + ctx.graceMs + 1;
  return outcome;
}

/** A step without a check or quiz marked done (read, or its command ran). */
export function markDone(state: StepState, reason: string, now: number): StepState {
  return { ...state, status: 'passed', reason, passedAt: state.status === 'passed' ? (state.passedAt ?? now) : now };
}

/** The one check result a view shows for a step: its status and reason always come from the same result. */
export interface ShownCheck {
  status: StepState['status'];
  reason?: string;
  /** The result whose parts are shown with it (the same one the status and reason come from). */
  result?: CheckResult;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * What a view shows as the step's check: never a "passed" over a failing part. A step that
 * passed earlier and no longer holds shows the result that fails now, and when it passed.
 */
export function shownCheck(state: StepState): ShownCheck {
  const result = state.result;
  if (!result) return state.reason === undefined ? { status: state.status } : { status: state.status, reason: state.reason };
  if (state.status === 'passed' && result.status !== 'passed') {
    const when = state.passedAt === undefined ? '' : ` at ${clock(state.passedAt)}`;
    return { status: result.status === 'error' ? 'error' : 'failed', reason: `${result.reason} (this step passed${when}; that no longer holds)`, result };
  }
  return { status: state.status, reason: result.reason, result };
}
