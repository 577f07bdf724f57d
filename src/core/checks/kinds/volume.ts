/** `volume: { name }`: a named volume exists (and `volumeAbsent`, its opposite, shares the lookup). */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { CheckResult, VolumeCheck } from '../../model';
import { isNotFound } from '../../engine/errors';
import type { EngineSnapshot } from '../snapshot';
import { containerName } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const volume: CheckKindSpec<VolumeCheck> = {
  describe: (v) => l10n.t('volume {0} exists', v.name),
  evaluate: (check, engine) => evaluateVolume(check, true, engine),
  needsPolling: () => false,
  subjects: () => subjects({ volumes: true }),
};

/** Whether the volume is there, as wanted (`wantPresent`) or not, with what to do about it. */
export async function evaluateVolume(check: VolumeCheck, wantPresent: boolean, engine: EngineSnapshot): Promise<CheckResult> {
  let info: Dockerode.VolumeInspectInfo | undefined;
  try {
    info = await engine.call((signal) => engine.ctx.docker.getVolume(check.name).inspect({ abortSignal: signal }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (wantPresent) {
    return info
      ? { status: 'passed', reason: l10n.t('volume {0} exists ({1} driver)', check.name, info.Driver) }
      : { status: 'failed', reason: l10n.t('volume {0} does not exist: create it with docker volume create {0} (or -v {0}:/path)', check.name) };
  }
  if (!info) return { status: 'passed', reason: l10n.t('volume {0} does not exist', check.name) };
  const users = await engine.listContainers({ volume: [check.name] });
  if (users.length > 0) {
    const names = users.slice(0, 3).map((c) => containerName(c)).join(', ');
    return { status: 'failed', reason: l10n.t('volume {0} still exists and is used by {1}: remove the container first, then docker volume rm {0}', check.name, names) };
  }
  return { status: 'failed', reason: l10n.t('volume {0} still exists: remove it with docker volume rm {0}', check.name) };
}
