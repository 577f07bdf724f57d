/** `env: {...}`: a container was created with an environment variable (a secret's value is masked). */
import type { CheckResult, EnvCheck } from '../../model';
import type { EngineSnapshot } from '../snapshot';
import { matchPhrase, shown, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const env: CheckKindSpec<EnvCheck> = {
  describe: (e) => `a container ${matchPhrase(e.container)} has ${e.name}${e.value !== undefined ? `=${e.value}` : ' set'}`,
  evaluate: evaluateEnv,
  needsPolling: () => false,
  subjects: (e) => subjects({ container: e.container }),
};

function evaluateEnv(check: EnvCheck, engine: EngineSnapshot): Promise<CheckResult> {
  return engine.judgeContainers(check.container, 'run one', async (info) => {
    const who = subject(info, check.container);
    const inspected = await engine.inspect(info.Id);
    if (!inspected) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
    const entries = inspected.Config.Env ?? [];
    const entry = entries.find((e) => e === check.name || e.startsWith(`${check.name}=`));
    if (entry === undefined) {
      const example = check.value !== undefined ? `${check.name}=${check.value}` : `${check.name}=...`;
      return { ok: false, reason: `${check.name} is not set in ${who}; run it with -e ${example}`, progress: 1 };
    }
    const value = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : '';
    if (check.value !== undefined && value !== check.value) {
      return { ok: false, reason: `${check.name} is ${shown(check.name, value)} in ${who}, not ${shown(check.name, check.value)}`, progress: 2 };
    }
    return { ok: true, reason: `${check.name} is set${check.value !== undefined ? ` to ${shown(check.name, value)}` : ''} in ${who}`, progress: 3 };
  });
}
