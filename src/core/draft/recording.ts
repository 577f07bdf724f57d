/**
 * Records a lab by doing it: each command the instructor runs (its text and exit code, from
 * shell integration or a real shell) is watched through the engine's events, and what it
 * touched is inspected once it ended. The result is plain facts per command (`RecordedCommand`)
 * that `draft.ts` turns into a lab. No `vscode` import.
 *
 * What a command created is decided by the ownership rule (runtime/ownership.ts): the
 * recording keeps its own ledger, so "Test this lab" can first remove exactly what the
 * recording made (runtime/cleanup.ts) and nothing of anyone else's, even on a busy engine.
 */
import type Dockerode from 'dockerode';
import type { EngineEvent } from '../checks/events';
import { probeHttp } from '../checks/http';
import { callWithDeadline, isNotFound } from '../engine/errors';
import { dockerState } from '../engine/states';
import type { Disposable, Event } from '../events';
import { normalizeImageRef } from '../images';
import { allValues, createdNames, dockerCalls, parseRun, type DockerCall } from '../labs/dockerCommands';
import { ResourceLedger } from '../ledger';
import { CommandWindows, dockerLookup, isGeneratedName, LabClaims, type EngineLookup } from '../runtime/ownership';
import { OwnershipRecorder } from '../runtime/recorder';
import { planCleanup, runCleanup, type CleanupReport } from '../runtime/cleanup';

export type ContainerStateName = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

export interface RecordedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostPort?: number;
  /** The HTTP status the port answered with on the host, when it answered HTTP. */
  httpStatus?: number;
}

export interface RecordedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name; none for an anonymous volume or tmpfs. */
  source?: string;
  destination: string;
  readOnly: boolean;
}

/** A container the command created, as it was once the command ended. */
export interface RecordedContainer {
  id: string;
  /** The name the command gave it (`--name`); undefined when the engine made one up. */
  name?: string;
  /** The image as the command named it. */
  image: string;
  /** The container's command words as the command gave them (empty: the image's own). */
  command: string[];
  /** undefined: it is gone already (`--rm`). */
  state?: ContainerStateName;
  exitCode?: number;
  ports: RecordedPort[];
  mounts: RecordedMount[];
  /** Names of the environment variables the command set (never their values). */
  envNames: string[];
  /** The user-made networks it is connected to (not the engine's own bridge, host or none). */
  networks: string[];
}

/** What one command did, as the engine showed it. */
export interface RecordedCommand {
  text: string;
  exitCode?: number;
  startedAt: number;
  endedAt: number;
  /** Engine events in its window that concern what it names or created. */
  events: number;
  containers: RecordedContainer[];
  /** Existing containers it named whose state it changed (start, stop, restart, kill...). */
  changed: Array<{ name: string; state: ContainerStateName; exitCode?: number }>;
  /** Image references it made (tag, pull, build, commit, import) that are there now. */
  images: string[];
  /** Volumes it created (or named and made) that are there now. */
  volumes: string[];
  networks: string[];
  /** What it named that existed before it and is gone now. */
  removed: { containers: string[]; images: string[]; volumes: string[]; networks: string[] };
  /** The images of its `run`/`create` calls (the lab needs them). */
  usedImages: string[];
}

export interface RecordingOptions {
  docker: Dockerode;
  /** The engine's event stream (the caller starts it). */
  events: Event<EngineEvent>;
  labId: string;
  /** Where published ports answer (default localhost). */
  publishedHost?: string;
  /** How long after its end a command's events still count, default 1500 ms. */
  tailMs?: number;
  /** How long a published port may take to answer HTTP after the command ended, default 5000 ms. */
  httpWaitMs?: number;
  now?: () => number;
  /** Called when the engine could not answer whether an event was the recording's: that thing is not recorded. */
  onError?: (error: unknown) => void;
}

/** One command while it runs: `ready` before running it, `end` once it ended. */
export interface RecordingCommand {
  readonly ready: Promise<void>;
  end(exitCode: number | undefined): Promise<RecordedCommand>;
}

const STATE_VERBS = new Set(['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'container start', 'container stop']);

/** The words of a call that are not options (and not an option's value, for the short list of verbs read here). */
function positionals(call: DockerCall): string[] {
  const out: string[] = [];
  const withValue = new Set(['-t', '--time', '-s', '--signal']);
  for (let i = 0; i < call.args.length; i++) {
    const a = call.args[i] ?? '';
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-')) out.push(a);
  }
  return out;
}

/**
 * How long before shell integration reports a command the shell may have started it: in the
 * extension the report comes through the workbench, after the engine's first events of the
 * command (0.5 s on an idle machine here). The command's window opens that much earlier, and
 * the events that arrived since then count as seen by it.
 */
const REPORTED_LATE_MS = 5000;

/** How long a recording waits for the engine's events of what a command made (see caughtUp). */
const EVENT_LAG_MS = 15_000;

/** The networks every engine has (Podman names its bridge "podman"): not a lab's. */
const ENGINE_NETWORKS = new Set(['bridge', 'host', 'none', 'podman']);

function kindOfRemoval(verb: string): keyof RecordedCommand['removed'] | undefined {
  if (verb === 'rm' || verb === 'container rm') return 'containers';
  if (verb === 'rmi' || verb === 'image rm') return 'images';
  if (verb === 'volume rm') return 'volumes';
  if (verb === 'network rm') return 'networks';
  return undefined;
}

function isStateName(value: string): value is ContainerStateName {
  return ['created', 'running', 'paused', 'restarting', 'exited', 'dead'].includes(value);
}

export class LabRecording implements Disposable {
  /** What the recording created (the ownership rule's decisions): "Test this lab" removes these first. */
  readonly ledger: ResourceLedger;
  readonly commands: RecordedCommand[] = [];
  private readonly windows: CommandWindows;
  private readonly recorder: OwnershipRecorder;
  private readonly lookup: EngineLookup;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** The events of the last REPORTED_LATE_MS, with when they arrived (a command reported late saw them). */
  private readonly recent: Array<{ event: EngineEvent; at: number }> = [];
  private readonly subscription: Disposable;
  private readonly now: () => number;
  private readonly tailMs: number;

  constructor(private readonly opts: RecordingOptions) {
    this.now = opts.now ?? Date.now;
    this.tailMs = opts.tailMs ?? 1500;
    this.ledger = new ResourceLedger(opts.labId, this.now());
    this.windows = new CommandWindows({ tailMs: this.tailMs, now: this.now });
    this.lookup = dockerLookup(opts.docker);
    this.recorder = new OwnershipRecorder({ ledger: this.ledger, windows: this.windows, lookup: this.lookup, ...(opts.onError ? { onError: opts.onError } : {}) });
    this.recorder.attach(opts.events);
    this.subscription = opts.events((event) => {
      const at = this.now();
      this.recent.push({ event, at });
      while (this.recent[0] !== undefined && this.recent[0].at < at - REPORTED_LATE_MS) this.recent.shift();
      for (const listener of this.listeners) listener(event);
    });
  }

  /**
   * Starts watching a command: run it once `ready` resolves, then call `end` with its exit code.
   * `reported`: the command was reported once it had started (shell integration), so it may
   * have begun up to REPORTED_LATE_MS before; the default is a command about to run.
   */
  begin(text: string, reported = false): RecordingCommand {
    const lateMs = reported ? REPORTED_LATE_MS : 0;
    const startedAt = this.now() - lateMs;
    const calls = dockerCalls(text);
    // The instructor's command is the lab's by definition: it may claim what it names, and an unnamed run it made.
    const { window, end: closeWindow } = this.windows.begin(text, 'sent', new LabClaims([text]), this.lookup, lateMs);
    const seen: EngineEvent[] = this.recent.filter((r) => r.at >= startedAt).map((r) => r.event);
    const listener = (event: EngineEvent): void => {
      seen.push(event);
    };
    this.listeners.add(listener);
    const before = this.existing(calls);
    const ready = Promise.all([window.ready, before]).then(() => undefined);
    return {
      ready,
      end: async (exitCode) => {
        const endedAt = this.now();
        // The window stays open until the events of what the command made have come (the
        // recorder judges an event by when it arrives), then closes with its usual tail.
        await this.caughtUp(text, calls, startedAt);
        closeWindow();
        await new Promise((resolve) => setTimeout(resolve, this.tailMs));
        this.listeners.delete(listener);
        await this.ledger.settled();
        const recorded = await this.inspect(text, calls, exitCode, startedAt, endedAt, seen, await before);
        this.commands.push(recorded);
        return recorded;
      },
    };
  }

  /**
   * Until the ledger holds what the command named and made: the engine's event stream can lag
   * well behind the command on a loaded machine (a recording drafted a named container as an
   * "image" step: its create event came after the window's tail). Whatever the command names
   * that exists now and was made since it started has an event on its way; wait for it, up to
   * EVENT_LAG_MS, with the command's window still open.
   */
  private async caughtUp(text: string, calls: DockerCall[], startedAt: number): Promise<void> {
    const since = startedAt - 1000;
    const expected: Array<{ kind: 'container' | 'volume' | 'network'; name: string }> = [];
    for (const call of calls) {
      const made = createdNames(call);
      for (const name of made.containers) if (((await this.lookup.container(name).catch(() => undefined))?.created ?? 0) >= since) expected.push({ kind: 'container', name });
      for (const name of made.volumes) if (((await this.lookup.volume(name).catch(() => undefined))?.createdAt ?? 0) >= since) expected.push({ kind: 'volume', name });
      for (const name of made.networks) if (((await this.lookup.network(name).catch(() => undefined))?.createdAt ?? 0) >= since) expected.push({ kind: 'network', name });
    }
    // Real time, whatever clock the recording was given.
    const deadline = Date.now() + EVENT_LAG_MS;
    for (;;) {
      await this.ledger.settled();
      // In the ledger as this command's or an earlier one's (a volume the command before made and this one mounts): its event came.
      const entries = this.ledger.list();
      const missing = expected.filter((x) => !entries.some((e) => e.kind === x.kind && e.name === x.name));
      if (missing.length === 0 || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** What the command's removals name that exists now (a removal of something that was not there removes nothing). */
  private async existing(calls: DockerCall[]): Promise<Set<string>> {
    const found = new Set<string>();
    await Promise.all(
      calls.flatMap((call) => {
        const kind = kindOfRemoval(call.verb);
        if (!kind) return [];
        return positionals(call).map(async (name) => {
          if (await this.exists(kind, name)) found.add(`${kind}:${name}`);
        });
      }),
    );
    return found;
  }

  private async exists(kind: keyof RecordedCommand['removed'], name: string): Promise<boolean> {
    try {
      switch (kind) {
        case 'containers':
          return (await this.lookup.container(name)) !== undefined;
        case 'images':
          return (await this.lookup.image(name)) !== undefined;
        case 'volumes':
          return (await this.lookup.volume(name)) !== undefined;
        case 'networks':
          return (await this.lookup.network(name)) !== undefined;
      }
    } catch {
      // The engine did not answer: say it exists, so nothing is reported removed that was not.
      return true;
    }
  }

  private async inspect(text: string, calls: DockerCall[], exitCode: number | undefined, startedAt: number, endedAt: number, seen: EngineEvent[], before: Set<string>): Promise<RecordedCommand> {
    const mine = this.ledger.list().filter((e) => e.command === text && e.createdAt >= startedAt - 1000 && e.createdAt <= endedAt + this.tailMs);
    const recorded: RecordedCommand = {
      text,
      startedAt,
      endedAt,
      events: 0,
      containers: [],
      changed: [],
      images: [],
      volumes: [],
      networks: [],
      removed: { containers: [], images: [], volumes: [], networks: [] },
      usedImages: [],
    };
    if (exitCode !== undefined) recorded.exitCode = exitCode;
    const runs = calls.flatMap((c) => (c.verb === 'run' || c.verb === 'create' ? [parseRun(c.args)] : [])).filter((r) => r !== undefined);
    recorded.usedImages = [...new Set(runs.map((r) => normalizeImageRef(r.image)))];

    const named = new Set<string>();
    for (const call of calls) {
      const made = createdNames(call);
      for (const n of [...made.containers, ...made.volumes, ...made.networks, ...made.images]) named.add(n);
      for (const n of positionals(call)) named.add(n);
    }
    const containerIds = new Set(mine.filter((e) => e.kind === 'container').map((e) => e.id));
    recorded.events = seen.filter((e) => containerIds.has(e.id) || (e.name !== undefined && (named.has(e.name) || named.has(normalizeImageRef(e.name)))) || named.has(e.id)).length;

    for (const entry of mine) {
      if (entry.kind === 'container') {
        const run = runs.find((r) => (r.name !== undefined ? r.name === entry.name : entry.via === 'generated'));
        recorded.containers.push(await this.container(entry.id, entry.name, run?.name !== undefined, run));
      } else if (entry.kind === 'volume' && entry.via === 'named') {
        recorded.volumes.push(entry.name);
      } else if (entry.kind === 'network') {
        recorded.networks.push(entry.name);
      }
    }
    for (const call of calls) {
      const made = createdNames(call);
      for (const ref of made.images) {
        if (!recorded.images.includes(ref) && (await this.lookup.image(ref).catch(() => undefined))) recorded.images.push(ref);
      }
      if (call.verb === 'volume create') {
        for (const v of made.volumes) if (!recorded.volumes.includes(v) && (await this.lookup.volume(v).catch(() => undefined))) recorded.volumes.push(v);
      }
      if (call.verb === 'network create') {
        for (const n of made.networks) if (!recorded.networks.includes(n) && (await this.lookup.network(n).catch(() => undefined))) recorded.networks.push(n);
      }
      const kind = kindOfRemoval(call.verb);
      if (kind) {
        for (const name of positionals(call)) {
          // Existed when the recording looked (in the extension that is just after the command started), or its removal was seen.
          const destroyed = seen.some((e) => e.action === 'destroy' && ((kind === 'containers' && e.type === 'container' && e.name === name) || (kind === 'volumes' && e.type === 'volume' && e.id === name) || (kind === 'networks' && e.type === 'network' && e.name === name)));
          if ((before.has(`${kind}:${name}`) || destroyed) && !(await this.exists(kind, name))) recorded.removed[kind].push(name);
        }
      }
      if (STATE_VERBS.has(call.verb)) {
        for (const name of positionals(call)) {
          if (isGeneratedName(name)) continue;
          const state = await this.containerState(name);
          if (state) recorded.changed.push({ name, ...state });
        }
      }
    }
    return recorded;
  }

  private async containerState(id: string): Promise<{ state: ContainerStateName; exitCode?: number } | undefined> {
    try {
      const info = await callWithDeadline((signal) => this.opts.docker.getContainer(id).inspect({ abortSignal: signal }), 15_000);
      const status = dockerState(info.State.Status);
      if (!isStateName(status)) return undefined;
      return status === 'exited' ? { state: status, exitCode: info.State.ExitCode } : { state: status };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async container(id: string, name: string, named: boolean, run: ReturnType<typeof parseRun>): Promise<RecordedContainer> {
    const out: RecordedContainer = { id, image: run?.image ?? '', command: run?.command ?? [], ports: [], mounts: [], envNames: [], networks: [] };
    if (named) out.name = name;
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await callWithDeadline((signal) => this.opts.docker.getContainer(id).inspect({ abortSignal: signal }), 15_000);
    } catch (error) {
      if (isNotFound(error)) return out;
      throw error;
    }
    if (!out.image) out.image = info.Config.Image;
    const status = dockerState(info.State.Status);
    if (isStateName(status)) out.state = status;
    if (status === 'exited') out.exitCode = info.State.ExitCode;
    const env = new Set((info.Config.Env ?? []).map((e) => e.split('=')[0] ?? ''));
    const given = run ? allValues(run.options, 'env').map((e) => e.split('=')[0] ?? '') : [];
    out.envNames = [...new Set(given.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) && env.has(n)))];
    for (const m of info.Mounts ?? []) {
      const type = m.Type === 'bind' || m.Type === 'volume' || m.Type === 'tmpfs' ? m.Type : undefined;
      if (!type || !m.Destination) continue;
      const mount: RecordedMount = { type, destination: m.Destination, readOnly: m.RW === false };
      if (type === 'bind' && m.Source) mount.source = m.Source;
      // An anonymous volume's name is made up (64 hex digits): not a source a lab can name.
      if (type === 'volume' && m.Name && !/^[0-9a-f]{64}$/.test(m.Name)) mount.source = m.Name;
      out.mounts.push(mount);
    }
    const bindings = (info.HostConfig.PortBindings ?? {}) as Record<string, Array<{ HostPort?: string }> | null>;
    for (const [key, list] of Object.entries(bindings)) {
      const [portText = '', proto = 'tcp'] = key.split('/');
      const containerPort = Number(portText);
      if (!Number.isInteger(containerPort) || containerPort <= 0) continue;
      const protocol = proto === 'udp' ? 'udp' : 'tcp';
      const hostText = list?.[0]?.HostPort;
      const hostPort = hostText ? Number(hostText) : NaN;
      const port: RecordedPort = { containerPort, protocol };
      if (Number.isInteger(hostPort) && hostPort > 0) port.hostPort = hostPort;
      if (protocol === 'tcp' && out.state === 'running') {
        // The port the engine really published (a "-p 80" gets one at random).
        const published = Number(info.NetworkSettings.Ports?.[key]?.[0]?.HostPort ?? hostText ?? NaN);
        if (Number.isInteger(published) && published > 0) {
          const status = await this.httpStatus(published);
          if (status !== undefined) port.httpStatus = status;
        }
      }
      out.ports.push(port);
    }
    out.networks = Object.keys(info.NetworkSettings.Networks ?? {}).filter((n) => !ENGINE_NETWORKS.has(n)).sort();
    // In a stable order (the engine's order is not one).
    out.mounts.sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
    out.ports.sort((a, b) => a.containerPort - b.containerPort || (a.protocol < b.protocol ? -1 : 1));
    return out;
  }

  /** The status a port answers HTTP with, trying for a moment (a server takes a little while to listen). */
  private async httpStatus(port: number): Promise<number | undefined> {
    const deadline = this.now() + (this.opts.httpWaitMs ?? 5000);
    for (;;) {
      const answer = await probeHttp(this.opts.publishedHost ?? 'localhost', port, '/', 1500);
      if ('status' in answer) return answer.status;
      if (this.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Removes what the recording created (its ledger: exactly that), e.g. before testing the drafted lab from a clean state. */
  async cleanup(): Promise<CleanupReport> {
    await this.ledger.settled();
    const plan = await planCleanup(this.opts.docker, this.ledger);
    return runCleanup(this.opts.docker, this.ledger, plan);
  }

  dispose(): void {
    this.recorder.dispose();
    this.subscription.dispose();
    this.listeners.clear();
  }
}
