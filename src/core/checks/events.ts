/**
 * ONE subscription to the engine's event stream for the whole process: containers, images,
 * volumes and networks. Parses the newline-delimited JSON robustly, reconnects with exponential
 * backoff when the engine goes away, and says so through `onStatus`. No `vscode` import.
 */
import type Dockerode from 'dockerode';
import { Emitter, type Disposable, type Event } from '../events';
import { pingOf } from '../engine/connection';
import { familiarImageName } from '../images';
import { callWithDeadline, describeEngineError } from '../engine/errors';


export type EngineEventType = 'container' | 'image' | 'volume' | 'network';

export interface EngineEvent {
  type: EngineEventType;
  /** e.g. create, start, die, destroy, pull, tag, untag, delete, mount, unmount. `exec_start: cat x` is kept whole. */
  action: string;
  /** Container ID, image ID or reference, volume name. */
  id: string;
  /** Container name, volume name, or image reference. */
  name?: string;
  /** Image a container event is about (as the container was created). */
  image?: string;
  /** Unix ms. */
  time: number;
  /** The raw attributes the engine sent (exitCode, signal, container for volume mounts...). */
  attributes: Record<string, string>;
}

export interface EngineStatus {
  state: 'connected' | 'disconnected';
  /** Why it disconnected (or how it reconnected). */
  reason: string;
  /** Reconnect attempts since the last time it was connected. */
  attempt: number;
}

export interface EngineEventsOptions {
  /** First reconnect delay, default 250 ms; doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  /** Longest reconnect delay, default 5000 ms. */
  maxBackoffMs?: number;
  /** Deadline to get the stream's HTTP response, default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * While connected, ping the engine this often (default 10 000 ms, 0: never) so that an
   * engine that vanished without closing the connection (a remote host, a frozen VM) is noticed.
   */
  heartbeatMs?: number;
}

/** Splits a byte stream into lines and parses each as JSON; tolerates chunks cut mid-line or mid-character. */
export class JsonLineParser {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');

  /** Returns the parsed objects of every complete line in `chunk` (bad lines are skipped). */
  push(chunk: Buffer | string): unknown[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line) {
        try {
          out.push(JSON.parse(line));
        } catch {
          // A line that is not JSON is skipped; the next one starts clean.
        }
      }
      newline = this.pending.indexOf('\n');
    }
    // Some engines send one object per chunk without a newline: take it when it is whole.
    const rest = this.pending.trim();
    if (rest.startsWith('{') && rest.endsWith('}')) {
      try {
        out.push(JSON.parse(rest));
        this.pending = '';
      } catch {
        // Not complete yet.
      }
    }
    if (this.pending.length > 1024 * 1024) this.pending = '';
    return out;
  }
}

/**
 * Podman's Docker-compatible event stream names some actions its own way: a container or a
 * volume is `remove`d where Docker says `destroy`, an image `remove`d where Docker says `delete`.
 * They are given Docker's names, so the rest of the product reads one vocabulary.
 */
const PODMAN_ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  container: { remove: 'destroy' },
  volume: { remove: 'destroy' },
  network: { remove: 'destroy' },
  image: { remove: 'delete' },
};

/**
 * Attributes Podman adds to every event (Docker has none of them): `podId`, which tells its
 * events apart, and `containerExitCode` (0 on every event but `die`, which also has `exitCode`).
 */
const PODMAN_ATTRIBUTES = ['podId', 'containerExitCode'];

/**
 * Turn one raw engine event into an EngineEvent, or undefined when it is not one we use.
 * Docker's and Podman's shapes both. Podman leaves a volume's Actor.ID empty and names it in
 * Attributes.name, says `remove` for Docker's `destroy` (PODMAN_ACTIONS), adds attributes of its
 * own (PODMAN_ATTRIBUTES, dropped), and names images fully (`docker.io/library/alpine:latest`,
 * `localhost/app:v1`), where Docker repeats the name as the student wrote it: Podman's `image`
 * and image `name` are given in the student's words (`alpine`, `app:v1`), the raw attribute kept.
 */
export function toEngineEvent(raw: unknown): EngineEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const type = typeof r.Type === 'string' ? r.Type : typeof r.type === 'string' ? r.type : undefined;
  if (type !== 'container' && type !== 'image' && type !== 'volume' && type !== 'network') return undefined;
  const rawAction = typeof r.Action === 'string' ? r.Action : typeof r.status === 'string' ? r.status : undefined;
  if (!rawAction) return undefined;
  const action = PODMAN_ACTIONS[type]?.[rawAction] ?? rawAction;
  const actor = typeof r.Actor === 'object' && r.Actor !== null ? (r.Actor as Record<string, unknown>) : {};
  const attributes: Record<string, string> = {};
  if (typeof actor.Attributes === 'object' && actor.Attributes !== null) {
    for (const [k, v] of Object.entries(actor.Attributes as Record<string, unknown>)) {
      if (typeof v === 'string') attributes[k] = v;
    }
  }
  const podman = 'podId' in attributes;
  if (podman) {
    for (const key of PODMAN_ATTRIBUTES) delete attributes[key];
    if (attributes.image === '') delete attributes.image; // on its image and volume events
  }
  const actorId = typeof actor.ID === 'string' && actor.ID ? actor.ID : typeof r.id === 'string' ? r.id : '';
  // Podman: a volume event has an empty Actor.ID; its name is the volume's id, as in Docker's.
  // So has its image `build` event, whose name is the built image's id.
  const nameIsId = (type === 'volume' && attributes.name !== undefined) || (type === 'image' && /^[0-9a-f]{64}$/.test(attributes.name ?? ''));
  const id = actorId || (nameIsId ? (attributes.name ?? '') : '');
  const timeNano = typeof r.timeNano === 'number' ? r.timeNano : undefined;
  const timeSec = typeof r.time === 'number' ? r.time : undefined;
  const time = timeNano !== undefined ? Math.floor(timeNano / 1e6) : timeSec !== undefined ? timeSec * 1000 : Date.now();
  const event: EngineEvent = { type, action, id, time, attributes };
  if (attributes.name) event.name = podman && type === 'image' ? familiarImageName(attributes.name) : attributes.name;
  if (type === 'container') {
    const named = attributes.image ?? (typeof r.from === 'string' ? r.from : undefined);
    const image = podman && named ? familiarImageName(named) : named;
    if (image) event.image = image;
  }
  return event;
}

export class EngineEvents implements Disposable {
  private readonly eventEmitter = new Emitter<EngineEvent>();
  private readonly statusEmitter = new Emitter<EngineStatus>();
  /** Every container, image, volume and network event. */
  readonly onEvent: Event<EngineEvent> = this.eventEmitter.event;
  /** connected / disconnected (with the reason), each time it changes. */
  readonly onStatus: Event<EngineStatus> = this.statusEmitter.event;

  private readonly factory: () => Dockerode;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly connectTimeout: number;
  private readonly heartbeatMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private started = false;
  private disposed = false;
  private controller: AbortController | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private currentDocker: Dockerode | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private _connected = false;
  private lastReason = 'not started';

  /** `source`: a factory (so a new endpoint can be used on each connect) or a client. */
  constructor(source: (() => Dockerode) | Dockerode, opts: EngineEventsOptions = {}) {
    this.factory = typeof source === 'function' ? source : () => source;
    this.minBackoff = opts.minBackoffMs ?? 250;
    this.maxBackoff = opts.maxBackoffMs ?? 5000;
    this.connectTimeout = opts.connectTimeoutMs ?? 5000;
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
  }

  get connected(): boolean {
    return this._connected;
  }

  /** Why the stream is down (or 'connected'). */
  get reason(): string {
    return this._connected ? 'connected' : this.lastReason;
  }

  /** Connect (idempotent). */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.connect();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.teardown();
    this.eventEmitter.dispose();
    this.statusEmitter.dispose();
  }

  private teardown(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.controller?.abort();
    this.controller = undefined;
    if (stream) {
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      stream.removeAllListeners('close');
      // Keep an error listener so a late socket error is not unhandled.
      stream.on('error', () => undefined);
      const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
      destroyable.destroy?.();
    }
  }

  private connect(): void {
    if (this.disposed) return;
    const controller = new AbortController();
    this.controller = controller;
    let docker: Dockerode;
    try {
      docker = this.factory();
      this.currentDocker = docker;
    } catch (err) {
      this.lost(describeEngineError(err, undefined, this.connectTimeout));
      return;
    }
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.connectTimeout);
    docker
      .getEvents({ filters: { type: ['container', 'image', 'volume', 'network'] }, abortSignal: controller.signal })
      .then(
        (stream) => {
          clearTimeout(timer);
          if (this.disposed || this.controller !== controller) {
            (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
            return;
          }
          this.attach(stream, controller);
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (this.disposed || this.controller !== controller) return;
          const reason = controller.signal.aborted
            ? `the Docker Engine did not answer within ${this.connectTimeout / 1000} s`
            : describeEngineError(err, undefined, this.connectTimeout);
          this.lost(reason);
        },
      );
  }

  private attach(stream: NodeJS.ReadableStream, controller: AbortController): void {
    this.stream = stream;
    // The client's inactivity timeout must not end a quiet stream.
    const socket = (stream as NodeJS.ReadableStream & { socket?: { setTimeout?: (ms: number) => void } }).socket;
    socket?.setTimeout?.(0);
    const parser = new JsonLineParser();
    stream.on('data', (chunk: Buffer | string) => {
      for (const raw of parser.push(chunk)) {
        const event = toEngineEvent(raw);
        if (event) this.eventEmitter.fire(event);
      }
    });
    let ended = false;
    const end = (why: string) => {
      if (ended || this.controller !== controller || this.disposed) return;
      ended = true;
      this.stream = undefined;
      this.lost(why);
    };
    stream.on('end', () => end('the engine closed the event stream'));
    stream.on('close', () => end('the engine closed the event stream'));
    stream.on('error', (err: unknown) => end(`the event stream failed: ${describeEngineError(err, undefined, this.connectTimeout)}`));
    if (this.heartbeatMs > 0) {
      const docker = this.currentDocker;
      let pinging = false;
      this.heartbeat = setInterval(() => {
        if (pinging || !docker) return;
        pinging = true;
        callWithDeadline((signal) => pingOf(docker, signal), Math.min(this.connectTimeout, this.heartbeatMs))
          .catch((err: unknown) => end(`the engine stopped answering: ${describeEngineError(err, undefined, this.connectTimeout)}`))
          .finally(() => {
            pinging = false;
          });
      }, this.heartbeatMs);
      this.heartbeat.unref?.();
    }
    const wasAttempt = this.attempt;
    this.attempt = 0;
    this._connected = true;
    this.statusEmitter.fire({ state: 'connected', reason: wasAttempt > 0 ? `reconnected after ${wasAttempt} attempt(s)` : 'connected', attempt: wasAttempt });
  }

  private lost(reason: string): void {
    if (this.disposed) return;
    this.teardown();
    const wasConnected = this._connected;
    const reasonChanged = reason !== this.lastReason;
    this._connected = false;
    this.lastReason = reason;
    this.attempt += 1;
    if (wasConnected || this.attempt === 1 || reasonChanged) {
      this.statusEmitter.fire({ state: 'disconnected', reason, attempt: this.attempt });
    }
    const delay = Math.min(this.maxBackoff, this.minBackoff * 2 ** Math.min(this.attempt - 1, 16));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
