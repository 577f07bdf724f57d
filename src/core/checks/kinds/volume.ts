/** `volume: { name }`: a named volume exists (and `volumeAbsent`, its opposite, shares the lookup). */
import type Dockerode from 'dockerode';
import type { CheckResult, VolumeCheck } from '../../model';
import { isNotFound } from '../../engine/errors';
import type { EngineSnapshot } from '../snapshot';
import { containerName } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const volume: CheckKindSpec<VolumeCheck> = {
  describe: (v) => `volume ${v.name} exists`,
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
      ? { status: 'passed', reason: `volume ${check.name} exists (${info.Driver} driver)` }
      : { status: 'failed', reason: `volume ${check.name} does not exist: create it with docker volume create ${check.name} (or -v ${check.name}:/path)` };
  }
  if (!info) return { status: 'passed', reason: `volume ${check.name} does not exist` };
  const users = await engine.listContainers({ volume: [check.name] });
  if (users.length > 0) {
    const names = users.slice(0, 3).map((c) => containerName(c)).join(', ');
    return { status: 'failed', reason: `volume ${check.name} still exists and is used by ${names}: remove the container first, then docker volume rm ${check.name}` };
  }
  return { status: 'failed', reason: `volume ${check.name} still exists: remove it with docker volume rm ${check.name}` };
}
