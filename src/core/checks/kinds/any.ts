/** `any: [...]`: passes when one part passes; otherwise the first error, else every failure. */
import * as l10n from '@vscode/l10n';
import type { Check } from '../../model';
import { joinWith } from '../words';
import { type CheckKindSpec, mergeSubjects } from './spec';

export const any: CheckKindSpec<Check[]> = {
  describe: (parts, describe) => l10n.t('one of: {0}', alternatives(parts.map(describe))),

  async evaluate(parts, _engine, evaluate) {
    const children = await Promise.all(parts.map(evaluate));
    const passed = children.find((c) => c.status === 'passed');
    if (passed) return { status: 'passed', reason: passed.reason, children };
    const errored = children.find((c) => c.status === 'error');
    if (errored) return { status: 'error', reason: errored.reason, children };
    return { status: 'failed', reason: l10n.t('none of the alternatives holds: {0}', alternatives(children.map((c) => c.reason))), children };
  },

  needsPolling: (parts, needsPolling) => parts.some(needsPolling),
  subjects: (parts, subjectsOf) => mergeSubjects(parts.map(subjectsOf)),

  lint: (parts, at, lint) => parts.flatMap((part, k) => lint(part, [...at, 'any', k])),
};

/** `a; or b; or c`. */
function alternatives(texts: readonly string[]): string {
  return joinWith(texts, (first, next) => l10n.t('{0}; or {1}', first, next));
}
