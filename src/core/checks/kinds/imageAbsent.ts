/** `imageAbsent: { ref }`: an image is not present (it was removed). */
import * as l10n from '@vscode/l10n';
import type { ImageCheck } from '../../model';
import { normalizeImageRef } from '../../images';
import { evaluateImage } from './image';
import { type CheckKindSpec, subjects } from './spec';

export const imageAbsent: CheckKindSpec<ImageCheck> = {
  describe: (check) => l10n.t('image {0} is removed', normalizeImageRef(check.ref)),
  evaluate: (check, engine) => evaluateImage(check, false, engine),
  needsPolling: () => false,
  subjects: () => subjects({ images: true }),
};
