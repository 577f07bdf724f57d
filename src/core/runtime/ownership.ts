/**
 * THE ownership rule, enforced here and nowhere else (docs/ownership.md):
 *
 * A container, volume, network or image reference is the lab's only if it was CREATED while
 * one of the lab's commands ran (its own creation, not a `create` event the engine sends
 * again when a container mounts an existing volume) AND
 *   - that command names it exactly: a whole argument of the command's parsed arguments
 *     (`--name X`, `-v X:/d`, `--mount source=X`, `volume create X`, `network create X`,
 *     `tag SRC X`, `build -t X`, `pull X`, `commit C X`, `import F X`), and the lab's own
 *     commands name it so too; or
 *   - the engine made up its name (`docker run hello-world`), and the command that created it
 *     is one of the lab's commands (word for word), run in the lab's terminal, whose arguments
 *     match the container's (image, command, entrypoint, -t, -i, --rm, -e, -l, -p, -v, -w, -u).
 * Anything that existed when the command started is never the lab's, whatever its name.
 * A container the lab owns brings the anonymous volumes the engine created with it.
 *
 * No `vscode` import.
 */
import type Dockerode from 'dockerode';
import type { Lab, PlaceholderValues } from '../model';
import { normalizeImageRef } from '../images';
import { callWithDeadline, isNotFound } from '../engine/errors';
import {
  allValues,
  createdNames,
  dockerCalls,
  emptyNames,
  hasFlag,
  lastValue,
  parseRun,
  sameCall,
  volumeOfSpec,
  type CreatedNames,
  type DockerCall,
  type RunCall,
} from '../labs/dockerCommands';
import { fillCommand } from '../labs/placeholders';
import type { Disposable } from '../events';
import type { LedgerEntry, OwnedKind } from '../ledger';

/** The part of an engine event the ownership rule reads (EngineEvents' events have this shape). */
export interface OwnershipEvent {
  type: string;
  action: string;
  /** Container id, volume name, network id, image id (tag) or reference (pull). */
  id: string;
  /** Container, network or image name attribute. */
  name?: string;
}

/** How a lab command came to run: sent by the runtime (the extension's Run button, the CLI's shell), or typed by the student in the lab's terminal. */
export type CommandSource = 'sent' | 'typed';

// ---------------------------------------------------------------------------------------------
// What the lab's own commands may create

/** What a lab's commands (steps and solutions, placeholders filled) create by name, and their unnamed runs. */
export class LabClaims {
  readonly names: CreatedNames;
  /** `run`/`create` calls without `--name`, as the lab writes them. */
  readonly unnamedRuns: DockerCall[];

  constructor(texts: readonly string[]) {
    this.names = emptyNames();
    this.unnamedRuns = [];
    for (const text of texts) {
      for (const call of dockerCalls(text)) {
        const made = createdNames(call);
        this.names.containers.push(...made.containers);
        this.names.volumes.push(...made.volumes);
        this.names.networks.push(...made.networks);
        this.names.images.push(...made.images.map(normalizeImageRef));
        if ((call.verb === 'run' || call.verb === 'create') && parseRun(call.args)?.name === undefined) this.unnamedRuns.push(call);
      }
    }
  }

  /** Every command of the lab (steps and solutions) with its placeholders filled; one that cannot be filled names nothing. */
  static of(lab: Lab, placeholders: PlaceholderValues): LabClaims {
    const texts: string[] = [];
    for (const step of lab.steps) {
      for (const command of [...step.commands, ...(step.solution?.commands ?? [])]) {
        try {
          texts.push(fillCommand(command.run, placeholders));
        } catch {
          // A command whose placeholders cannot be filled never runs, so it creates nothing.
        }
      }
    }
    return new LabClaims(texts);
  }

  /** Keeps of `made` only what the lab's own commands name too. */
  restrict(made: CreatedNames): CreatedNames {
    return {
      containers: made.containers.filter((n) => this.names.containers.includes(n)),
      volumes: made.volumes.filter((n) => this.names.volumes.includes(n)),
      networks: made.networks.filter((n) => this.names.networks.includes(n)),
      images: made.images.map(normalizeImageRef).filter((n) => this.names.images.includes(n)),
    };
  }

  /** Whether an unnamed run is, word for word, one of the lab's. */
  hasUnnamedRun(call: DockerCall): boolean {
    return this.unnamedRuns.some((own) => sameCall(own, call));
  }
}

// ---------------------------------------------------------------------------------------------
// The engine facts the rule needs

/** What the rule needs to know about a container (from an inspect). */
export interface ContainerFacts {
  id: string;
  name: string;
  /** Unix ms. */
  created: number;
  /** The image as the client asked for it (Config.Image). */
  image: string;
  imageId: string;
  cmd: string[];
  entrypoint: string[];
  tty: boolean;
  openStdin: boolean;
  autoRemove: boolean;
  env: string[];
  labels: Record<string, string>;
  /** `8888/tcp`, ... */
  ports: string[];
  publishAll: boolean;
  binds: string[];
  /** Destinations declared as volumes (anonymous `-v /d` and the image's VOLUME). */
  volumeDestinations: string[];
  /** Sources of `--mount` volumes. */
  mountSources: string[];
  mounts: Array<{ type: string; name?: string; destination: string }>;
  volumesFrom: string[];
  workdir: string;
  user: string;
  hostname: string;
}

/** A container as the engine's list shows it (no inspect). */
export interface ListedContainer {
  id: string;
  labels: Record<string, string>;
}

/** The engine, as the ownership rule asks it. Every call has a deadline; undefined means "not there". */
export interface EngineLookup {
  container(id: string): Promise<ContainerFacts | undefined>;
  /** The image's own command (what `docker run IMAGE` without arguments runs). */
  imageCmd(image: string): Promise<string[] | undefined>;
  volume(name: string): Promise<{ createdAt: number } | undefined>;
  network(idOrName: string): Promise<{ id: string; name: string; createdAt: number } | undefined>;
  image(ref: string): Promise<{ id: string } | undefined>;
  /** The containers with an engine-made name created since `since` (ms; the engine lists whole seconds), as the engine lists them. */
  unnamedContainersSince(since: number): Promise<ListedContainer[]>;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : typeof value === 'string' ? [value] : [];
}

/**
 * The engine lookups through dockerode, each with its own deadline. A long one: the engine
 * answers an inspect only once a container's start is done, which on a busy machine takes
 * seconds, and a decision given up is a thing of the lab's left behind.
 */
export function dockerLookup(docker: Dockerode, timeoutMs = 30_000): EngineLookup {
  const orNothing = async <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    try {
      return await callWithDeadline(call, timeoutMs);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return {
    async container(id) {
      const info = await orNothing((signal) => docker.getContainer(id).inspect({ abortSignal: signal }));
      if (!info) return undefined;
      const host = info.HostConfig as Dockerode.HostConfig & { Mounts?: Array<{ Type?: string; Source?: string }> };
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        created: Date.parse(info.Created),
        image: info.Config.Image,
        imageId: info.Image,
        cmd: strings(info.Config.Cmd),
        entrypoint: strings(info.Config.Entrypoint),
        tty: info.Config.Tty,
        openStdin: info.Config.OpenStdin,
        autoRemove: host.AutoRemove === true,
        env: strings(info.Config.Env),
        labels: info.Config.Labels ?? {},
        ports: Object.keys((host.PortBindings ?? {}) as Record<string, unknown>),
        publishAll: host.PublishAllPorts === true,
        binds: strings(host.Binds),
        volumeDestinations: Object.keys(info.Config.Volumes ?? {}),
        mountSources: (host.Mounts ?? []).filter((m) => (m.Type ?? 'volume') === 'volume' && m.Source).map((m) => m.Source ?? ''),
        mounts: (info.Mounts ?? []).map((m) => ({ type: m.Type, destination: m.Destination, ...(m.Name ? { name: m.Name } : {}) })),
        volumesFrom: strings(host.VolumesFrom),
        workdir: info.Config.WorkingDir ?? '',
        user: info.Config.User ?? '',
        hostname: info.Config.Hostname ?? '',
      };
    },
    async imageCmd(image) {
      // dockerode's image inspect takes no signal; the deadline still bounds the wait.
      const info = await orNothing(() => docker.getImage(image).inspect());
      return info ? strings(info.Config?.Cmd) : undefined;
    },
    async volume(name) {
      const info = await orNothing(() => docker.getVolume(name).inspect() as Promise<Dockerode.VolumeInspectInfo & { CreatedAt?: string }>);
      if (!info) return undefined;
      const createdAt = info.CreatedAt ? Date.parse(info.CreatedAt) : NaN;
      return { createdAt: Number.isFinite(createdAt) ? createdAt : 0 };
    },
    async network(idOrName) {
      const info = await orNothing(() => docker.getNetwork(idOrName).inspect() as Promise<{ Id: string; Name: string; Created?: string }>);
      if (!info) return undefined;
      const createdAt = info.Created ? Date.parse(info.Created) : NaN;
      return { id: info.Id, name: info.Name, createdAt: Number.isFinite(createdAt) ? createdAt : 0 };
    },
    async image(ref) {
      const info = await orNothing(() => docker.getImage(ref).inspect());
      return info ? { id: info.Id } : undefined;
    },
    async unnamedContainersSince(since) {
      const list = await callWithDeadline((signal) => docker.listContainers({ all: true, abortSignal: signal }), timeoutMs);
      const fromSecond = Math.floor(since / 1000);
      return list
        .filter((c) => c.Created >= fromSecond && isGeneratedName((c.Names[0] ?? '').replace(/^\//, '')))
        .map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Command windows: which lab commands are running (or ended a moment ago)

/**
 * An unnamed `docker run` of a command (identical ones grouped): it makes `expected`
 * containers. When more containers than that match it while the command runs, another
 * program ran the same command at the same moment and nothing tells them apart: none of them
 * is taken for the lab's (the lab's own is left in place, never someone else's removed).
 */
interface UnnamedRun {
  call: DockerCall;
  run: RunCall;
  expected: number;
  /** Ids of the containers that matched so far. */
  matches: string[];
  ambiguous: boolean;
}

/** One lab command while it runs, and a moment after (its events arrive a little late). */
export class CommandWindow {
  readonly startedAt: number;
  endedAt: number | undefined;
  /** What the command creates by name, and the lab's commands name too. */
  readonly creates: CreatedNames;
  readonly unnamedRuns: UnnamedRun[];
  /** What already existed when it started: never the lab's. */
  readonly existed = { volumes: new Set<string>(), networks: new Set<string>(), images: new Set<string>() };
  /** Resolves when `existed` is filled (the runner and the extension wait for it before running the command). */
  readonly ready: Promise<void>;

  /**
   * `lateMs`: how long before `now` the command may really have started. Shell integration
   * reports a typed command's start through the workbench, often after the engine's first
   * events of it (0.5 s on an idle machine here); such a window starts that much earlier, and
   * its snapshot counts only what was made before that as existing.
   */
  constructor(
    readonly text: string,
    readonly source: CommandSource,
    claims: LabClaims,
    lookup: EngineLookup | undefined,
    now: number,
    readonly lateMs = 0,
  ) {
    this.startedAt = now - lateMs;
    const calls = dockerCalls(text);
    const made = emptyNames();
    for (const call of calls) {
      const c = createdNames(call);
      made.containers.push(...c.containers);
      made.volumes.push(...c.volumes);
      made.networks.push(...c.networks);
      made.images.push(...c.images);
    }
    this.creates = claims.restrict(made);
    this.unnamedRuns = [];
    for (const call of calls) {
      if (call.verb !== 'run' && call.verb !== 'create') continue;
      const run = parseRun(call.args);
      if (!run || run.name !== undefined) continue;
      // Typed in the terminal: only the lab's own command, word for word, may claim a container it cannot name.
      if (source === 'typed' && !claims.hasUnnamedRun(call)) continue;
      const same = this.unnamedRuns.find((r) => sameCall(r.call, call));
      if (same) same.expected += 1;
      else this.unnamedRuns.push({ call, run, expected: 1, matches: [], ambiguous: false });
    }
    this.ready = lookup ? this.snapshot(lookup) : Promise.resolve();
  }

  /** Whether an event that arrives at `at` falls in this window (while it runs, or within `tailMs` after). */
  covers(at: number, tailMs: number): boolean {
    return at >= this.startedAt && (this.endedAt === undefined || at <= this.endedAt + tailMs);
  }

  private async snapshot(lookup: EngineLookup): Promise<void> {
    /** Found, and (in a late window) made before the window started: a volume or network made since is the command's. */
    const existed = (found: { createdAt?: number } | undefined): boolean => found !== undefined && (this.lateMs === 0 || found.createdAt === undefined || !createdInside(found.createdAt, this));
    const look = async (names: string[], find: (name: string) => Promise<{ createdAt?: number } | undefined>, into: Set<string>): Promise<void> => {
      await Promise.all(
        names.map(async (name) => {
          try {
            if (existed(await find(name))) into.add(name);
          } catch {
            // The engine did not answer: count it as existing, so nothing of the user's is taken.
            into.add(name);
          }
        }),
      );
    };
    await Promise.all([
      look(this.creates.volumes, (n) => lookup.volume(n), this.existed.volumes),
      look(this.creates.networks, (n) => lookup.network(n), this.existed.networks),
      // An image has no time it was tagged: found means it existed, late or not (the safe side).
      look(this.creates.images, async (n) => ((await lookup.image(n)) ? {} : undefined), this.existed.images),
    ]);
  }
}

export interface CommandWindowsOptions {
  /** How long after its end a command's events still count, default 1500 ms. */
  tailMs?: number;
  /** A window closes by itself this long after it opened (a command whose end is never reported), default 120 000 ms. */
  maxMs?: number;
  now?: () => number;
}

/** The windows of one lab's commands. */
export class CommandWindows {
  private readonly windows: CommandWindow[] = [];
  /** How long after its end a command's events still count. */
  readonly tailMs: number;
  private readonly maxMs: number;
  readonly now: () => number;

  constructor(opts: CommandWindowsOptions = {}) {
    this.tailMs = opts.tailMs ?? 1500;
    this.maxMs = opts.maxMs ?? 120_000;
    this.now = opts.now ?? Date.now;
  }

  private readonly openedListeners = new Set<(window: CommandWindow) => void>();
  private readonly endedListeners = new Set<(window: CommandWindow) => void>();

  /** Called with each window as it opens (the recorder replays a late window's earlier events). */
  onDidOpen(listener: (window: CommandWindow) => void): Disposable {
    this.openedListeners.add(listener);
    return { dispose: () => this.openedListeners.delete(listener) };
  }

  /** Called with each window once its command ended (the recorder looks up what no event announced). */
  onDidEnd(listener: (window: CommandWindow) => void): Disposable {
    this.endedListeners.add(listener);
    return { dispose: () => this.endedListeners.delete(listener) };
  }

  /**
   * Opens a window for a command; `end()` closes it (after the tail). `lateMs`: the command
   * may have started that long ago (a typed command, reported by shell integration after the fact).
   */
  begin(text: string, source: CommandSource, claims: LabClaims, lookup?: EngineLookup, lateMs = 0): { window: CommandWindow; end: () => void } {
    const window = new CommandWindow(text, source, claims, lookup, this.now(), lateMs);
    this.windows.push(window);
    for (const listener of this.openedListeners) listener(window);
    const end = (): void => {
      if (window.endedAt !== undefined) return;
      window.endedAt = this.now();
      for (const listener of this.endedListeners) listener(window);
    };
    const cap = setTimeout(end, this.maxMs);
    cap.unref?.();
    return {
      window,
      end: () => {
        clearTimeout(cap);
        end();
      },
    };
  }

  /** The windows an event arriving now falls in (old ones are dropped). */
  active(at = this.now()): CommandWindow[] {
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const w = this.windows[i];
      if (w && w.endedAt !== undefined && at > w.endedAt + this.tailMs) this.windows.splice(i, 1);
    }
    return this.windows.filter((w) => w.covers(at, this.tailMs));
  }

  /** Whether any command is running (or ended within the tail). */
  get open(): boolean {
    return this.active().length > 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The decision

/** Docker's generated names: an adjective and a surname, `happy_turing`, a digit added on a clash. */
export function isGeneratedName(name: string): boolean {
  return /^[a-z]+_[a-z]+[0-9]?$/.test(name);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `[ip:][host:]container[/proto]` -> `container/proto`; undefined for a range. */
function containerPortOf(spec: string): string | undefined {
  const [ports = '', proto = 'tcp'] = spec.split('/');
  const container = ports.split(':').pop() ?? '';
  return /^\d+$/.test(container) ? `${container}/${proto}` : undefined;
}

/**
 * Whether a container is what this `docker run`/`create` (without `--name`) made: the same
 * image, command and every option the container's configuration shows.
 */
export async function runMatches(run: RunCall, c: ContainerFacts, lookup: EngineLookup): Promise<boolean> {
  if (normalizeImageRef(c.image) !== normalizeImageRef(run.image)) return false;
  const entrypoint = lastValue(run.options, 'entrypoint');
  if (entrypoint !== undefined && !sameList(c.entrypoint, entrypoint === '' ? [] : [entrypoint])) return false;
  if (c.tty !== hasFlag(run.options, 'tty')) return false;
  if (c.openStdin !== hasFlag(run.options, 'interactive')) return false;
  if (c.autoRemove !== hasFlag(run.options, 'rm')) return false;
  for (const env of allValues(run.options, 'env')) {
    if (env.includes('=') && !c.env.includes(env)) return false;
  }
  if (!labelsMatch(run, c.labels)) return false;
  for (const spec of allValues(run.options, 'publish')) {
    const port = containerPortOf(spec);
    if (port !== undefined && !c.ports.includes(port)) return false;
  }
  if (hasFlag(run.options, 'publish-all') !== c.publishAll) return false;
  for (const spec of allValues(run.options, 'volume')) {
    const parts = spec.split(':');
    if (parts.length === 1) {
      if (!c.volumeDestinations.includes(spec)) return false;
    } else if (!c.binds.some((b) => b.split(':')[1] === parts[1])) {
      return false;
    }
  }
  for (const [flag, have] of [['workdir', c.workdir], ['user', c.user], ['hostname', c.hostname]] as const) {
    const want = lastValue(run.options, flag);
    if (want !== undefined && want !== have) return false;
  }
  if (run.command.length > 0) return sameList(c.cmd, run.command);
  if (entrypoint !== undefined) return c.cmd.length === 0;
  // No command given: the container runs the image's own.
  const own = await lookup.imageCmd(c.imageId);
  return own !== undefined && sameList(c.cmd, own);
}

/** How long before its container an anonymous volume of it may have been made (Podman makes it first). */
const ANONYMOUS_VOLUME_SLACK_MS = 5000;

/**
 * The anonymous volumes made for a container the lab's command `text` created: volume mounts
 * with a generated name that the command did not name (a `-v NAME:/d` of someone else's volume
 * is not the lab's) and did not borrow (`--volumes-from`). Podman lists its anonymous volumes
 * among the binds too (`<id>:/data:rw,...`), so a bind counts as named only when the command's
 * own text names it.
 */
async function anonymousVolumesOf(c: ContainerFacts, lookup: EngineLookup, text: string): Promise<string[]> {
  const named = new Set<string>([...c.binds.map((b) => volumeOfSpec(b) ?? '').filter((v) => text.includes(v)), ...c.mountSources].filter(Boolean));
  const borrowed = new Set<string>();
  for (const other of c.volumesFrom) {
    const source = await lookup.container(other.split(':')[0] ?? other);
    for (const m of source?.mounts ?? []) if (m.name) borrowed.add(m.name);
  }
  const out: string[] = [];
  for (const m of c.mounts) {
    if (m.type !== 'volume' || !m.name || named.has(m.name) || borrowed.has(m.name)) continue;
    if (!/^[0-9a-f]{64}$/.test(m.name)) continue;
    const volume = await lookup.volume(m.name);
    // Made for this container: Docker keeps whole seconds for a volume, and Podman makes the
    // volume before the container (its CreatedAt can fall in the second before).
    if (volume && volume.createdAt >= Math.floor(c.created / 1000) * 1000 - ANONYMOUS_VOLUME_SLACK_MS) out.push(m.name);
  }
  return out;
}

/**
 * Whether a volume or network may have been created inside the window. For a volume this is a
 * weak test only: its CreatedAt is its folder's modification time, which a mount moves too;
 * what decides is that the name did not exist when the command started (`existed`).
 */
function createdInside(createdAt: number, window: CommandWindow): boolean {
  return createdAt >= Math.floor(window.startedAt / 1000) * 1000;
}

/**
 * The ownership rule for one engine event: the ledger entries it makes (none when what it
 * concerns is not the lab's). Only creations count: container `create`, volume `create`,
 * network `create`, image `tag` and `pull`.
 */
export interface Judgement {
  /** What becomes the lab's. */
  add: LedgerEntry[];
  /** Containers taken for the lab's a moment ago that turn out ambiguous: not the lab's after all (nor what came with them). */
  withdraw: string[];
}

export async function judgeEvent(event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup, facts: { at: number; volumeFirstSeen?: number }): Promise<Judgement> {
  if (windows.length === 0 || !event.id) return { add: [], withdraw: [] };
  const key = `${event.type} ${event.action}`;
  const judge = Object.hasOwn(JUDGES, key) ? JUDGES[key] : undefined;
  return judge ? judge(event, windows, lookup, facts) : { add: [], withdraw: [] };
}

type Judge = (event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup, facts: { at: number; volumeFirstSeen?: number }) => Promise<Judgement>;

const added = (entries: Promise<LedgerEntry[]>): Promise<Judgement> => entries.then((add) => ({ add, withdraw: [] }));

/** The events that can make a ledger entry, by "type action", and who judges each. */
const JUDGES: Readonly<Record<string, Judge>> = {
  'container create': (event, windows, lookup) => judgeContainer(event, windows, lookup),
  'volume create': (event, windows, lookup, facts) => added(judgeVolume(event.id, windows, lookup, facts.volumeFirstSeen ?? facts.at)),
  'network create': (event, windows, lookup) => added(judgeNetwork(event, windows, lookup)),
  'image tag': (event, windows, lookup, facts) => added(judgeImage(event, windows, lookup, facts.at)),
  'image pull': (event, windows, lookup, facts) => added(judgeImage(event, windows, lookup, facts.at)),
  // Podman: a build's only event; it names the image id, not the reference.
  'image build': (event, windows, lookup, facts) => added(judgeBuild(event, windows, lookup, facts.at)),
};

/** Whether a kind of event could ever make a ledger entry (the cheap test before anything else). */
export function isCreation(event: OwnershipEvent): boolean {
  return Object.hasOwn(JUDGES, `${event.type} ${event.action}`);
}

async function judgeContainer(event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup): Promise<Judgement> {
  const none: Judgement = { add: [], withdraw: [] };
  const name = (event.name ?? '').replace(/^\//, '');
  let window = windows.find((w) => name !== '' && w.creates.containers.includes(name));
  let via: LedgerEntry['via'] = 'named';
  let facts: ContainerFacts | undefined;
  let claimed: UnnamedRun | undefined;
  if (!window) {
    if (!isGeneratedName(name)) return none;
    const candidates = windows.filter((w) => w.unnamedRuns.some((r) => !r.ambiguous));
    if (candidates.length === 0) return none;
    facts = await lookup.container(event.id);
    if (!facts) return none;
    const id = facts.id;
    for (const w of candidates) {
      for (const r of w.unnamedRuns) {
        if (r.ambiguous || !(await runMatches(r.run, facts, lookup))) continue;
        if (r.ambiguous || r.matches.includes(id)) return none;
        r.matches.push(id);
        if (r.matches.length > r.expected) {
          // Another program ran the same command at the same moment: none of them is known to be the lab's.
          r.ambiguous = true;
          return { add: [], withdraw: [...r.matches] };
        }
        window = w;
        claimed = r;
        break;
      }
      if (window) break;
    }
    if (!window) return none;
    via = 'generated';
  }
  facts ??= await lookup.container(event.id);
  // Gone already (`--rm`): nothing is left to clean up.
  if (!facts) return none;
  const entries: LedgerEntry[] = [{ kind: 'container', id: facts.id, name: facts.name, createdAt: facts.created, command: window.text, via }];
  for (const volume of await anonymousVolumesOf(facts, lookup, window.text)) {
    const info = await lookup.volume(volume);
    entries.push({ kind: 'volume', id: volume, name: volume, createdAt: info?.createdAt ?? facts.created, command: window.text, via: 'with-container', container: facts.id });
  }
  // Found ambiguous while we looked at its volumes.
  if (claimed?.ambiguous) return none;
  return { add: entries, withdraw: [] };
}

/**
 * Volume `create` events seen while the lab was being watched: the engine sends one on every
 * mount of an existing volume too, so only the first one of a name can be its creation.
 */
export class VolumeHistory {
  private readonly first = new Map<string, number>();

  constructor(private readonly max = 10_000) {}

  /** Notes a volume `create` event arriving at `at`; returns when the first one of that name arrived. */
  note(name: string, at: number): number {
    const known = this.first.get(name);
    if (known !== undefined) return known;
    if (this.first.size >= this.max) {
      const oldest = this.first.keys().next().value;
      if (oldest !== undefined) this.first.delete(oldest);
    }
    this.first.set(name, at);
    return at;
  }

  /** Forgets a volume that was removed (a new one of the same name is a new creation). */
  forget(name: string): void {
    this.first.delete(name);
  }
}

async function judgeVolume(name: string, windows: readonly CommandWindow[], lookup: EngineLookup, firstSeen: number): Promise<LedgerEntry[]> {
  const window = windows.find((w) => w.creates.volumes.includes(name) && !w.existed.volumes.has(name));
  if (!window) return [];
  // Seen created before this command started: this event is a mount, not a creation.
  if (firstSeen < window.startedAt) return [];
  await window.ready;
  if (window.existed.volumes.has(name)) return [];
  const info = await lookup.volume(name);
  if (!info || !createdInside(info.createdAt, window)) return [];
  return [{ kind: 'volume', id: name, name, createdAt: info.createdAt, command: window.text, via: 'named' }];
}

async function judgeNetwork(event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup): Promise<LedgerEntry[]> {
  const name = event.name ?? '';
  const window = windows.find((w) => name !== '' && w.creates.networks.includes(name));
  return window ? networkOfWindow(name, event.id, window, lookup) : [];
}

/**
 * The network `name` (looked up by `idOrName`) is the window's when it did not exist as the
 * command started and was created inside the window.
 */
async function networkOfWindow(name: string, idOrName: string, window: CommandWindow, lookup: EngineLookup): Promise<LedgerEntry[]> {
  await window.ready;
  if (window.existed.networks.has(name)) return [];
  const info = await lookup.network(idOrName);
  if (!info || info.name !== name || !createdInside(info.createdAt, window)) return [];
  return [{ kind: 'network', id: info.id, name, createdAt: info.createdAt, command: window.text, via: 'named' }];
}

/**
 * When a command ends, the engine's own list says how many containers match each of its
 * unnamed runs. Events alone can miss one: on a busy engine an event may come after the
 * window's tail, or its container's inspect may not answer in time, and then another program's
 * identical container made at the same moment would go uncounted (and the lab's, or worse
 * theirs, be taken). A run with more matches than it makes is ambiguous: returns the
 * containers to withdraw (none of them is the lab's).
 */
export async function ambiguousOfEndedWindow(window: CommandWindow, lookup: EngineLookup, tailMs: number): Promise<string[]> {
  const runs = window.unnamedRuns.filter((r) => !r.ambiguous);
  if (runs.length === 0) return [];
  // Made while the command ran (or in its tail). From the whole second the window started in:
  // an engine may keep creation times in whole seconds (the safe side: an identical container
  // made in that second before the window makes the run ambiguous, and the lab's own is left).
  const from = Math.floor(window.startedAt / 1000) * 1000;
  const to = (window.endedAt ?? Date.now()) + tailMs;
  const listed = await lookup.unnamedContainersSince(from);
  const withdraw: string[] = [];
  for (const r of runs) {
    // Even before the run's own container was judged (its event still on its way), two listed
    // twins make it ambiguous: the late event then finds it so, and takes nothing.
    // What the list already rules out (another label) is not inspected: on a busy engine most
    // of the list is other programs' containers, some being removed. (Not the image: Podman
    // lists `localhost/NAME:TAG` for a run's `NAME:TAG`; runMatches compares the inspected one.)
    const candidates = listed.filter((c) => !r.matches.includes(c.id) && labelsMatch(r.run, c.labels));
    const looked = await Promise.allSettled(candidates.map((c) => lookup.container(c.id)));
    const matching = new Set(r.matches);
    // A candidate the engine listed but did not describe (an error, not "gone") may be a twin: the safe side is to count it.
    let unknown = 0;
    for (const l of looked) {
      if (l.status === 'rejected') unknown += 1;
      else if (l.value !== undefined && l.value.created >= from && l.value.created <= to && (await runMatches(r.run, l.value, lookup))) matching.add(l.value.id);
    }
    if (matching.size + unknown <= r.expected || r.ambiguous) continue;
    r.ambiguous = true;
    // Only what this run took is withdrawn (the others were never the lab's through it).
    withdraw.push(...r.matches);
  }
  return withdraw;
}

/** Whether a container carries every label the run's `--label` options set. */
function labelsMatch(run: RunCall, labels: Record<string, string>): boolean {
  for (const label of allValues(run.options, 'label')) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    if (labels[key] !== (eq < 0 ? '' : label.slice(eq + 1))) return false;
  }
  return true;
}

/**
 * Once a command ended, the volumes it names and created, looked up by name: on a busy engine
 * (Podman under load here) a volume's `create` event can come after the window's tail, and
 * then no event would record it. A volume that existed as the command started is never taken.
 */
export async function volumesOfEndedWindow(window: CommandWindow, lookup: EngineLookup): Promise<LedgerEntry[]> {
  await window.ready;
  const found = await Promise.all(
    window.creates.volumes
      .filter((name) => !window.existed.volumes.has(name))
      .map(async (name): Promise<LedgerEntry[]> => {
        const info = await lookup.volume(name);
        if (!info || !createdInside(info.createdAt, window)) return [];
        return [{ kind: 'volume', id: name, name, createdAt: info.createdAt, command: window.text, via: 'named' }];
      }),
  );
  return found.flat();
}

/**
 * Once a command ended, the networks it names and created, looked up by name: Podman 4.3
 * sends no network events, so no event would ever announce them (on Docker the event's entry
 * is already in the ledger, and this finds the same one).
 */
export async function networksOfEndedWindow(window: CommandWindow, lookup: EngineLookup): Promise<LedgerEntry[]> {
  const found = await Promise.all(window.creates.networks.map((name) => networkOfWindow(name, name, window, lookup)));
  return found.flat();
}

async function judgeImage(event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup, at: number): Promise<LedgerEntry[]> {
  // A tag event names the new reference; a pull event's id is the reference it pulled.
  const raw = event.action === 'tag' ? event.name : event.id;
  if (!raw || /^(sha256:)?[0-9a-f]{64}$/.test(raw)) return [];
  const ref = normalizeImageRef(raw);
  const window = windows.find((w) => w.creates.images.includes(ref));
  if (!window) return [];
  await window.ready;
  if (window.existed.images.has(ref)) return [];
  const info = await lookup.image(ref);
  if (!info) return [];
  return [{ kind: 'image', id: ref, name: ref, createdAt: at, command: window.text, via: 'named', imageId: info.id }];
}

/**
 * Podman tags a built image without a tag event: its build event carries only the image id. The
 * references the windows' builds name that now point at that image are the ones it made.
 */
async function judgeBuild(event: OwnershipEvent, windows: readonly CommandWindow[], lookup: EngineLookup, at: number): Promise<LedgerEntry[]> {
  const built = event.id.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(built)) return [];
  const entries: LedgerEntry[] = [];
  for (const window of windows) {
    if (window.creates.images.length === 0) continue;
    await window.ready;
    for (const ref of window.creates.images) {
      if (window.existed.images.has(ref) || entries.some((e) => e.id === ref)) continue;
      const info = await lookup.image(ref);
      if (!info || info.id.replace(/^sha256:/, '') !== built) continue;
      entries.push({ kind: 'image', id: ref, name: ref, createdAt: at, command: window.text, via: 'named', imageId: info.id });
    }
  }
  return entries;
}

/** The kinds of ledger entries, in the order clean-up removes them (containers free their volumes and networks). */
export const REMOVAL_ORDER: readonly OwnedKind[] = ['container', 'volume', 'network', 'image'];
