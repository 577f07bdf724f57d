/** `all: [...]`: passes when every part passes; the first failure (then the first error) is the reason. */
import * as l10n from '@vscode/l10n';
import type { Check } from '../../model';
import { joinWith } from '../words';
import { type CheckKindSpec, mergeSubjects } from './spec';

export const all: CheckKindSpec<Check[]> = {
  describe: (parts, describe) => joinWith(parts.map(describe), (first, next) => l10n.t('{0}; and {1}', first, next)),

  async evaluate(parts, _engine, evaluate) {
    const children = await Promise.all(parts.map(evaluate));
    const failed = children.find((c) => c.status === 'failed');
    const errored = children.find((c) => c.status === 'error');
    if (failed) return { status: 'failed', reason: failed.reason, children };
    if (errored) return { status: 'error', reason: errored.reason, children };
    const last = children[children.length - 1];
    return { status: 'passed', reason: children.length === 1 && last ? last.reason : children.map((c) => c.reason).join('; '), children };
  },

  needsPolling: (parts, needsPolling) => parts.some(needsPolling),
  subjects: (parts, subjectsOf) => mergeSubjects(parts.map(subjectsOf)),

  lint: (parts, at, lint) => parts.flatMap((part, k) => lint(part, [...at, 'all', k])),
};
