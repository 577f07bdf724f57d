/**
 * Image references, read the way the Docker Engine lists them (`RepoTags`), in one place for
 * the checks, the loader, the ledger and the extension. No `vscode` import, no engine call.
 *
 *   alpine                                -> alpine:latest
 *   docker.io/library/alpine:3            -> alpine:3
 *   index.docker.io/jupyter/base-notebook -> jupyter/base-notebook:latest
 *   localhost:5000/me/app                 -> localhost:5000/me/app:latest
 *   alpine@sha256:...                     -> alpine@sha256:...   (a digest names one image: no tag added)
 *
 * Registries other than Docker Hub keep their name: `localhost/app` stays `localhost/app:latest`.
 * Podman files every image built, imported or loaded without a registry under `localhost/`
 * (`docker build -t app .` lists as `localhost/app:latest`): `namesImage` compares an engine's
 * name with a lab's the way a student means it, and `familiarImageName` writes it as they would.
 */

/** The host names under which the engine files Docker Hub's images (it lists them without one). */
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Docker Hub's namespace of official images: `library/alpine` is listed as `alpine`. */
const OFFICIAL_NAMESPACE = 'library/';

export const DEFAULT_TAG = 'latest';

/** The parts of an image reference, after Docker Hub's host and `library/` are taken off. */
export interface ImageRefParts {
  /** A registry other than Docker Hub (`localhost:5000`, `ghcr.io`), if the reference names one. */
  registry?: string;
  /** The path within the registry: `alpine`, `jupyter/base-notebook`. */
  path: string;
  /** The tag as written; undefined when none was given. */
  tag?: string;
  /** `sha256:...` when the reference pins a digest. */
  digest?: string;
}

/**
 * Whether the first part of a reference is a registry host: it has a dot or a port, or is
 * `localhost` (Docker's own rule; `jupyter/x` is a Docker Hub user, `ghcr.io/x` a registry).
 */
function isRegistryHost(part: string): boolean {
  return part.includes('.') || part.includes(':') || part === 'localhost' || part.startsWith('[');
}

/** Splits a reference into registry, path, tag and digest (no validation: the schema does that). */
export function parseImageRef(ref: string): ImageRefParts {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0 && isRegistryHost(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  if (registry !== undefined && DOCKER_HUB_HOSTS.has(registry)) registry = undefined;
  if (registry === undefined && rest.startsWith(OFFICIAL_NAMESPACE) && rest.length > OFFICIAL_NAMESPACE.length) {
    rest = rest.slice(OFFICIAL_NAMESPACE.length);
  }
  const parts: ImageRefParts = { path: rest };
  if (registry !== undefined) parts.registry = registry;
  if (tag !== undefined) parts.tag = tag;
  if (digest !== undefined) parts.digest = digest;
  return parts;
}

/** The repository, as the engine lists it, without tag or digest: `localhost:5000/me/app`, `alpine`. */
export function imageRepository(ref: string): string {
  const parts = parseImageRef(ref);
  return parts.registry === undefined ? parts.path : `${parts.registry}/${parts.path}`;
}

/**
 * A reference the way the engine lists it: Docker Hub's host and `library/` dropped, the tag
 * `latest` added when none is given; a reference with a digest keeps its tag (if any) and
 * gets none added.
 */
export function normalizeImageRef(ref: string): string {
  const parts = parseImageRef(ref);
  const repository = parts.registry === undefined ? parts.path : `${parts.registry}/${parts.path}`;
  if (parts.digest !== undefined) return `${repository}${parts.tag !== undefined ? `:${parts.tag}` : ''}@${parts.digest}`;
  return `${repository}:${parts.tag ?? DEFAULT_TAG}`;
}

/** Whether two references name the same image as the engine lists it (`alpine` and `docker.io/library/alpine:latest`). */
export function sameImageRef(a: string, b: string): boolean {
  return normalizeImageRef(a) === normalizeImageRef(b);
}

/** Podman's registry name for images made on this machine (`podman build -t app` is `localhost/app`). */
const PODMAN_LOCAL_REGISTRY = 'localhost';

/**
 * Whether `listed` (a name as an engine lists it: RepoTags, a container's Image) names the image
 * a lab calls `wanted`: the same reference, or Podman's `localhost/app:v1` for a lab's `app:v1`.
 */
export function namesImage(listed: string, wanted: string): boolean {
  const have = normalizeImageRef(listed);
  const want = normalizeImageRef(wanted);
  if (have === want) return true;
  return parseImageRef(listed).registry === PODMAN_LOCAL_REGISTRY && parseImageRef(wanted).registry === undefined && have === `${PODMAN_LOCAL_REGISTRY}/${want}`;
}

/**
 * A fully qualified name the way a student writes it: Docker Hub's host and `library/`, Podman's
 * `localhost/` and the tag `latest` taken off (`docker.io/library/alpine:latest` -> `alpine`,
 * `localhost/app:v1` -> `app:v1`); digests and other registries are kept.
 */
export function familiarImageName(ref: string): string {
  const parts = parseImageRef(ref);
  const registry = parts.registry === PODMAN_LOCAL_REGISTRY ? undefined : parts.registry;
  const repository = registry === undefined ? parts.path : `${registry}/${parts.path}`;
  if (parts.digest !== undefined) return `${repository}${parts.tag !== undefined ? `:${parts.tag}` : ''}@${parts.digest}`;
  return parts.tag === undefined || parts.tag === DEFAULT_TAG ? repository : `${repository}:${parts.tag}`;
}
