/** `volumeAbsent: { name }`: a named volume does not exist (it was removed). */
import * as l10n from '@vscode/l10n';
import type { VolumeCheck } from '../../model';
import { type CheckKindSpec, subjects } from './spec';
import { evaluateVolume } from './volume';

export const volumeAbsent: CheckKindSpec<VolumeCheck> = {
  describe: (v) => l10n.t('volume {0} is removed', v.name),
  evaluate: (check, engine) => evaluateVolume(check, false, engine),
  needsPolling: () => false,
  subjects: () => subjects({ volumes: true }),
};
