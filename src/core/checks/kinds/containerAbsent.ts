/** `containerAbsent: {...}`: no container matching the fields exists, whenever it was made. */
import type { CheckResult, ContainerMatch } from '../../model';
import { CannotCheck, type EngineSnapshot } from '../snapshot';
import { containerName, matchPhrase, plural } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const containerAbsent: CheckKindSpec<ContainerMatch> = {
  describe: (m) => `no container ${matchPhrase(m)} exists`,
  evaluate: evaluateContainerAbsent,
  needsPolling: () => false,
  subjects: (container) => subjects({ container }),
};

async function evaluateContainerAbsent(m: ContainerMatch, engine: EngineSnapshot): Promise<CheckResult> {
  // Absence is about every container, whenever it was made, unless the lab says otherwise.
  const { matching } = await engine.findContainers(m, 'any');
  if (matching.length === 0) return { status: 'passed', reason: `no container ${matchPhrase(m)} exists` };
  const first = matching[0];
  if (!first) throw new CannotCheck('internal error: container lost');
  const names = matching.slice(0, 3).map((c) => `${containerName(c)} (${c.State})`).join(', ');
  const more = matching.length > 3 ? ` and ${matching.length - 3} more` : '';
  const running = matching.some((c) => c.State === 'running');
  const how = running ? `stop and remove with docker rm -f ${containerName(first)}` : `remove with docker rm ${containerName(first)}`;
  return {
    status: 'failed',
    reason: `${plural(matching.length, 'container', 'containers')} ${matchPhrase(m)} still ${matching.length === 1 ? 'exists' : 'exist'}: ${names}${more}; ${how}`,
  };
}
