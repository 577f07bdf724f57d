/**
 * What the walkthrough says to a screen reader when a step's result changes: one short
 * sentence per change, never the list of sub-checks. The page (webview/main.ts) puts it in an
 * aria-atomic live region after a short pause, so a burst of results (a container created,
 * then started) is heard once, as the last result. Failures and "cannot check" (the engine
 * went away) are urgent (assertive), everything else polite.
 *
 * Shared by the page and unit tests: imports only the protocol's types.
 */
import type { StepView } from './protocol';

/** How long the page waits after the last change before it speaks. */
export const ANNOUNCE_DELAY_MS = 600;

export interface Announcement {
  text: string;
  urgent: boolean;
}

/** The strings an announcement is made of (the page passes them in its display language). */
export interface AnnounceWords {
  passed(stepTitle: string): string;
  notYet(reason: string | undefined): string;
  cannotCheck(reason: string | undefined): string;
  correct(): string;
  wrong(): string;
  reset(): string;
}

export const ENGLISH_WORDS: AnnounceWords = {
  passed: (title) => `Step passed: ${title}.`,
  notYet: (reason) => (reason === undefined ? 'Not yet.' : `Not yet: ${reason}`),
  cannotCheck: (reason) => (reason === undefined ? 'Cannot check.' : `Cannot check: ${reason}`),
  correct: () => 'Correct. Step passed.',
  wrong: () => 'Not quite. Try another answer.',
  reset: () => 'Not checked yet.',
};

/**
 * The result of a step as far as announcements go. Two views with the same key say the same
 * thing; `undefined` means "no result" (not started, or in the grace after a command, where
 * the page shows the reason but the step is not red).
 */
export function resultKey(v: StepView): string | undefined {
  const quiz = v.quiz?.feedback;
  if (quiz !== undefined) return JSON.stringify(['quiz', v.quiz?.submitted ?? [], quiz.correct]);
  switch (v.check.status) {
    case 'passed':
      return 'passed';
    case 'failed':
    case 'error':
      return JSON.stringify([v.check.status, v.check.reason ?? '']);
    default:
      return undefined;
  }
}

/**
 * What to say when the step shown goes from `before` to `after` (both the same step), or
 * nothing when its result did not change.
 */
export function announcementFor(before: string | undefined, after: StepView, words: AnnounceWords = ENGLISH_WORDS): Announcement | undefined {
  const key = resultKey(after);
  if (key === before) return undefined;
  if (key === undefined) return { text: words.reset(), urgent: false };
  const quiz = after.quiz?.feedback;
  if (quiz !== undefined) return quiz.correct ? { text: words.correct(), urgent: false } : { text: words.wrong(), urgent: true };
  switch (after.check.status) {
    case 'passed':
      return { text: words.passed(after.stepTitle), urgent: false };
    case 'error':
      return { text: words.cannotCheck(after.check.reason), urgent: true };
    default:
      return { text: words.notYet(after.check.reason), urgent: true };
  }
}
