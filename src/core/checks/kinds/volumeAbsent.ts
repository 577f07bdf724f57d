/** `volumeAbsent: { name }`: a named volume does not exist (it was removed). */
import type { VolumeCheck } from '../../model';
import { type CheckKindSpec, subjects } from './spec';
import { evaluateVolume } from './volume';

export const volumeAbsent: CheckKindSpec<VolumeCheck> = {
  describe: (v) => `volume ${v.name} is removed`,
  evaluate: (check, engine) => evaluateVolume(check, false, engine),
  needsPolling: () => false,
  subjects: () => subjects({ volumes: true }),
};
