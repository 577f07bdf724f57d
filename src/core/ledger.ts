/**
 * The resource ledger: what a lab's steps CREATED in the engine, so that "clean up this lab"
 * (the extension) and the CLI test runner remove exactly that and nothing else.
 *
 * A ledger starts with a snapshot of the image refs and volume names that already exist, then
 * records engine events while the lab is active:
 *   - container `create`                          -> that container (by id)
 *   - volume `create` of a name absent at start   -> that volume
 *   - image `pull` / `tag` / `load` / `import` of a ref absent at start -> that ref
 * (the engine also sends a volume `create` when a container mounts an existing volume, which is
 * why volumes are compared against the snapshot too).
 *
 * It is plain data (`toJSON` / `ResourceLedger.fromJSON`), so the extension can keep one per lab
 * in its global state. No `vscode` import.
 */
import type Dockerode from 'dockerode';
import type { Disposable, Event } from './events';
import type { Lab } from './model';
import { callWithDeadline, engineErrorReason, statusCodeOf } from './engine/errors';
import { normalizeImageRef } from './images';
import { dockerCalls, runTarget } from './labs/dockerCommands';

export const LEDGER_VERSION = 1;

/** The part of an engine event the ledger needs (EngineEvents' events have this shape). */
export interface LedgerEvent {
  /** `container`, `image`, `volume`, ... */
  type: string;
  action: string;
  /** Container id, volume name, image id or (for pulls) the pulled ref. */
  id: string;
  /** Container name, or the image ref of a tag event. */
  name?: string;
  image?: string;
  /** Unix ms. */
  time?: number;
}

export interface LedgerContainer {
  id: string;
  name?: string;
}

export interface LedgerJson {
  version: typeof LEDGER_VERSION;
  labId: string;
  /** Unix ms when the lab began. */
  startedAt: number;
  imagesAtStart: string[];
  volumesAtStart: string[];
  containers: LedgerContainer[];
  volumes: string[];
  images: string[];
}

export type LedgerKind = 'container' | 'volume' | 'image';

export interface CleanupItem {
  kind: LedgerKind;
  /** Container name (or short id), volume name or image ref. */
  name: string;
  outcome: 'removed' | 'already-gone' | 'failed';
  /** Why it failed (engine message, or "the engine did not answer within 10 s"). */
  reason?: string;
}

export interface CleanupReport {
  items: CleanupItem[];
  removed: number;
  alreadyGone: number;
  failed: number;
}

export interface CleanupOptions {
  /** Deadline of each engine call, default 10 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function isImageId(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value) || /^[0-9a-f]{64}$/.test(value);
}

export class ResourceLedger {
  private readonly containers = new Map<string, LedgerContainer>();
  private readonly volumes = new Set<string>();
  private readonly images = new Set<string>();
  private readonly settling = new Set<Promise<unknown>>();
  private readonly imagesAtStart: Set<string>;
  private readonly volumesAtStart: Set<string>;

  private constructor(
    readonly labId: string,
    readonly startedAt: number,
    imagesAtStart: Iterable<string>,
    volumesAtStart: Iterable<string>,
  ) {
    this.imagesAtStart = new Set([...imagesAtStart].map(normalizeImageRef));
    this.volumesAtStart = new Set(volumesAtStart);
  }

  /**
   * Starts a ledger for a lab: snapshots the image refs and volume names that exist now.
   * Throws when the engine does not answer (a ledger without a snapshot could record a
   * user's own image as the lab's).
   */
  static async begin(
    docker: Dockerode,
    labId: string,
    opts: { timeoutMs?: number; signal?: AbortSignal; now?: number } = {},
  ): Promise<ResourceLedger> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const [images, volumes] = await Promise.all([
      callWithDeadline((signal) => docker.listImages({ abortSignal: signal }), timeoutMs, opts.signal),
      callWithDeadline((signal) => docker.listVolumes({ abortSignal: signal }), timeoutMs, opts.signal),
    ]);
    const refs = images.flatMap((image) => (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>'));
    const names = (volumes.Volumes ?? []).map((v) => v.Name);
    return new ResourceLedger(labId, opts.now ?? Date.now(), refs, names);
  }

  /** An empty ledger with a given snapshot (for tests and for callers that already know it). */
  static fromSnapshot(labId: string, startedAt: number, imagesAtStart: string[], volumesAtStart: string[]): ResourceLedger {
    return new ResourceLedger(labId, startedAt, imagesAtStart, volumesAtStart);
  }

  /** Reads a ledger back from `toJSON()`'s output; throws on anything else. */
  static fromJSON(value: unknown): ResourceLedger {
    if (typeof value !== 'object' || value === null) throw new Error('ledger: not an object');
    const v = value as Record<string, unknown>;
    if (v.version !== LEDGER_VERSION) throw new Error(`ledger: unsupported version ${String(v.version)}`);
    const str = (key: string): string => {
      const x = v[key];
      if (typeof x !== 'string') throw new Error(`ledger: ${key} must be a string`);
      return x;
    };
    const strings = (key: string): string[] => {
      const x = v[key];
      if (!Array.isArray(x) || !x.every((s): s is string => typeof s === 'string')) {
        throw new Error(`ledger: ${key} must be a list of strings`);
      }
      return x;
    };
    if (typeof v.startedAt !== 'number' || !Number.isFinite(v.startedAt)) throw new Error('ledger: startedAt must be a number');
    const ledger = new ResourceLedger(str('labId'), v.startedAt, strings('imagesAtStart'), strings('volumesAtStart'));
    const containers = v.containers;
    if (!Array.isArray(containers)) throw new Error('ledger: containers must be a list');
    for (const c of containers) {
      if (typeof c !== 'object' || c === null || typeof (c as { id?: unknown }).id !== 'string') {
        throw new Error('ledger: each container needs an id');
      }
      const { id, name } = c as { id: string; name?: unknown };
      ledger.containers.set(id, typeof name === 'string' ? { id, name } : { id });
    }
    for (const name of strings('volumes')) ledger.volumes.add(name);
    for (const ref of strings('images')) ledger.images.add(normalizeImageRef(ref));
    return ledger;
  }

  toJSON(): LedgerJson {
    return {
      version: LEDGER_VERSION,
      labId: this.labId,
      startedAt: this.startedAt,
      imagesAtStart: [...this.imagesAtStart].sort(),
      volumesAtStart: [...this.volumesAtStart].sort(),
      containers: [...this.containers.values()].map((c) => ({ ...c })),
      volumes: [...this.volumes],
      images: [...this.images],
    };
  }

  /**
   * Records one engine event if it created something. Returns true when the ledger changed
   * (so the extension knows to save it).
   */
  record(event: LedgerEvent): boolean {
    if (event.type === 'container' && event.action === 'create' && event.id) {
      if (this.containers.has(event.id)) return false;
      this.containers.set(event.id, event.name ? { id: event.id, name: event.name } : { id: event.id });
      return true;
    }
    if (event.type === 'volume' && event.action === 'create' && event.id) {
      if (this.volumesAtStart.has(event.id) || this.volumes.has(event.id)) return false;
      this.volumes.add(event.id);
      return true;
    }
    if (event.type === 'image') {
      const ref = imageRefOf(event);
      if (!ref) return false;
      const normal = normalizeImageRef(ref);
      if (this.imagesAtStart.has(normal) || this.images.has(normal)) return false;
      this.images.add(normal);
      return true;
    }
    return false;
  }

  /**
   * Records the events of `onEvent` until the returned Disposable is disposed; with `accept`,
   * only those it accepts (see `mentionedBy`: on a shared engine, other programs create things too).
   */
  attach(onEvent: Event<LedgerEvent>, onChange?: () => void, accept?: (event: LedgerEvent) => boolean | Promise<boolean>): Disposable {
    const take = (event: LedgerEvent): void => {
      if (this.record(event)) onChange?.();
    };
    return onEvent((event) => {
      const ok = accept ? accept(event) : true;
      if (ok === true) {
        take(event);
      } else if (ok !== false) {
        // Still recorded after a detach: the event happened while the lab was attached.
        const settling = ok.then((yes) => yes && take(event), () => undefined).finally(() => this.settling.delete(settling));
        this.settling.add(settling);
      }
    });
  }

  /** Resolves once every event still being looked at (see `CommandWindows.accepts`) is settled. */
  async settled(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }

  get containerIds(): LedgerContainer[] {
    return [...this.containers.values()];
  }

  get volumeNames(): string[] {
    return [...this.volumes];
  }

  get imageRefs(): string[] {
    return [...this.images];
  }

  get isEmpty(): boolean {
    return this.containers.size === 0 && this.volumes.size === 0 && this.images.size === 0;
  }

  /** Whether this image ref existed before the lab began. */
  hadImageAtStart(ref: string): boolean {
    return this.imagesAtStart.has(normalizeImageRef(ref));
  }

  /** Forgets what cleanup removed or found gone, keeps what failed (so a retry can try again). */
  forget(report: CleanupReport): void {
    for (const item of report.items) {
      if (item.outcome === 'failed') continue;
      if (item.kind === 'volume') this.volumes.delete(item.name);
      else if (item.kind === 'image') this.images.delete(item.name);
      else {
        for (const [id, c] of this.containers) {
          if (c.name === item.name || id === item.name || id.startsWith(item.name)) this.containers.delete(id);
        }
      }
    }
  }
}

/** The image ref an image event names, if it names one (imports and untags name only an id). */
function imageRefOf(event: LedgerEvent): string | undefined {
  switch (event.action) {
    case 'pull':
    case 'load':
      // A pull's id is the ref it pulled (`busybox:latest`); its name attribute lacks the tag.
      if (event.id && !isImageId(event.id)) return event.id;
      return event.name && !isImageId(event.name) ? event.name : undefined;
    case 'tag':
    case 'import':
      return event.name && !isImageId(event.name) ? event.name : undefined;
    default:
      return undefined;
  }
}

/**
 * Removes what the ledger recorded and still exists: containers (forced, with their anonymous
 * volumes), then volumes, then
 * image refs (by ref, so an image that carries other tags only loses this one; never forced,
 * never pruned). Each engine call has its own deadline. Nothing outside the ledger is touched.
 */
export async function cleanup(docker: Dockerode, ledger: ResourceLedger, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const items: CleanupItem[] = [];

  const containers = ledger.containerIds;
  items.push(...(await Promise.all(containers.map((c) => removeContainer(docker, c, timeoutMs, opts.signal)))));
  for (const name of ledger.volumeNames) items.push(await removeVolume(docker, name, timeoutMs, opts.signal));
  for (const ref of ledger.imageRefs) items.push(await removeImageRef(docker, ref, timeoutMs, opts.signal));

  return {
    items,
    removed: items.filter((i) => i.outcome === 'removed').length,
    alreadyGone: items.filter((i) => i.outcome === 'already-gone').length,
    failed: items.filter((i) => i.outcome === 'failed').length,
  };
}

async function removeContainer(docker: Dockerode, c: LedgerContainer, timeoutMs: number, signal?: AbortSignal): Promise<CleanupItem> {
  const name = c.name ?? c.id.slice(0, 12);
  const container = docker.getContainer(c.id);
  try {
    // v: the container's anonymous volumes (`-v /data`) go with it; named volumes stay.
    await callWithDeadline((abortSignal) => container.remove({ force: true, v: true, abortSignal }), timeoutMs, signal);
    return { kind: 'container', name, outcome: 'removed' };
  } catch (error) {
    const code = statusCodeOf(error);
    if (code === 404) return { kind: 'container', name, outcome: 'already-gone' };
    if (code === 409) {
      // "removal already in progress" (a --rm container that just stopped): wait for it to go.
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        try {
          await callWithDeadline((abortSignal) => container.inspect({ abortSignal }), timeoutMs, signal);
        } catch (inspectError) {
          if (statusCodeOf(inspectError) === 404) return { kind: 'container', name, outcome: 'already-gone' };
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { kind: 'container', name, outcome: 'failed', reason: engineErrorReason(error, timeoutMs, signal) };
  }
}

async function removeVolume(docker: Dockerode, name: string, timeoutMs: number, signal?: AbortSignal): Promise<CleanupItem> {
  try {
    await callWithDeadline((abortSignal) => docker.getVolume(name).remove({ abortSignal }), timeoutMs, signal);
    return { kind: 'volume', name, outcome: 'removed' };
  } catch (error) {
    if (statusCodeOf(error) === 404) return { kind: 'volume', name, outcome: 'already-gone' };
    return { kind: 'volume', name, outcome: 'failed', reason: engineErrorReason(error, timeoutMs, signal) };
  }
}

async function removeImageRef(docker: Dockerode, ref: string, timeoutMs: number, signal?: AbortSignal): Promise<CleanupItem> {
  const image = docker.getImage(ref);
  try {
    // Look first (a filtered list, so the engine answers within the deadline): the ledger
    // only holds refs, and a ref that no longer exists is "already gone".
    const found = await callWithDeadline((abortSignal) => docker.listImages({ filters: { reference: [ref] }, abortSignal }), timeoutMs, signal);
    if (!found.some((i) => (i.RepoTags ?? []).map(normalizeImageRef).includes(ref))) {
      return { kind: 'image', name: ref, outcome: 'already-gone' };
    }
  } catch (error) {
    return { kind: 'image', name: ref, outcome: 'failed', reason: engineErrorReason(error, timeoutMs, signal) };
  }
  try {
    await callWithDeadline((abortSignal) => image.remove({ force: false, noprune: true, abortSignal }), timeoutMs, signal);
    return { kind: 'image', name: ref, outcome: 'removed' };
  } catch (error) {
    if (statusCodeOf(error) === 404) return { kind: 'image', name: ref, outcome: 'already-gone' };
    return { kind: 'image', name: ref, outcome: 'failed', reason: engineErrorReason(error, timeoutMs, signal) };
  }
}

/**
 * Which of the lab's own commands are running (or ran a moment ago: their engine events arrive
 * a little after they exit). An engine event is taken for the lab's only when it happens in
 * such a window AND names something the running command text names (the container's name or
 * image, the volume, the image ref): another program using the same engine at the same time
 * (a CI job, another test suite) must not see its containers removed by our cleanup. What
 * this misses (e.g. `docker load -i file.tar`) is left in place, never removed by mistake.
 */
export class CommandWindows {
  private readonly texts: string[] = [];

  constructor(private readonly tailMs = 1000) {}

  get open(): boolean {
    return this.texts.length > 0;
  }

  /**
   * Opens a window for a command and returns the function that closes it (after the tail).
   * `maxMs` closes it by itself that long after it opened, for commands whose end is never
   * reported (a terminal without shell integration) or that run for hours (a foreground
   * server): what a command creates, it creates in its first seconds.
   */
  begin(text: string, { maxMs }: { maxMs?: number } = {}): () => void {
    this.texts.push(text);
    let closed = false;
    let cap: ReturnType<typeof setTimeout> | undefined;
    const close = (): void => {
      if (closed) return;
      closed = true;
      if (cap) clearTimeout(cap);
      setTimeout(() => {
        const i = this.texts.indexOf(text);
        if (i >= 0) this.texts.splice(i, 1);
      }, this.tailMs);
    };
    if (maxMs !== undefined) {
      cap = setTimeout(close, maxMs);
      // Never keep a CLI process alive for a window.
      (cap as { unref?: () => void }).unref?.();
    }
    return close;
  }

  /** Whether a running command names what this event created (see `claim`). */
  claims(event: LedgerEvent): boolean {
    return this.claim(event) !== undefined;
  }

  /**
   * Whether the running commands made what this event created: at once when they name it;
   * for a claim by image alone, once `confirmClaim` has looked at the container (without a
   * `docker` to look with, the claim is taken as it is).
   */
  accepts(event: LedgerEvent, docker?: Dockerode): boolean | Promise<boolean> {
    const claim = this.claim(event);
    if (!claim) return false;
    if (claim.by === 'name' || !docker) return true;
    return confirmClaim(docker, event, claim.texts);
  }

  /**
   * The running commands that name what this event created, and how: `name` when they name
   * it; `image` when they name only the image of a container whose name the engine made up
   * (`docker run hello-world`), which `confirmClaim` should settle.
   */
  claim(event: LedgerEvent): { by: 'name' | 'image'; texts: string[] } | undefined {
    if (!this.texts.length) return undefined;
    const naming = (names: string[], kind: Mention = 'name'): string[] => this.texts.filter((text) => names.some((name) => mentions(text, name, kind)));
    if (event.type === 'container') {
      const name = (event.name ?? '').replace(/^\//, '');
      const byName = name ? naming([name]) : [];
      if (byName.length > 0) return { by: 'name', texts: byName };
      // By its image only when the engine made up its name: a command that names its
      // container is matched by that name, so `cl-other` made from alpine by another program
      // while `docker run alpine ...` runs here is not ours.
      if (!event.image || (name !== '' && !isGeneratedName(name))) return undefined;
      const byImage = naming([event.image], 'image');
      return byImage.length > 0 ? { by: 'image', texts: byImage } : undefined;
    }
    const names: string[] = [];
    let kind: Mention = 'name';
    if (event.type === 'volume') {
      // Anonymous volumes (`-v /data`) have random names no command mentions: they are not
      // claimed here; cleanup removes them with the lab's containers (`docker rm -v`).
      names.push(event.id);
    } else if (event.type === 'image') {
      kind = 'image';
      for (const ref of [event.id, event.name]) {
        if (!ref || ref.startsWith('sha256:')) continue;
        names.push(ref, ref.replace(/:latest$/, ''));
      }
    }
    const texts = naming(names, kind);
    return texts.length > 0 ? { by: 'name', texts } : undefined;
  }
}

/**
 * Settles a claim by image alone (see `CommandWindows.claim`): two programs running
 * `docker run alpine ...` at the same moment make containers that differ only in their command.
 * The container's command (Config.Cmd) must appear in a claiming command's text, or be the
 * image's own (the command gave no arguments). A container already gone (`--rm`) is not
 * recorded: there is nothing to clean up.
 */
export async function confirmClaim(docker: Dockerode, event: LedgerEvent, texts: string[], timeoutMs = 5000): Promise<boolean> {
  try {
    const info = await callWithDeadline((signal) => docker.getContainer(event.id).inspect({ abortSignal: signal }), timeoutMs);
    const cmd = info.Config?.Cmd ?? [];
    if (cmd.length === 0) return true;
    if (texts.some((text) => cmd.every((arg) => arg === '' || mentions(text, arg)))) return true;
    // The image's own command: only when a claiming command runs this image without one
    // (`docker run hello-world`), not when it gives its own (`docker run alpine ls`).
    const created = normalizeImageRef(info.Config?.Image ?? event.image ?? '');
    const bare = texts.some((text) =>
      dockerCalls(text).some((call) => {
        const target = runTarget(call);
        return target !== undefined && target.command.length === 0 && normalizeImageRef(target.image) === created;
      }),
    );
    if (!bare) return false;
    const image = await callWithDeadline(() => docker.getImage(info.Image).inspect(), timeoutMs);
    return JSON.stringify(image.Config?.Cmd ?? []) === JSON.stringify(cmd);
  } catch {
    return false;
  }
}

/**
 * What a mention may not continue into. `name`: container and volume names and command words,
 * for which a path is a longer word (`/data` does not name the volume `data`). `image`: image
 * refs, whose last part follows a `/` (`cl-lab-hello` in `localhost:5000/cl-lab-hello:v1`).
 */
const WORD_CHARS = { name: /[A-Za-z0-9_.\-/]/, image: /[A-Za-z0-9_.-]/ } as const;
export type Mention = keyof typeof WORD_CHARS;

/**
 * Whether `word` appears in `text` as a whole word, not as part of a longer one: the container
 * `web` is not mentioned by `--name cl-lab-web`, nor the argument `1` by `sleep 10`, nor the
 * volume `data` by `-v cl-lab-data:/data` (another program's `web`, `sleep 1` or `data` must not
 * be taken for the lab's). The image `alpine` is in `alpine:3.19`.
 */
export function mentions(text: string, word: string, kind: Mention = 'name'): boolean {
  if (!word) return false;
  const wordChar = WORD_CHARS[kind];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text.charAt(at - 1) : '';
    const after = text.charAt(at + word.length);
    if (!wordChar.test(before) && !wordChar.test(after)) return true;
  }
  return false;
}

/**
 * Whether a container name is one the engine made up (`docker run` without `--name`):
 * Docker's generator joins an adjective and a surname, `happy_turing`, with a digit added when
 * that name was taken.
 */
export function isGeneratedName(name: string): boolean {
  return /^[a-z]+_[a-z]+[0-9]?$/.test(name);
}

/** The repository's last path part, without registry, tag or digest: `localhost:5000/a/b:v1` -> `b`. */
function imageBaseName(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0] ?? last;
}

/**
 * Whether an engine event concerns something this lab's commands made: a container or volume
 * whose name appears in the lab's command texts (steps and solutions), an image the lab lists
 * or names, or a container with a generated name (`docker run hello-world`) made from such an
 * image while one of the lab's commands that names it runs (`windows`: the extension opens one
 * for each command it sends to the terminal). A student's own container started while the lab
 * is open, even from the lab's image, is not the lab's: "Clean up this lab" must never offer it.
 */
export function mentionedBy(lab: Lab, windows: CommandWindows, docker?: () => Dockerode): (event: LedgerEvent) => boolean | Promise<boolean> {
  const text = lab.steps
    .flatMap((step) => [...step.commands, ...(step.solution?.commands ?? [])])
    .map((c) => c.run)
    .join('\n');
  const labImages = new Set(lab.images.map((ref) => imageBaseName(ref)));
  const named = (word: string | undefined): boolean => mentions(text, word ?? '');
  const image = (ref: string | undefined): boolean => {
    if (!ref || isImageId(ref)) return false;
    const base = imageBaseName(ref);
    return labImages.has(base) || mentions(text, base, 'image');
  };
  return (event) => {
    if (event.type === 'container') {
      if (named(event.name)) return true;
      return image(event.image) && windows.accepts(event, docker?.());
    }
    if (event.type === 'volume') return named(event.id);
    if (event.type === 'image') return image(imageRefOf(event));
    return false;
  };
}
