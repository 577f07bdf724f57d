/** `not: {...}`: passes when the part fails (and the engine answered). */
import type { Check } from '../../model';
import type { CheckKindSpec } from './spec';

export const not: CheckKindSpec<Check> = {
  describe: (part, describe) => `not: ${describe(part)}`,

  async evaluate(part, _engine, evaluate) {
    const child = await evaluate(part);
    if (child.status === 'error') return { status: 'error', reason: child.reason, children: [child] };
    if (child.status === 'passed') return { status: 'failed', reason: `it should not be so, but ${child.reason}`, children: [child] };
    return { status: 'passed', reason: `as wanted, ${child.reason}`, children: [child] };
  },

  needsPolling: (part, needsPolling) => needsPolling(part),
  subjects: (part, subjectsOf) => subjectsOf(part),

  lint: (part, at, lint) => lint(part, [...at, 'not']),
};
