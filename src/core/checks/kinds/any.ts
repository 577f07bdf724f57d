/** `any: [...]`: passes when one part passes; otherwise the first error, else every failure. */
import type { Check } from '../../model';
import { type CheckKindSpec, mergeSubjects } from './spec';

export const any: CheckKindSpec<Check[]> = {
  describe: (parts, describe) => `one of: ${parts.map(describe).join('; or ')}`,

  async evaluate(parts, _engine, evaluate) {
    const children = await Promise.all(parts.map(evaluate));
    const passed = children.find((c) => c.status === 'passed');
    if (passed) return { status: 'passed', reason: passed.reason, children };
    const errored = children.find((c) => c.status === 'error');
    if (errored) return { status: 'error', reason: errored.reason, children };
    return { status: 'failed', reason: `none of the alternatives holds: ${children.map((c) => c.reason).join('; or ')}`, children };
  },

  needsPolling: (parts, needsPolling) => parts.some(needsPolling),
  subjects: (parts, subjectsOf) => mergeSubjects(parts.map(subjectsOf)),

  lint: (parts, at, lint) => parts.flatMap((part, k) => lint(part, [...at, 'any', k])),
};
