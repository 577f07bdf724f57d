/** `image: { ref }`: an image is present in the engine (and `imageAbsent`, its opposite, shares the lookup). */
import type Dockerode from 'dockerode';
import type { CheckResult, ImageCheck } from '../../model';
import { imageRepository, namesImage, normalizeImageRef } from '../../images';
import type { EngineSnapshot } from '../snapshot';
import { containerName, formatSize, plural, shortId } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const image: CheckKindSpec<ImageCheck> = {
  describe: (check) => `image ${normalizeImageRef(check.ref)} is present`,
  evaluate: (check, engine) => evaluateImage(check, true, engine),
  needsPolling: () => false,
  subjects: () => subjects({ images: true }),
};

/** Whether the image is there, as wanted (`wantPresent`) or not, with what to do about it. */
export async function evaluateImage(check: ImageCheck, wantPresent: boolean, engine: EngineSnapshot): Promise<CheckResult> {
  const ref = normalizeImageRef(check.ref);
  const found = await engine.inspectImage(ref);
  if (wantPresent) {
    if (found) {
      return { status: 'passed', reason: `image ${ref} is present (${shortId(found.Id)}, ${formatSize(found.Size)})` };
    }
    if (ref.includes('@')) return { status: 'failed', reason: `image ${ref} is not present: pull it with docker pull ${ref}` };
    if (engine.ctx.builtImages?.includes(ref)) return { status: 'failed', reason: `image ${ref} is not present: build it with docker build -t ${ref} (a step of this lab builds it)` };
    const repo = imageRepository(ref);
    const sameRepo = await engine.listImages(repo);
    // As the engine lists them, in the lab's words (Podman lists docker.io/library/... names).
    const tags = sameRepo.flatMap((i) => i.RepoTags ?? []).map(normalizeImageRef).filter((t) => t !== ref && imageRepository(t) === repo);
    if (tags.length > 0) {
      return {
        status: 'failed',
        reason: `image ${ref} is not present (${tags.slice(0, 3).join(', ')} ${tags.length === 1 ? 'is' : 'are'}): pull ${ref} or tag one of them`,
      };
    }
    return { status: 'failed', reason: `image ${ref} is not present: pull it with docker pull ${ref}` };
  }
  if (!found) return { status: 'passed', reason: `image ${ref} is not present` };
  // With another name left, `docker rmi` only takes this name off: the containers that use the
  // image do not stand in the way (and on a shared engine they may be anybody's).
  if (keepsAnotherName(found)) return { status: 'failed', reason: `image ${ref} is still present: remove it with docker rmi ${ref}` };
  // By ID: Podman's `ancestor` takes no short name.
  const users = await engine.listContainers({ ancestor: [found.Id.replace(/^sha256:/, '')] });
  const direct = users.filter((c) => namesImage(c.Image, ref) || c.ImageID === found.Id);
  if (direct.length > 0) {
    const names = direct.slice(0, 3).map((c) => containerName(c)).join(', ');
    return {
      status: 'failed',
      reason: `image ${ref} is still present and ${plural(direct.length, 'container uses', 'containers use')} it (${names}): remove ${direct.length === 1 ? 'it' : 'them'} with docker rm, then docker rmi ${ref}`,
    };
  }
  return { status: 'failed', reason: `image ${ref} is still present: remove it with docker rmi ${ref}` };
}

/**
 * Whether `docker rmi` of one of the image's names would only take that name off: the engine
 * refuses to remove the image's last reference while a container uses it, and counts as one
 * reference the names of a single repository with at most one tag (`alpine:3` and its digest).
 */
function keepsAnotherName(found: Dockerode.ImageInspectInfo): boolean {
  const names = [...(found.RepoTags ?? []), ...(found.RepoDigests ?? [])].filter((name) => !name.startsWith('<none>'));
  const repositories = new Set(names.map(imageRepository));
  const tags = (found.RepoTags ?? []).filter((tag) => !tag.startsWith('<none>'));
  return repositories.size > 1 || tags.length > 1;
}
