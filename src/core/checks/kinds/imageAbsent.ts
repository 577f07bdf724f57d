/** `imageAbsent: { ref }`: an image is not present (it was removed). */
import type { ImageCheck } from '../../model';
import { normalizeImageRef } from '../../images';
import { evaluateImage } from './image';
import { type CheckKindSpec, subjects } from './spec';

export const imageAbsent: CheckKindSpec<ImageCheck> = {
  describe: (check) => `image ${normalizeImageRef(check.ref)} is removed`,
  evaluate: (check, engine) => evaluateImage(check, false, engine),
  needsPolling: () => false,
  subjects: () => subjects({ images: true }),
};
