/** `image: { ref }`: an image is present in the engine (and `imageAbsent`, its opposite, shares the lookup). */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { CheckResult, ImageCheck } from '../../model';
import { imageRepository, namesImage, normalizeImageRef } from '../../images';
import type { EngineSnapshot } from '../snapshot';
import { containerName, formatSize, shortId } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const image: CheckKindSpec<ImageCheck> = {
  describe(check) {
    const ref = normalizeImageRef(check.ref);
    const config = configWanted(check);
    return config ? l10n.t('image {0} is present, with {1}', ref, config) : l10n.t('image {0} is present', ref);
  },
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
      const config = configWanted(check);
      return {
        status: 'passed',
        reason: config
          ? l10n.t('image {0} is present ({1}, {2}), with {3}', ref, shortId(found.Id), formatSize(found.Size), config)
          : l10n.t('image {0} is present ({1}, {2})', ref, shortId(found.Id), formatSize(found.Size)),
      };
    }
    if (ref.includes('@')) return { status: 'failed', reason: l10n.t('image {0} is not present: pull it with docker pull {0}', ref) };
    if (engine.ctx.builtImages?.includes(ref)) return { status: 'failed', reason: l10n.t('image {0} is not present: build it with docker build -t {0} (a step of this lab builds it)', ref) };
    const repo = imageRepository(ref);
    const sameRepo = await engine.listImages(repo);
    // As the engine lists them, in the lab's words (Podman lists docker.io/library/... names).
    const tags = sameRepo.flatMap((i) => i.RepoTags ?? []).map(normalizeImageRef).filter((t) => t !== ref && imageRepository(t) === repo);
    if (tags.length > 0) {
      const shown = tags.slice(0, 3).join(', ');
      return {
        status: 'failed',
        reason: tags.length === 1
          ? l10n.t('image {0} is not present ({1} is): pull {0} or tag one of them', ref, shown)
          : l10n.t('image {0} is not present ({1} are): pull {0} or tag one of them', ref, shown),
      };
    }
    return { status: 'failed', reason: l10n.t('image {0} is not present: pull it with docker pull {0}', ref) };
  }
  if (!found) return { status: 'passed', reason: l10n.t('image {0} is not present', ref) };
  // With another name left, `docker rmi` only takes this name off: the containers that use the
  // image do not stand in the way (and on a shared engine they may be anybody's).
  if (keepsAnotherName(found)) return { status: 'failed', reason: l10n.t('image {0} is still present: remove it with docker rmi {0}', ref) };
  // By ID: Podman's `ancestor` takes no short name.
  const users = await engine.listContainers({ ancestor: [found.Id.replace(/^sha256:/, '')] });
  const direct = users.filter((c) => namesImage(c.Image, ref) || c.ImageID === found.Id);
  if (direct.length > 0) {
    const names = direct.slice(0, 3).map((c) => containerName(c)).join(', ');
    return {
      status: 'failed',
      reason: direct.length === 1
        ? l10n.t('image {0} is still present and 1 container uses it ({1}): remove it with docker rm, then docker rmi {0}', ref, names)
        : l10n.t('image {0} is still present and {1} containers use it ({2}): remove them with docker rm, then docker rmi {0}', ref, direct.length, names),
    };
  }
  return { status: 'failed', reason: l10n.t('image {0} is still present: remove it with docker rmi {0}', ref) };
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
  return list.length === 0 ? l10n.t('none') : JSON.stringify(list);
}

/** "label x, env Y=1, CMD [...]" for the fields asked, or '' (the Dockerfile's instructions are said as they are written). */
function configWanted(check: ImageCheck): string {
  const parts: string[] = [];
  for (const l of check.labels ?? []) parts.push(l10n.t('label {0}', l));
  for (const e of check.env ?? []) parts.push(l10n.t('env {0}', e));
  if (check.cmd) parts.push(`CMD ${shownArgv(check.cmd)}`);
  if (check.entrypoint) parts.push(`ENTRYPOINT ${shownArgv(check.entrypoint)}`);
  for (const p of check.exposedPorts ?? []) parts.push(`EXPOSE ${portKey(p)}`);
  if (check.workingDir !== undefined) parts.push(`WORKDIR ${check.workingDir}`);
  if (check.user !== undefined) parts.push(`USER ${check.user}`);
  return parts.join(', ');
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
  for (const wanted of check.labels ?? []) {
    const [key, value] = keyValue(wanted);
    const have = config.Labels?.[key];
    if (have === undefined) return l10n.t('image {0} has no label {1}: add LABEL {1}=... to the Dockerfile, then build it again', ref, key);
    if (value !== undefined && have !== value) return l10n.t('image {0} has label {1}="{2}", not "{3}": set LABEL {1}="{3}" in the Dockerfile, then build it again', ref, key, have, value);
  }
  const env = new Map((config.Env ?? []).map(keyValue));
  for (const wanted of check.env ?? []) {
    const [name, value] = keyValue(wanted);
    if (!env.has(name)) return l10n.t('image {0} does not set {1}: add ENV {1}=... to the Dockerfile, then build it again', ref, name);
    const have = env.get(name) ?? '';
    if (value !== undefined && have !== value) return l10n.t('image {0} sets {1}="{2}", not "{3}": set ENV {1}={3} in the Dockerfile, then build it again', ref, name, have, value);
  }
  if (check.cmd) {
    const have = argv(config.Cmd);
    if (JSON.stringify(have) !== JSON.stringify(check.cmd)) {
      return l10n.t('image {0} has CMD {1}, not {2}: write CMD {3} (exec form) in the Dockerfile, then build it again', ref, shownArgv(have), shownArgv(check.cmd), JSON.stringify(check.cmd));
    }
  }
  if (check.entrypoint) {
    const have = argv(config.Entrypoint);
    if (JSON.stringify(have) !== JSON.stringify(check.entrypoint)) {
      return l10n.t('image {0} has ENTRYPOINT {1}, not {2}: write ENTRYPOINT {3} (exec form) in the Dockerfile, then build it again', ref, shownArgv(have), shownArgv(check.entrypoint), JSON.stringify(check.entrypoint));
    }
  }
  const exposed = Object.keys(config.ExposedPorts ?? {});
  for (const p of check.exposedPorts ?? []) {
    const key = portKey(p);
    if (exposed.includes(key)) continue;
    const port = key.replace(/\/tcp$/, '');
    return exposed.length > 0
      ? l10n.t('image {0} does not expose {1} (it exposes {2}): add EXPOSE {3} to the Dockerfile, then build it again', ref, key, exposed.join(', '), port)
      : l10n.t('image {0} does not expose {1}: add EXPOSE {2} to the Dockerfile, then build it again', ref, key, port);
  }
  if (check.workingDir !== undefined && (config.WorkingDir || '/') !== check.workingDir) {
    return l10n.t('image {0} has working directory {1}, not {2}: add WORKDIR {2} to the Dockerfile, then build it again', ref, config.WorkingDir || l10n.t('/ (none set)'), check.workingDir);
  }
  if (check.user !== undefined && (config.User ?? '') !== check.user) {
    return config.User
      ? l10n.t('image {0} runs as user {1}, not {2}: add USER {2} to the Dockerfile, then build it again', ref, config.User, check.user)
      : l10n.t('image {0} runs as root (no USER set), not {1}: add USER {1} to the Dockerfile, then build it again', ref, check.user);
  }
  return undefined;
}
