/**
 * Helpers for the integration tests that run inside the real extension host.
 * (Test doubles for VS Code pieces live here, never in src/.)
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as net from 'net';
import * as fs from 'fs';
import * as path from 'path';
import Dockerode from 'dockerode';
import * as vscode from 'vscode';
import type { HealthReport } from '../../src/core/engine/health';
import type { ContainerLabsApi } from '../../src/extension';
import type { SessionNotices } from '../../src/session/labSession';
import type { CommandTerminal, SentCommand } from '../../src/terminal/labTerminal';

export const EXTENSION_ID = 'container-labs.container-labs';
export const TEST_LAB = 'cl-test-terminal';

/**
 * This run of the suite, unique on the shared engine: other layers (and other runs) create and
 * remove their own objects at the same time. Names the tests choose end in it, and what they
 * create carries RUN_LABEL, so lists, events and clean-ups can be filtered to this run only.
 */
export const RUN_ID = runId();
export const RUN_LABEL_KEY = 'cl-test-run';
export const RUN_LABEL = `${RUN_LABEL_KEY}=${RUN_ID}`;

/**
 * scripts/run-integration.mjs chooses the run id (env CONTAINER_LABS_RUN_ID) and writes it into
 * its copy of the test workspace, so the test lab's containers are this run's too.
 */
function runId(): string {
  const id = process.env.CONTAINER_LABS_RUN_ID;
  if (!id || !/^[a-z0-9]+$/.test(id)) {
    throw new Error(`env CONTAINER_LABS_RUN_ID is ${id === undefined ? 'not set' : `"${id}", not [a-z0-9]+`}: run the suite with node scripts/run-integration.mjs`);
  }
  return id;
}

/** A container/volume name for this run: `cl-test-<what>-<RUN_ID>`. */
export function runName(what: string): string {
  return `cl-test-${what}-${RUN_ID}`;
}

/** The containers the test lab's commands name (cl-test-echo, cl-test-live in the fixture, suffixed with the run id). */
export const ECHO_CONTAINER = runName('echo');
export const LIVE_CONTAINER = runName('live');

/**
 * The engine state the Docker Engine view should show for a health report (`ok` hides it).
 * Whether the shared engine answers within the health check's 3 s is up to its load, so tests
 * compare the view with the hub's report instead of expecting `ok` after start-up.
 */
export function viewStateFor(report: HealthReport | undefined): string {
  if (!report) return 'checking';
  return report.ok ? 'ok' : (report.problem ?? 'unreachable');
}

export async function activateExtension(): Promise<ContainerLabsApi> {
  const ext = vscode.extensions.getExtension<ContainerLabsApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

/** A Memento in memory, to re-create sessions over the same state. */
export class MemoryMemento implements vscode.Memento {
  private readonly data = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.data.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    // Round-trip through JSON like VS Code's storage does.
    const value = this.data.get(key);
    return value === undefined ? defaultValue : (JSON.parse(JSON.stringify(value)) as T);
  }
  update(key: string, value: unknown): Thenable<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

/** A terminal that records what it was asked to run. */
export class RecordingTerminal implements CommandTerminal {
  readonly commands: string[] = [];
  interrupts = 0;
  run(commandLine: string): Promise<SentCommand> {
    this.commands.push(commandLine);
    return Promise.resolve({ via: 'sendText', exitCode: Promise.resolve(undefined) });
  }
  interrupt(): void {
    this.interrupts += 1;
  }
}

/** One notification or modal dialog, with the text exactly as the session passed it on to VS Code's window API. */
export interface ShownMessage {
  kind: 'info' | 'warning' | 'error' | 'confirm';
  message: string;
  /** The modal dialog's detail. */
  detail?: string;
  actions: string[];
}

/**
 * The session's dialog port (its `notices` and `confirm`) that records what would have been
 * shown, instead of showing it: a modal in the extension host would wait for a click. Choices
 * are never made (notifications resolve undefined, confirm resolves false) unless `answer` says.
 */
export class RecordingDialogs {
  readonly shown: ShownMessage[] = [];
  /** What confirm answers. */
  answer = false;
  readonly notices: SessionNotices = {
    info: (message, ...actions) => this.record({ kind: 'info', message, actions }),
    warning: (message, ...actions) => this.record({ kind: 'warning', message, actions }),
    error: (message) => {
      this.shown.push({ kind: 'error', message, actions: [] });
    },
  };
  readonly confirm = (message: string, detail: string, action: string): Promise<boolean> => {
    this.shown.push({ kind: 'confirm', message, detail, actions: [action] });
    return Promise.resolve(this.answer);
  };
  private record(shown: ShownMessage): Promise<string | undefined> {
    this.shown.push(shown);
    return Promise.resolve(undefined);
  }
}

/**
 * A terminal that really runs the command (in `sh -c`, as the integrated terminal's shell
 * would) and reports its end like shell integration does. `lastExit` is the last command's.
 */
export class ShellTerminal implements CommandTerminal {
  readonly commands: string[] = [];
  lastExit: Promise<number | undefined> = Promise.resolve(undefined);
  run(commandLine: string): Promise<SentCommand> {
    this.commands.push(commandLine);
    const child = spawn('sh', ['-c', commandLine], { stdio: 'ignore' });
    this.lastExit = new Promise((resolve) => {
      child.once('error', () => resolve(undefined));
      child.once('exit', (code) => resolve(code ?? undefined));
    });
    return Promise.resolve({ via: 'shellIntegration', exitCode: this.lastExit });
  }
  interrupt(): void {
    // nothing runs long here
  }
}

export function docker(): Dockerode {
  return new Dockerode({ socketPath: process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock' });
}

export async function removeContainer(d: Dockerode, name: string): Promise<void> {
  try {
    await d.getContainer(name).remove({ force: true, abortSignal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const code = (error as { statusCode?: number }).statusCode;
    if (code !== 404 && code !== 409) throw error;
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves with the first engine event matching `match` (the stream opens before `action`). */
export async function nextEvent(
  d: Dockerode,
  filters: Record<string, string[]>,
  action: () => PromiseLike<unknown>,
  timeoutMs = 30_000,
): Promise<{ status?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } }> {
  const controller = new AbortController();
  // The engine answers an events request before it subscribes it: an event of the action could
  // fall in between and never come. `since` (this machine's clock, the engine's too: the suite
  // runs on a local engine) makes the engine replay what it logged from this moment on, and its
  // replay and subscription are one step. Everything before this call stays out.
  const stream = await d.getEvents({ since: Date.now() / 1000, filters, abortSignal: controller.signal });
  try {
    const seen = new Promise<{ Action?: string; Actor?: { Attributes?: Record<string, string> } }>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`no engine event ${JSON.stringify(filters)} within ${timeoutMs} ms`)), timeoutMs);
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          clearTimeout(timer);
          resolve(JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } });
        }
      });
      stream.on('error', (error: Error) => {
        if (!controller.signal.aborted) reject(error);
      });
    });
    // If the action throws, `seen` must not become an unhandled rejection later.
    seen.catch(() => undefined);
    const outcome = await action();
    return await seen.catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; the action gave ${JSON.stringify(outcome)}`);
    });
  } finally {
    controller.abort();
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

export function resultsDir(): string {
  const dir = process.env.CONTAINER_LABS_RESULTS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * An engine that can stop in the middle of a test without stopping the shared one: a unix
 * socket that passes every connection through to the real engine's socket. `stop` closes it and
 * every connection through it (what the extension sees when dockerd stops); `start` again.
 */
export class EngineProxy {
  private server: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  constructor(
    readonly socketPath: string,
    private readonly target: string,
  ) {}

  get url(): string {
    return `unix://${this.socketPath}`;
  }

  async start(): Promise<void> {
    fs.rmSync(this.socketPath, { force: true });
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      this.open.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.open.delete(client);
        this.open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.socketPath, () => resolve()));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }
}
