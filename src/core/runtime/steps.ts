/**
 * A step's state and its transitions, as pure functions (the runtime applies them; tests call
 * them directly):
 *
 *   not-started --open--> current --result passes--> passed
 *   current --result fails, in the grace after a command--> current (reason shown, not red yet;
 *             a new reason inside the grace starts it again, the runtime caps that)
 *   current --result fails while the step's command still runs--> current (the grace starts at its end)
 *   current --result fails after the grace, or Check now--> failed
 *   current or failed --cannot check (the engine went away)--> error, at once; the next result
 *             that can be had is judged as if it never happened
 *   current --its lab command ends with an exit code the lab does not expect, and the check
 *             fails--> failed at once, the command's failure as the reason
 *   passed --live result fails--> passed (progress kept) with that result shown as it is
 *   passed --Check now fails--> failed
 *   a step without check or quiz --the student moves on past it, or runs its command--> passed
 *
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { firstHttpCheck, readCheck } from '../checks/kind';
import type { Check, CheckResult, HttpCheck, Lab, Step } from '../model';
import type { StepState } from './types';

/** Whether a step has something that decides it passed (a check or a quiz); the others are read. */
export function isChecked(step: Step): boolean {
  return step.check !== undefined || step.quiz !== undefined;
}

/** How a step's status reads: a step without a check that is done is "read", never "passed". */
export type ShownStatus = StepState['status'] | 'read';

export function shownStatus(step: Step, status: StepState['status']): ShownStatus {
  return status === 'passed' && !isChecked(step) ? 'read' : status;
}

/** Whether every step of the lab is done: each checked step passed, each other step read. */
export function isComplete(progress: { passed: number; total: number; read: number; unchecked: number }): boolean {
  return progress.total + progress.unchecked > 0 && progress.passed === progress.total && progress.read === progress.unchecked;
}

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
  /** How many of the step's commands the student has not run yet (a multi-command step is in progress until all ran). */
  commandsLeft?: number;
  /**
   * The step's last lab command did not end as the lab expects (commandExit.ts): a failing
   * result shows this reason, with the check's result as its part, and counts at once.
   */
  commandFailure?: CheckResult;
  /**
   * One of the step's commands is still running (or is still being put in: its terminal may
   * not be ready yet): a failing result does not count yet, however long it runs (a pull, a
   * slow engine); the grace starts at its end, or once it went in when its end is not reported.
   */
  commandRunning?: boolean;
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
  // "Cannot check" (the engine went away, a check that cannot be asked) is no judgement of the
  // student's work: it shows at once, in the tree and the status bar too.
  if (result.status === 'error') {
    next.status = 'error';
    delete next.passedAt;
    return { state: next, passed: false };
  }
  // The engine answers again: the step is judged as if it had never been unreachable.
  const was = state.status === 'error' ? 'current' : state.status;
  if (was !== state.status) next.status = was;
  // Part way through a multi-command step, or while its command still runs: progress, not
  // failure (until all ran and ended, or Check now).
  if (!ctx.explicit && ((ctx.commandsLeft ?? 0) > 0 || ctx.commandRunning === true) && was !== 'failed') return { state: next, passed: false };
  const sinceRun = ctx.attemptedAt === undefined ? undefined : ctx.now - ctx.attemptedAt;
  const counts = ctx.explicit || was === 'failed' || (sinceRun !== undefined && sinceRun > ctx.graceMs);
  if (counts) {
    next.status = 'failed';
    delete next.passedAt;
    return { state: next, passed: false };
  }
  // Not attempted yet (just opened): "not done yet", never red. Within the grace: red only if it still fails then.
  const outcome: ResultOutcome = { state: next, passed: false };
  if (sinceRun !== undefined && ctx.attemptedAt !== undefined) outcome.recheckAt = ctx.attemptedAt + ctx.graceMs + 1;
  return outcome;
}

/**
 * The state after a quiz answer. Once passed, a quiz stays passed: trying again is allowed,
 * and a wrong re-answer shows as wrong without taking the step away.
 */
export function applyAnswer(state: StepState, picked: number[], correct: boolean, now: number): StepState {
  if (correct) return { ...state, answer: picked, status: 'passed', reason: l10n.t('Answered correctly.'), passedAt: state.passedAt ?? now };
  if (state.status === 'passed') return { ...state, answer: picked, reason: l10n.t('That answer is not right; the step stays passed from your earlier right answer.') };
  const next: StepState = { ...state, answer: picked, status: 'failed', reason: l10n.t('try another answer.') };
  delete next.passedAt;
  return next;
}

/** "1 of 3 done" for a step with several commands, part way through; undefined otherwise. */
export function commandProgress(step: Step, state: StepState): string | undefined {
  const total = step.commands.length;
  const ran = new Set((state.commandsRun ?? []).filter((i) => i >= 0 && i < total)).size;
  if (total < 2 || ran === 0 || ran >= total || state.status === 'passed') return undefined;
  return `${ran} of ${total} commands done`;
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
    const reason = state.passedAt === undefined
      ? l10n.t('{0} (this step passed; that no longer holds)', result.reason)
      : l10n.t('{0} (this step passed at {1}; that no longer holds)', result.reason, clock(state.passedAt));
    return { status: result.status === 'error' ? 'error' : 'failed', reason, result };
  }
  return { status: state.status, reason: result.reason, result };
}

// ---- what a step offers --------------------------------------------------------------------

/** The names of the containers a check requires to be gone (`containerAbsent`, also inside all/any). */
function absentNames(check: Check | undefined): string[] {
  const read = check === undefined ? undefined : readCheck(check);
  if (!read) return [];
  if (read.kind === 'containerAbsent') return read.body.name === undefined ? [] : [read.body.name];
  if (read.kind === 'all' || read.kind === 'any') return read.body.flatMap(absentNames);
  return [];
}

/** The `--name` a `docker run` gives its container, if any. */
export function runContainerName(command: string): string | undefined {
  return /\bdocker\s+(?:container\s+)?(?:run|create)\b.*?\s--name(?:=|\s+)(['"]?)([\w.${}-]+)\1/.exec(command)?.[2];
}

/**
 * Whether the step's purpose is to stop a server the lab runs in the foreground: its check
 * wants a container gone, and the last step up to this one that starts a container of that
 * name starts it in the foreground. Such a step offers Stop (Ctrl+C); Ctrl+C is never sent
 * for a step that only needs the server running.
 */
export function stopsForegroundServer(lab: Lab, step: Step): boolean {
  const gone = absentNames(step.check);
  if (gone.length === 0) return false;
  const upTo = lab.steps.slice(0, lab.steps.indexOf(step) + 1).reverse();
  return gone.some((name) => {
    for (const s of upTo) {
      const starts = s.commands.filter((c) => runContainerName(c.run) === name);
      if (starts.length > 0) return starts.some((c) => c.foreground === true);
    }
    return false;
  });
}

/** Whether Stop (Ctrl+C) belongs on the step: it starts a foreground server, or it is there to stop one. */
export function offersStop(lab: Lab, step: Step): boolean {
  return [...step.commands, ...(step.solution?.commands ?? [])].some((c) => c.foreground === true) || stopsForegroundServer(lab, step);
}

/** The names of the containers a check looks at (any kind with a `container` match, also inside all/any/not). */
function containerNames(check: Check | undefined): string[] {
  const read = check === undefined ? undefined : readCheck(check);
  if (!read) return [];
  if (read.kind === 'all' || read.kind === 'any') return read.body.flatMap(containerNames);
  if (read.kind === 'not') return [];
  const body: unknown = read.body;
  // A container check names it itself; the other kinds name theirs in `container`.
  const container = read.kind === 'container' ? body : typeof body === 'object' && body !== null && 'container' in body ? (body as { container?: unknown }).container : undefined;
  const name = typeof container === 'object' && container !== null ? (container as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? [name] : [];
}

/**
 * The web service a step can open: its own HTTP check's, or, for a step about a server an
 * earlier step started (lab 5: "open the notebook with its token"), that step's HTTP check,
 * counting the container whenever it was created.
 */
export function serviceCheck(lab: Lab, step: Step): HttpCheck | undefined {
  const own = firstHttpCheck(step.check);
  if (own) return own;
  const names = containerNames(step.check);
  if (names.length === 0) return undefined;
  const before = lab.steps.slice(0, Math.max(0, lab.steps.indexOf(step))).reverse();
  for (const earlier of before) {
    const http = firstHttpCheck(earlier.check);
    if (http?.container.name !== undefined && names.includes(http.container.name)) return { ...http, container: { ...http.container, since: 'any' } };
  }
  return undefined;
}

/** The container names a step's commands give with `docker run --name` (placeholders left out). */
export function namedContainers(step: Step): string[] {
  const names = [...step.commands, ...(step.solution?.commands ?? [])].map((c) => runContainerName(c.run)).filter((n): n is string => n !== undefined && !n.includes('${'));
  return [...new Set(names)];
}

/** Why the lab's own containers are in the way of the step's command, and how to get them out of it. */
export function leftoverReason(names: readonly string[]): string {
  const list = names.map((n) => `"${n}"`).join(', ');
  const remove = `docker rm -f ${names.join(' ')}`;
  return names.length === 1
    ? l10n.t('The container {0} from an earlier try is in the way: `docker run --name` fails while it exists. Remove it with `{1}` (or "Remove it and run again"), then run the command again.', list, remove)
    : l10n.t('The containers {0} from an earlier try are in the way: `docker run --name` fails while they exist. Remove them with `{1}` (or "Remove it and run again"), then run the command again.', list, remove);
}
