/** `containerAbsent: {...}`: no container matching the fields exists, whenever it was made. */
import * as l10n from '@vscode/l10n';
import type { CheckResult, ContainerMatch } from '../../model';
import { CannotCheck, type EngineSnapshot } from '../snapshot';
import { containerName, matchPhrase } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const containerAbsent: CheckKindSpec<ContainerMatch> = {
  describe: (m) => l10n.t('no container {0} exists', matchPhrase(m)),
  evaluate: evaluateContainerAbsent,
  needsPolling: () => false,
  subjects: (container) => subjects({ container }),
};

async function evaluateContainerAbsent(m: ContainerMatch, engine: EngineSnapshot): Promise<CheckResult> {
  // Absence is about every container, whenever it was made, unless the lab says otherwise.
  const { matching } = await engine.findContainers(m, 'any');
  const match = matchPhrase(m);
  if (matching.length === 0) return { status: 'passed', reason: l10n.t('no container {0} exists', match) };
  const first = matching[0];
  if (!first) throw new CannotCheck('internal error: container lost');
  const names = matching.slice(0, 3).map((c) => `${containerName(c)} (${c.State})`).join(', ');
  const running = matching.some((c) => c.State === 'running');
  const how = running ? l10n.t('stop and remove with docker rm -f {0}', containerName(first)) : l10n.t('remove with docker rm {0}', containerName(first));
  const count = matching.length;
  return {
    status: 'failed',
    reason: count === 1
      ? l10n.t('1 container {0} still exists: {1}; {2}', match, names, how)
      : count > 3
        ? l10n.t('{0} containers {1} still exist: {2} and {3} more; {4}', count, match, names, count - 3, how)
        : l10n.t('{0} containers {1} still exist: {2}; {3}', count, match, names, how),
  };
}
