/**
 * What the walkthrough says to a screen reader when a step's result changes: one short
 * sentence per change, never the list of sub-checks. The page (webview/main.ts) puts it in an
 * aria-atomic live region after a short pause, so a burst of results (a container created,
 * then started) is heard once, as the last result. Failures and "cannot check" (the engine
 * went away) are urgent (assertive), everything else polite.
 *
 * Shared by the page and unit tests (in Node, without a bundle, l10n.t gives the English text).
 */
import * as l10n from '@vscode/l10n';
import type { StepView } from './protocol';

/** How long the page waits after the last change before it speaks. */
export const ANNOUNCE_DELAY_MS = 600;

export interface Announcement {
  text: string;
  urgent: boolean;
}

/** The sentences, in the page's display language. */
const words = {
  passed: (title: string): string => l10n.t('Step passed: {0}.', title),
  notYet: (reason: string | undefined): string => (reason === undefined ? l10n.t('Not yet.') : l10n.t('Not yet: {0}', reason)),
  cannotCheck: (reason: string | undefined): string => (reason === undefined ? l10n.t('Cannot check.') : l10n.t('Cannot check: {0}', reason)),
  correct: (): string => l10n.t('Correct. Step passed.'),
  wrong: (): string => l10n.t('Not quite. Try another answer.'),
  reset: (): string => l10n.t('Not checked yet.'),
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
export function announcementFor(before: string | undefined, after: StepView): Announcement | undefined {
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
