/** `env: {...}`: a container was created with an environment variable (a secret's value is masked). */
import * as l10n from '@vscode/l10n';
import type { CheckResult, EnvCheck } from '../../model';
import type { EngineSnapshot } from '../snapshot';
import { matchPhrase, shown, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const env: CheckKindSpec<EnvCheck> = {
  describe: (e) =>
    e.value !== undefined ? l10n.t('a container {0} has {1}={2}', matchPhrase(e.container), e.name, e.value) : l10n.t('a container {0} has {1} set', matchPhrase(e.container), e.name),
  evaluate: evaluateEnv,
  needsPolling: () => false,
  subjects: (e) => subjects({ container: e.container }),
};

function evaluateEnv(check: EnvCheck, engine: EngineSnapshot): Promise<CheckResult> {
  return engine.judgeContainers(check.container, l10n.t('run one'), async (info) => {
    const who = subject(info, check.container);
    const inspected = await engine.inspect(info.Id);
    if (!inspected) return { ok: false, reason: l10n.t('{0} disappeared while being checked', who), progress: 0 };
    const entries = inspected.Config.Env ?? [];
    const entry = entries.find((e) => e === check.name || e.startsWith(`${check.name}=`));
    if (entry === undefined) {
      const example = check.value !== undefined ? `${check.name}=${check.value}` : `${check.name}=...`;
      return { ok: false, reason: l10n.t('{0} is not set in {1}; run it with -e {2}', check.name, who, example), progress: 1 };
    }
    const value = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : '';
    if (check.value !== undefined && value !== check.value) {
      return { ok: false, reason: l10n.t('{0} is {1} in {2}, not {3}', check.name, shown(check.name, value), who, shown(check.name, check.value)), progress: 2 };
    }
    return {
      ok: true,
      reason: check.value !== undefined ? l10n.t('{0} is set to {1} in {2}', check.name, shown(check.name, value), who) : l10n.t('{0} is set in {1}', check.name, who),
      progress: 3,
    };
  });
}
