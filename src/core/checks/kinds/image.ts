/** `image: { ref }`: an image is present in the engine (and `imageAbsent`, its opposite, shares the lookup). */
import type Dockerode from 'dockerode';
import type { CheckResult, ImageCheck } from '../../model';
import { imageRepository, namesImage, normalizeImageRef } from '../../images';
import type { EngineSnapshot } from '../snapshot';
import { containerName, formatSize, plural, shortId } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const image: CheckKindSpec<ImageCheck> = {
  describe: (check) => `image ${normalizeImageRef(check.ref)} is present${configWanted(check)}`,
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
      const wrong = configMismatch(check, found, ref);
      if (wrong !== undefined) return { status: 'failed', reason: wrong };
      return { status: 'passed', reason: `image ${ref} is present (${shortId(found.Id)}, ${formatSize(found.Size)})${configWanted(check)}` };
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

/** The configuration fields a check can ask of an image, as the engine's inspect names them. */
type ImageConfig = {
  Labels?: Record<string, string> | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | string | null;
  ExposedPorts?: Record<string, unknown> | null;
  WorkingDir?: string;
  User?: string;
};

/** `80` is `80/tcp`, as EXPOSE and the engine say. */
function portKey(p: number | string): string {
  return typeof p === 'number' ? `${p}/tcp` : p;
}

function argv(list: readonly string[] | string | null | undefined): string[] {
  if (list === null || list === undefined) return [];
  return typeof list === 'string' ? [list] : [...list];
}

function shownArgv(list: readonly string[]): string {
  return list.length === 0 ? 'none' : JSON.stringify(list);
}

/** ", with label x, env Y=1, ..." for the fields asked, or nothing. */
function configWanted(check: ImageCheck): string {
  const parts: string[] = [];
  for (const l of check.labels ?? []) parts.push(`label ${l}`);
  for (const e of check.env ?? []) parts.push(`env ${e}`);
  if (check.cmd) parts.push(`CMD ${shownArgv(check.cmd)}`);
  if (check.entrypoint) parts.push(`ENTRYPOINT ${shownArgv(check.entrypoint)}`);
  for (const p of check.exposedPorts ?? []) parts.push(`EXPOSE ${portKey(p)}`);
  if (check.workingDir !== undefined) parts.push(`WORKDIR ${check.workingDir}`);
  if (check.user !== undefined) parts.push(`USER ${check.user}`);
  return parts.length > 0 ? `, with ${parts.join(', ')}` : '';
}

/** Split `key=value` (value undefined for a bare key). */
function keyValue(text: string): [string, string | undefined] {
  const at = text.indexOf('=');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The first configuration field of the present image that is not as the check wants, said with
 * the Dockerfile instruction that sets it; undefined when all hold.
 */
function configMismatch(check: ImageCheck, found: Dockerode.ImageInspectInfo, ref: string): string | undefined {
  const config = (found.Config ?? {}) as ImageConfig;
  const rebuild = 'then build it again';
  for (const wanted of check.labels ?? []) {
    const [key, value] = keyValue(wanted);
    const have = config.Labels?.[key];
    if (have === undefined) return `image ${ref} has no label ${key}: add LABEL ${key}=... to the Dockerfile, ${rebuild}`;
    if (value !== undefined && have !== value) return `image ${ref} has label ${key}="${have}", not "${value}": set LABEL ${key}="${value}" in the Dockerfile, ${rebuild}`;
  }
  const env = new Map((config.Env ?? []).map(keyValue));
  for (const wanted of check.env ?? []) {
    const [name, value] = keyValue(wanted);
    if (!env.has(name)) return `image ${ref} does not set ${name}: add ENV ${name}=... to the Dockerfile, ${rebuild}`;
    const have = env.get(name) ?? '';
    if (value !== undefined && have !== value) return `image ${ref} sets ${name}="${have}", not "${value}": set ENV ${name}=${value} in the Dockerfile, ${rebuild}`;
  }
  if (check.cmd) {
    const have = argv(config.Cmd);
    if (JSON.stringify(have) !== JSON.stringify(check.cmd)) return `image ${ref} has CMD ${shownArgv(have)}, not ${shownArgv(check.cmd)}: write CMD ${JSON.stringify(check.cmd)} (exec form) in the Dockerfile, ${rebuild}`;
  }
  if (check.entrypoint) {
    const have = argv(config.Entrypoint);
    if (JSON.stringify(have) !== JSON.stringify(check.entrypoint)) return `image ${ref} has ENTRYPOINT ${shownArgv(have)}, not ${shownArgv(check.entrypoint)}: write ENTRYPOINT ${JSON.stringify(check.entrypoint)} (exec form) in the Dockerfile, ${rebuild}`;
  }
  const exposed = Object.keys(config.ExposedPorts ?? {});
  for (const p of check.exposedPorts ?? []) {
    const key = portKey(p);
    if (!exposed.includes(key)) return `image ${ref} does not expose ${key}${exposed.length > 0 ? ` (it exposes ${exposed.join(', ')})` : ''}: add EXPOSE ${key.replace(/\/tcp$/, '')} to the Dockerfile, ${rebuild}`;
  }
  if (check.workingDir !== undefined && (config.WorkingDir || '/') !== check.workingDir) {
    return `image ${ref} has working directory ${config.WorkingDir || '/ (none set)'}, not ${check.workingDir}: add WORKDIR ${check.workingDir} to the Dockerfile, ${rebuild}`;
  }
  if (check.user !== undefined && (config.User ?? '') !== check.user) {
    return `image ${ref} runs as ${config.User ? `user ${config.User}` : 'root (no USER set)'}, not ${check.user}: add USER ${check.user} to the Dockerfile, ${rebuild}`;
  }
  return undefined;
}
