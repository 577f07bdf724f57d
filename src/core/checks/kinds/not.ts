/** `not: {...}`: passes when the part fails (and the engine answered). */
import * as l10n from '@vscode/l10n';
import type { Check } from '../../model';
import type { CheckKindSpec } from './spec';

export const not: CheckKindSpec<Check> = {
  describe: (part, describe) => l10n.t('not: {0}', describe(part)),

  async evaluate(part, _engine, evaluate) {
    const child = await evaluate(part);
    if (child.status === 'error') return { status: 'error', reason: child.reason, children: [child] };
    if (child.status === 'passed') return { status: 'failed', reason: l10n.t('it should not be so, but {0}', child.reason), children: [child] };
    return { status: 'passed', reason: l10n.t('as wanted, {0}', child.reason), children: [child] };
  },

  needsPolling: (part, needsPolling) => needsPolling(part),
  subjects: (part, subjectsOf) => subjectsOf(part),

  lint: (part, at, lint) => lint(part, [...at, 'not']),
};
