/**
 * The check engine: evaluates a step's declarative `Check` against the Docker Engine and
 * says, from the real state, whether it passed and why (or why not). No `vscode` import.
 *
 * Cost: the engine's filters do the matching (name, ancestor, label), so a check lists
 * only the containers it is about; an inspect happens only when a field needs it
 * (TTY, stdin, --rm, env, the error of a container that failed to start). Within one
 * evaluation, lists and inspects are shared between the parts of an all/any/not.
 */
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type {
  Check,
  CheckResult,
  ContainerCheck,
  ContainerMatch,
  EnvCheck,
  FileCheck,
  HttpCheck,
  ImageCheck,
  LogsCheck,
  MountCheck,
  PlaceholderValues,
  PortCheck,
  VolumeCheck,
} from '../model';
import type { EngineEndpoint } from '../engine/connection';
import { callWithDeadline, describeEngineError, formatSeconds, isNotFound, messageOf } from '../engine/errors';
import { fillCheck } from '../labs/placeholders';

export interface CheckContext {
  docker: Dockerode;
  /**
   * Host where published ports answer (EngineEndpoint.publishedHost). When absent, the
   * endpoint's publishedHost, else 127.0.0.1.
   */
  publishedHost?: string;
  /**
   * Unix ms when the step was opened. Containers matched with `since: 'step'` (the default)
   * must have been created at or after it (1 s slack: the engine stores whole seconds).
   * Undefined or 0: any time (e.g. `container-labs check`, which looks at the present state).
   */
  since?: number;
  /** Values for `${...}` placeholders in check strings. */
  placeholders?: PlaceholderValues;
  /** Deadline per engine call, default 3000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The endpoint, only to name it in "cannot check" reasons. */
  endpoint?: EngineEndpoint;
}

/** Evaluate a check. Never rejects: an engine that does not answer gives status `error`. */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  let filled: Check;
  try {
    filled = ctx.placeholders ? fillCheck(check, ctx.placeholders) : check;
  } catch (err) {
    return { status: 'error', reason: `the check cannot be filled in: ${messageOf(err)}`, elapsedMs: performance.now() - started };
  }
  const evaluator = new Evaluator(ctx);
  const result = await evaluator.evaluate(filled);
  return { ...result, elapsedMs: Math.round((performance.now() - started) * 100) / 100 };
}

/** http, logs and file checks can change without an engine event: they need polling. */
export function checkNeedsPolling(check: Check): boolean {
  if ('all' in check) return check.all.some(checkNeedsPolling);
  if ('any' in check) return check.any.some(checkNeedsPolling);
  if ('not' in check) return checkNeedsPolling(check.not);
  return 'http' in check || 'logs' in check || 'file' in check;
}

/** One line for people about what the check expects. */
export function describeCheck(check: Check): string {
  if ('all' in check) return check.all.map(describeCheck).join('; and ');
  if ('any' in check) return `one of: ${check.any.map(describeCheck).join('; or ')}`;
  if ('not' in check) return `not: ${describeCheck(check.not)}`;
  if ('image' in check) return `image ${normalizeImageRef(check.image.ref)} is present`;
  if ('imageAbsent' in check) return `image ${normalizeImageRef(check.imageAbsent.ref)} is removed`;
  if ('container' in check) {
    const c = check.container;
    const parts = [`a container ${matchPhrase(c)}`];
    if (c.exitCode !== undefined) parts.push(`exited with code ${c.exitCode}`);
    else if (c.state) parts.push(`is ${c.state}`);
    else parts.push('exists');
    const flags: string[] = [];
    if (c.tty !== undefined) flags.push(c.tty ? 'with a TTY (-t)' : 'without a TTY');
    if (c.interactive !== undefined) flags.push(c.interactive ? 'with stdin open (-i)' : 'without -i');
    if (c.autoRemove !== undefined) flags.push(c.autoRemove ? 'removed on exit (--rm)' : 'not --rm');
    return [parts.join(' '), ...flags].join(', ') + sinceNote(c);
  }
  if ('containerAbsent' in check) return `no container ${matchPhrase(check.containerAbsent)} exists`;
  if ('port' in check) {
    const p = check.port;
    return `a running container ${matchPhrase(p.container)} publishes ${p.containerPort}/${p.protocol ?? 'tcp'}${p.hostPort !== undefined ? ` on host port ${p.hostPort}` : ''}${sinceNote(p.container)}`;
  }
  if ('http' in check) {
    const h = check.http;
    const expect = h.status !== undefined ? `status ${h.status}` : 'a 2xx/3xx status';
    return `HTTP GET ${h.path ?? '/'} on the port publishing ${h.containerPort} of a container ${matchPhrase(h.container)} answers ${expect}${h.bodyContains !== undefined ? ` with "${h.bodyContains}" in the body` : ''}`;
  }
  if ('mount' in check) {
    const m = check.mount;
    const kind = m.type ? `a ${m.type} mount` : 'a mount';
    return `${kind}${m.source ? ` of ${m.source}` : ''} at ${m.destination}${m.readOnly === undefined ? '' : m.readOnly ? ' (read-only)' : ' (read-write)'} in a container ${matchPhrase(m.container)}`;
  }
  if ('file' in check) {
    const f = check.file;
    const where = f.container ? `in a container ${matchPhrase(f.container)}` : 'on this computer';
    return `file ${f.path} exists ${where}${f.contains !== undefined ? ` and contains "${f.contains}"` : ''}`;
  }
  if ('logs' in check) return `the logs of a container ${matchPhrase(check.logs.container)} contain "${check.logs.contains}"`;
  if ('env' in check) {
    const e = check.env;
    return `a container ${matchPhrase(e.container)} has ${e.name}${e.value !== undefined ? `=${e.value}` : ' set'}`;
  }
  if ('volume' in check) return `volume ${check.volume.name} exists`;
  if ('volumeAbsent' in check) return `volume ${check.volumeAbsent.name} is removed`;
  return 'an unknown check';
}

// ---------------------------------------------------------------------------------------------
// Helpers about images, containers and text

/** `alpine` -> `alpine:latest`, `docker.io/library/alpine:3` -> `alpine:3`; digests are kept. */
export function normalizeImageRef(ref: string): string {
  let r = ref.trim();
  r = r.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/library\//, '');
  r = r.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  if (r.includes('@')) return r;
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  return colon > slash ? r : `${r}:latest`;
}

function repositoryOf(ref: string): string {
  const n = normalizeImageRef(ref);
  const at = n.indexOf('@');
  if (at >= 0) return n.slice(0, at);
  return n.slice(0, n.lastIndexOf(':'));
}

const EXIT_MEANINGS: Record<number, string> = {
  1: 'the program reported an error',
  2: 'misuse of a shell command',
  125: 'docker itself failed to run the container',
  126: 'the command could not be executed',
  127: 'command not found',
  130: 'stopped with Ctrl+C',
  137: 'killed: docker kill, docker stop after the grace period, or out of memory',
  139: 'segmentation fault',
  143: 'stopped by SIGTERM, e.g. docker stop',
};

export function exitCodeMeaning(code: number): string | undefined {
  return EXIT_MEANINGS[code];
}

function exitText(code: number, oomKilled = false): string {
  if (code === 137 && oomKilled) return 'code 137 (killed: out of memory)';
  const meaning = exitCodeMeaning(code);
  return meaning ? `code ${code} (${meaning})` : `code ${code}`;
}

function exitCodeFromStatus(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

function containerName(info: Dockerode.ContainerInfo): string {
  const first = info.Names.find((n) => n.split('/').length === 2) ?? info.Names[0] ?? info.Id.slice(0, 12);
  return first.replace(/^\//, '');
}

function matchPhrase(m: ContainerMatch): string {
  const parts: string[] = [];
  if (m.name) parts.push(`named "${m.name}"`);
  if (m.image) parts.push(`from ${m.image}`);
  if (m.label) parts.push(`labelled ${m.label}`);
  if (m.commandContains) parts.push(`running a command with "${m.commandContains}"`);
  return parts.length ? parts.join(' ') : '(any)';
}

function sinceNote(m: ContainerMatch): string {
  return (m.since ?? 'step') === 'step' ? ', created since this step opened' : '';
}

function quoteName(name: string): string {
  return `"${name}"`;
}

/** How reasons name a container: `alpine (container "x")` when the check named an image. */
function subject(info: Dockerode.ContainerInfo, m: ContainerMatch): string {
  const name = quoteName(containerName(info));
  if (m.image && !m.name) return `${m.image} (container ${name})`;
  return `container ${name}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isSecretName(name: string): boolean {
  return /pass|secret|token|key/i.test(name);
}

function shown(name: string, value: string): string {
  return isSecretName(name) ? `"${'*'.repeat(Math.min(value.length, 8))}"` : `"${value}"`;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Make the engine's start errors readable (port taken, missing executable). */
export function explainStartError(error: string): string {
  const allocated = /Bind for [^ ]*?:(\d+) failed: port is already allocated/.exec(error);
  if (allocated) return `host port ${allocated[1]} is already used by another container`;
  const inUse = /listen (?:tcp|udp)[46]? [^ ]*?:(\d+): bind: address already in use/.exec(error);
  if (inUse) return `host port ${inUse[1]} is already in use by another program on the host`;
  const notFound = /exec: "([^"]+)": executable file not found/.exec(error);
  if (notFound) return `the command "${notFound[1]}" was not found in the image`;
  const permission = /exec: "([^"]+)": permission denied/.exec(error);
  if (permission) return `"${permission[1]}" is not executable`;
  return firstLine(error);
}

/** Bounded outcome of one candidate container for a leaf check. */
interface Verdict {
  ok: boolean;
  reason: string;
  /** How far the container got (higher is closer to passing), to pick the most useful reason. */
  progress: number;
}

class CannotCheck extends Error {}

// ---------------------------------------------------------------------------------------------

class Evaluator {
  private readonly timeoutMs: number;
  private readonly lists = new Map<string, Promise<Dockerode.ContainerInfo[]>>();
  private readonly inspects = new Map<string, Promise<Dockerode.ContainerInspectInfo | undefined>>();

  constructor(private readonly ctx: CheckContext) {
    this.timeoutMs = ctx.timeoutMs ?? 3000;
  }

  private call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return callWithDeadline(fn, this.timeoutMs, this.ctx.signal);
  }

  async evaluate(check: Check): Promise<CheckResult> {
    if ('all' in check) return this.all(check.all);
    if ('any' in check) return this.any(check.any);
    if ('not' in check) return this.not(check.not);
    try {
      return await this.leaf(check);
    } catch (err) {
      if (err instanceof CannotCheck) return { status: 'error', reason: err.message };
      return { status: 'error', reason: `cannot check: ${describeEngineError(err, this.ctx.endpoint, this.timeoutMs)}` };
    }
  }

  private async all(parts: Check[]): Promise<CheckResult> {
    const children = await Promise.all(parts.map((p) => this.evaluate(p)));
    const failed = children.find((c) => c.status === 'failed');
    const errored = children.find((c) => c.status === 'error');
    if (failed) return { status: 'failed', reason: failed.reason, children };
    if (errored) return { status: 'error', reason: errored.reason, children };
    const last = children[children.length - 1];
    return { status: 'passed', reason: children.length === 1 && last ? last.reason : children.map((c) => c.reason).join('; '), children };
  }

  private async any(parts: Check[]): Promise<CheckResult> {
    const children = await Promise.all(parts.map((p) => this.evaluate(p)));
    const passed = children.find((c) => c.status === 'passed');
    if (passed) return { status: 'passed', reason: passed.reason, children };
    const errored = children.find((c) => c.status === 'error');
    if (errored) return { status: 'error', reason: errored.reason, children };
    return { status: 'failed', reason: `none of the alternatives holds: ${children.map((c) => c.reason).join('; or ')}`, children };
  }

  private async not(part: Check): Promise<CheckResult> {
    const child = await this.evaluate(part);
    if (child.status === 'error') return { status: 'error', reason: child.reason, children: [child] };
    if (child.status === 'passed') return { status: 'failed', reason: `it should not be so, but ${child.reason}`, children: [child] };
    return { status: 'passed', reason: `as wanted, ${child.reason}`, children: [child] };
  }

  private leaf(check: Check): Promise<CheckResult> {
    if ('image' in check) return this.image(check.image, true);
    if ('imageAbsent' in check) return this.image(check.imageAbsent, false);
    if ('container' in check) return this.container(check.container);
    if ('containerAbsent' in check) return this.containerAbsent(check.containerAbsent);
    if ('port' in check) return this.port(check.port);
    if ('http' in check) return this.http(check.http);
    if ('mount' in check) return this.mount(check.mount);
    if ('file' in check) return this.file(check.file);
    if ('logs' in check) return this.logs(check.logs);
    if ('env' in check) return this.env(check.env);
    if ('volume' in check) return this.volume(check.volume, true);
    if ('volumeAbsent' in check) return this.volume(check.volumeAbsent, false);
    throw new CannotCheck(`the check has an unknown kind: ${Object.keys(check).join(', ') || '(empty)'}`);
  }

  // --- engine access, shared within one evaluation -------------------------------------------

  private listContainers(filters: Record<string, string[]>): Promise<Dockerode.ContainerInfo[]> {
    const key = JSON.stringify(filters);
    let pending = this.lists.get(key);
    if (!pending) {
      pending = this.call((signal) => this.ctx.docker.listContainers({ all: true, filters, abortSignal: signal }));
      this.lists.set(key, pending);
    }
    return pending;
  }

  /**
   * The container with exactly this name, as the list endpoint would show it (so the checks
   * read one shape), or none. The inspect result is kept for the rest of the evaluation.
   */
  private async containerByName(name: string, label: string | undefined): Promise<Dockerode.ContainerInfo[]> {
    const info = await this.inspect(name);
    // Inspect also takes ID prefixes: only an exact name counts.
    if (!info || info.Name !== `/${name}`) return [];
    this.inspects.set(info.Id, Promise.resolve(info));
    const labels = info.Config.Labels ?? {};
    if (label !== undefined) {
      const eq = label.indexOf('=');
      const key = eq < 0 ? label : label.slice(0, eq);
      if (!(key in labels) || (eq >= 0 && labels[key] !== label.slice(eq + 1))) return [];
    }
    return [listShapeOf(info)];
  }

  /** Inspect a container; undefined when it is gone (404). */
  private inspect(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    let pending = this.inspects.get(id);
    if (!pending) {
      pending = this.call((signal) => this.ctx.docker.getContainer(id).inspect({ abortSignal: signal })).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      this.inspects.set(id, pending);
    }
    return pending;
  }

  /** Inspect an image by reference; undefined when there is none (404). A direct lookup, cheaper than a filtered list. */
  private async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      // dockerode's image inspect takes no abort signal; the deadline race still bounds it.
      return await this.call(() => this.ctx.docker.getImage(ref).inspect());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async listImages(reference: string): Promise<Dockerode.ImageInfo[]> {
    return this.call((signal) => this.ctx.docker.listImages({ filters: { reference: [reference] }, abortSignal: signal }));
  }

  /** Containers matching `m`, newest first, split into those since the step and older ones. */
  private async findContainers(m: ContainerMatch, defaultSince: 'step' | 'any'): Promise<{ matching: Dockerode.ContainerInfo[]; older: Dockerode.ContainerInfo[] }> {
    const filters: Record<string, string[]> = {};
    if (m.name) filters.name = [`^/${escapeRegExp(m.name.replace(/^\//, ''))}$`];
    if (m.label) filters.label = [m.label];
    // With a name or a label the engine already narrows the list, and the image is compared
    // here (so a container whose tag moved to a newer image since still counts). With the
    // image alone, the engine's `ancestor` filter keeps the list short among many containers.
    const byAncestor = Boolean(m.image) && !m.name && !m.label;
    if (byAncestor && m.image) filters.ancestor = [m.image];
    // A name is looked up directly: the engine's name filter walks every container (145 ms
    // among 1,000 here), a direct inspect does not.
    const listed = m.name ? await this.containerByName(m.name.replace(/^\//, ''), m.label) : await this.listContainers(filters);
    const wantedImage = m.image ? normalizeImageRef(m.image) : undefined;
    let wantedId: Promise<string | undefined> | undefined;
    const idOfWanted = (): Promise<string | undefined> => {
      wantedId ??= wantedImage ? this.inspectImage(wantedImage).then((i) => i?.Id) : Promise.resolve(undefined);
      return wantedId;
    };
    const kept: Dockerode.ContainerInfo[] = [];
    for (const c of listed) {
      if (wantedImage) {
        const idLike = c.Image.startsWith('sha256:') || /^[0-9a-f]{12,64}$/.test(c.Image);
        if (idLike) {
          // The engine shows an ID when the container was created from one or when its tag has
          // moved to another image since; the container's own config still names what it was
          // created from. (With `ancestor`, the engine already matched the IDs.)
          if (!byAncestor && c.ImageID !== (await idOfWanted())) {
            const createdFrom = (await this.inspect(c.Id))?.Config.Image;
            if (!createdFrom || normalizeImageRef(createdFrom) !== wantedImage) continue;
          }
        } else if (normalizeImageRef(c.Image) !== wantedImage) {
          // `ancestor` also matches images built FROM this one: keep only those created from it.
          continue;
        }
      }
      if (m.commandContains) {
        const command = c.Command.replace(/\s+/g, ' ');
        if (!command.includes(m.commandContains.replace(/\s+/g, ' '))) continue;
      }
      kept.push(c);
    }
    const all = kept.sort((a, b) => b.Created - a.Created);
    const since = m.since ?? defaultSince;
    if (since === 'any') return { matching: all, older: [] };
    const floor = Math.floor((this.ctx.since ?? 0) / 1000) - 1;
    return { matching: all.filter((c) => c.Created >= floor), older: all.filter((c) => c.Created < floor) };
  }

  /** Why nothing matched: older containers, a missing image. */
  private async noneReason(m: ContainerMatch, older: Dockerode.ContainerInfo[], wanted: string): Promise<string> {
    if (older.length > 0) {
      const newest = older[0];
      const which = newest ? `, e.g. ${quoteName(containerName(newest))}` : '';
      return `no container ${matchPhrase(m)} was created since this step opened (${plural(older.length, 'older one exists', 'older ones exist')}${which}: run a new one)`;
    }
    let reason = `no container ${matchPhrase(m)} exists`;
    if (m.image) {
      const ref = normalizeImageRef(m.image);
      if (!(await this.inspectImage(ref))) {
        reason += ` (the image ${ref} is not present either: pull it first)`;
      }
    }
    return `${reason}: ${wanted}`;
  }

  /**
   * Run `judge` over the matching containers (newest first, at most 10) and report the newest
   * one that passes, or else the most advanced failure, naming which container it is about.
   */
  private async judgeContainers(
    m: ContainerMatch,
    wanted: string,
    judge: (info: Dockerode.ContainerInfo) => Promise<Verdict>,
  ): Promise<CheckResult> {
    const { matching, older } = await this.findContainers(m, 'step');
    if (matching.length === 0) {
      return { status: 'failed', reason: await this.noneReason(m, older, wanted) };
    }
    const considered = matching.slice(0, 10);
    const verdicts = await Promise.all(considered.map((info) => judge(info)));
    const passIndex = verdicts.findIndex((v) => v.ok);
    const count = matching.length;
    if (passIndex >= 0) {
      const verdict = verdicts[passIndex];
      const info = considered[passIndex];
      if (!verdict || !info) throw new CannotCheck('internal error: verdict lost');
      const note = count > 1 ? ` (${count} containers match; ${quoteName(containerName(info))} is ${passIndex === 0 ? 'the newest' : 'the newest that passes'})` : '';
      return { status: 'passed', reason: `${verdict.reason}${note}` };
    }
    let best = 0;
    verdicts.forEach((v, i) => {
      const current = verdicts[best];
      if (current && v.progress > current.progress) best = i;
    });
    const verdict = verdicts[best];
    const info = considered[best];
    if (!verdict || !info) throw new CannotCheck('internal error: verdict lost');
    if (count === 1) return { status: 'failed', reason: verdict.reason };
    const which = best === 0 ? 'the newest' : 'the closest';
    return { status: 'failed', reason: `${count} containers match; ${which} (${containerName(info)}): ${verdict.reason}` };
  }

  /** Why a container is not running, with the start error or exit code when there is one. */
  private async notRunning(info: Dockerode.ContainerInfo, m: ContainerMatch): Promise<string> {
    const who = subject(info, m);
    switch (info.State) {
      case 'exited':
      case 'dead': {
        const inspected = await this.inspect(info.Id);
        const code = inspected?.State.ExitCode ?? exitCodeFromStatus(info.Status);
        const error = inspected?.State.Error;
        if (error) return `${who} could not start: ${explainStartError(error)}`;
        if (code === undefined) return `${who} is ${info.State}, not running`;
        return `${who} is not running: it exited with ${exitText(code, inspected?.State.OOMKilled === true)}`;
      }
      case 'created': {
        const inspected = await this.inspect(info.Id);
        const error = inspected?.State.Error;
        if (error) return `${who} could not start: ${explainStartError(error)}`;
        return `${who} was created but never started: run it with docker start ${containerName(info)}`;
      }
      case 'paused':
        return `${who} is paused: docker unpause ${containerName(info)}`;
      case 'restarting':
        return `${who} keeps restarting (${info.Status})`;
      default:
        return `${who} is ${info.State}, not running`;
    }
  }

  // --- leaf checks ---------------------------------------------------------------------------

  private async image(check: ImageCheck, wantPresent: boolean): Promise<CheckResult> {
    const ref = normalizeImageRef(check.ref);
    const found = await this.inspectImage(ref);
    if (wantPresent) {
      if (found) {
        return { status: 'passed', reason: `image ${ref} is present (${shortId(found.Id)}, ${formatSize(found.Size)})` };
      }
      if (ref.includes('@')) return { status: 'failed', reason: `image ${ref} is not present: pull it with docker pull ${ref}` };
      const repo = repositoryOf(ref);
      const sameRepo = await this.listImages(repo);
      const tags = sameRepo.flatMap((i) => i.RepoTags ?? []).filter((t) => t !== ref && repositoryOf(t) === repo);
      if (tags.length > 0) {
        return {
          status: 'failed',
          reason: `image ${ref} is not present (${tags.slice(0, 3).join(', ')} ${tags.length === 1 ? 'is' : 'are'}): pull ${ref} or tag one of them`,
        };
      }
      return { status: 'failed', reason: `image ${ref} is not present: pull it with docker pull ${ref}` };
    }
    if (!found) return { status: 'passed', reason: `image ${ref} is not present` };
    // While the image has other names, `docker rmi ref` only removes this one: no container
    // stands in its way (a container of another program from the same image least of all).
    const otherNames = (found.RepoTags ?? []).filter((t) => normalizeImageRef(t) !== ref);
    const users = otherNames.length > 0 ? [] : await this.listContainers({ ancestor: [ref] });
    const direct = users.filter((c) => normalizeImageRef(c.Image) === ref || c.ImageID === found.Id);
    if (direct.length > 0) {
      const names = direct.slice(0, 3).map((c) => containerName(c)).join(', ');
      return {
        status: 'failed',
        reason: `image ${ref} is still present and ${plural(direct.length, 'container uses', 'containers use')} it (${names}): remove ${direct.length === 1 ? 'it' : 'them'} with docker rm, then docker rmi ${ref}`,
      };
    }
    return { status: 'failed', reason: `image ${ref} is still present: remove it with docker rmi ${ref}` };
  }

  private container(check: ContainerCheck): Promise<CheckResult> {
    const wantState = check.exitCode !== undefined ? 'exited' : check.state;
    const wanted = check.exitCode !== undefined ? 'run it and let it finish' : wantState === 'running' ? 'start one' : 'run one';
    return this.judgeContainers(check, wanted, async (info) => {
      const who = subject(info, check);
      let progress = 0;
      if (wantState && info.State !== wantState) {
        if (wantState === 'running') return { ok: false, reason: await this.notRunning(info, check), progress };
        if (wantState === 'exited' && info.State === 'running') {
          return { ok: false, reason: `${who} is still running; it has not exited yet`, progress };
        }
        if (wantState === 'exited' && info.State === 'created') {
          return { ok: false, reason: await this.notRunning(info, check), progress };
        }
        return { ok: false, reason: `${who} is ${info.State}, not ${wantState}`, progress };
      }
      progress = 1;
      if (check.exitCode !== undefined) {
        const code = exitCodeFromStatus(info.Status) ?? (await this.inspect(info.Id))?.State.ExitCode;
        if (code !== check.exitCode) {
          const oom = code === 137 ? (await this.inspect(info.Id))?.State.OOMKilled === true : false;
          return {
            ok: false,
            reason: `${who} exited with ${code === undefined ? 'an unknown code' : exitText(code, oom)}, not ${check.exitCode}`,
            progress,
          };
        }
      }
      progress = 2;
      if (check.tty !== undefined || check.interactive !== undefined || check.autoRemove !== undefined) {
        const inspected = await this.inspect(info.Id);
        if (!inspected) return { ok: false, reason: `${who} disappeared while being checked`, progress };
        if (check.tty !== undefined && inspected.Config.Tty !== check.tty) {
          return { ok: false, reason: check.tty ? `${who} was started without a TTY: add -t (usually -it)` : `${who} was started with a TTY (-t); run it without -t`, progress };
        }
        if (check.interactive !== undefined && inspected.Config.OpenStdin !== check.interactive) {
          return { ok: false, reason: check.interactive ? `${who} does not keep stdin open: add -i (usually -it)` : `${who} keeps stdin open (-i); run it without -i`, progress };
        }
        if (check.autoRemove !== undefined && inspected.HostConfig.AutoRemove !== check.autoRemove) {
          return { ok: false, reason: check.autoRemove ? `${who} was started without --rm` : `${who} was started with --rm`, progress };
        }
      }
      const state = check.exitCode !== undefined ? `exited with ${exitText(check.exitCode)}` : info.State === 'exited' ? `exists (${info.Status.toLowerCase()})` : `is ${info.State}`;
      return { ok: true, reason: `${who} ${state}`, progress: 3 };
    });
  }

  private async containerAbsent(m: ContainerMatch): Promise<CheckResult> {
    // Absence is about every container, whenever it was made, unless the lab says otherwise.
    const { matching } = await this.findContainers(m, 'any');
    if (matching.length === 0) return { status: 'passed', reason: `no container ${matchPhrase(m)} exists` };
    const first = matching[0];
    if (!first) throw new CannotCheck('internal error: container lost');
    const names = matching.slice(0, 3).map((c) => `${containerName(c)} (${c.State})`).join(', ');
    const more = matching.length > 3 ? ` and ${matching.length - 3} more` : '';
    const running = matching.some((c) => c.State === 'running');
    const how = running ? `stop and remove with docker rm -f ${containerName(first)}` : `remove with docker rm ${containerName(first)}`;
    return {
      status: 'failed',
      reason: `${plural(matching.length, 'container', 'containers')} ${matchPhrase(m)} still ${matching.length === 1 ? 'exists' : 'exist'}: ${names}${more}; ${how}`,
    };
  }

  /** The published bindings of `containerPort` on a running container, IPv4 first. */
  private bindings(info: Dockerode.ContainerInfo, containerPort: number, protocol: string): Array<{ ip: string; hostPort: number }> {
    return info.Ports.filter((p) => p.PrivatePort === containerPort && (p.Type || 'tcp') === protocol && typeof p.PublicPort === 'number' && p.PublicPort > 0)
      .map((p) => ({ ip: p.IP ?? '', hostPort: p.PublicPort }))
      .sort((a, b) => Number(a.ip.includes(':')) - Number(b.ip.includes(':')));
  }

  private async portVerdict(info: Dockerode.ContainerInfo, check: PortCheck): Promise<Verdict & { binding?: { ip: string; hostPort: number } }> {
    const protocol = check.protocol ?? 'tcp';
    const who = subject(info, check.container);
    const want = `${check.hostPort ?? check.containerPort}:${check.containerPort}${protocol === 'udp' ? '/udp' : ''}`;
    if (info.State !== 'running') {
      return { ok: false, reason: await this.notRunning(info, check.container), progress: 0 };
    }
    const found = this.bindings(info, check.containerPort, protocol);
    if (found.length === 0) {
      const others = info.Ports.filter((p) => typeof p.PublicPort === 'number' && p.PublicPort > 0 && !(p.IP ?? '').includes(':'));
      const list = others.map((p) => `${p.PrivatePort} on ${p.PublicPort}`).join(', ');
      const reason = others.length
        ? `${who} is running but does not publish port ${check.containerPort} (it publishes ${list}); run it with -p ${want}`
        : `${who} is running but publishes no ports; run it with -p ${want}`;
      return { ok: false, reason, progress: 1 };
    }
    if (check.hostPort !== undefined) {
      const exact = found.find((b) => b.hostPort === check.hostPort);
      if (!exact) {
        const ports = [...new Set(found.map((b) => b.hostPort))].join(' and ');
        return {
          ok: false,
          reason: `${who} is running but publishes ${check.containerPort} on host port ${ports}, not ${check.hostPort}; run it with -p ${want}`,
          progress: 2,
        };
      }
      return { ok: true, reason: `${who} publishes ${check.containerPort} on host port ${exact.hostPort}`, progress: 3, binding: exact };
    }
    const first = found[0];
    if (!first) throw new CannotCheck('internal error: binding lost');
    return { ok: true, reason: `${who} publishes ${check.containerPort} on host port ${first.hostPort}`, progress: 3, binding: first };
  }

  private port(check: PortCheck): Promise<CheckResult> {
    return this.judgeContainers(check.container, 'start one', (info) => this.portVerdict(info, check));
  }

  private http(check: HttpCheck): Promise<CheckResult> {
    const portCheck: PortCheck = { container: check.container, containerPort: check.containerPort };
    return this.judgeContainers(check.container, 'start one', async (info) => {
      const port = await this.portVerdict(info, portCheck);
      if (!port.ok || !port.binding) return port;
      const host = this.hostFor(port.binding.ip);
      const probePath = check.path ?? '/';
      const timeoutMs = check.timeoutMs ?? 5000;
      const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
      const where = `port ${check.containerPort} is published on host port ${port.binding.hostPort}${loopback ? '' : ` of ${host}`}`;
      const answer = await probeHttp(host, port.binding.hostPort, probePath, timeoutMs, this.ctx.signal);
      if ('error' in answer) {
        if (answer.error === 'timeout') {
          return { ok: false, reason: `${where} but nothing answered HTTP within ${formatSeconds(timeoutMs)}`, progress: 3 };
        }
        if (answer.error === 'ECONNREFUSED') {
          return { ok: false, reason: `${where} but nothing answers HTTP there yet (connection refused at ${host}:${port.binding.hostPort}); the server may still be starting`, progress: 3 };
        }
        if (answer.error === 'ECONNRESET' || answer.error === 'EPIPE' || answer.error === 'HPE_INVALID_CONSTANT') {
          return { ok: false, reason: `${where} but the connection closed without an HTTP answer; the server may still be starting`, progress: 3 };
        }
        return { ok: false, reason: `${where} but the HTTP request failed: ${answer.message}`, progress: 3 };
      }
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port.binding.hostPort}${probePath}`;
      const statusText = `${answer.status}${http.STATUS_CODES[answer.status] ? ` (${http.STATUS_CODES[answer.status]})` : ''}`;
      const redirect = answer.location ? ` redirecting to ${answer.location}` : '';
      const statusOk = check.status !== undefined ? answer.status === check.status : answer.status >= 200 && answer.status < 400;
      if (!statusOk) {
        const expected = check.status !== undefined ? `${check.status}` : 'a 2xx or 3xx status';
        return { ok: false, reason: `GET ${url} answered ${statusText}${redirect}, expected ${expected}`, progress: 4 };
      }
      if (check.bodyContains !== undefined && !answer.body.includes(check.bodyContains)) {
        const truncated = answer.truncated ? ` (first ${formatSize(answer.body.length)} read)` : '';
        return { ok: false, reason: `GET ${url} answered ${statusText} but the body does not contain "${check.bodyContains}"${truncated}`, progress: 5 };
      }
      return { ok: true, reason: `GET ${url} answered ${statusText}${redirect}${check.bodyContains !== undefined ? ` with "${check.bodyContains}"` : ''}`, progress: 6 };
    });
  }

  /** Where a port bound on `ip` answers from here. */
  private hostFor(ip: string): string {
    const published = this.ctx.publishedHost ?? this.ctx.endpoint?.publishedHost ?? '127.0.0.1';
    if (!ip || ip === '0.0.0.0' || ip === '::') return published;
    const local = published === '127.0.0.1' || published === 'localhost' || published === '::1';
    return local ? ip : published;
  }

  private mount(check: MountCheck): Promise<CheckResult> {
    const destination = trimSlash(check.destination);
    return this.judgeContainers(check.container, 'run one with the mount', async (info) => {
      const who = subject(info, check.container);
      const mounts = info.Mounts ?? [];
      let mount = mounts.find((mt) => trimSlash(mt.Destination) === destination);
      if (!mount && check.type !== 'bind' && check.type !== 'volume') {
        // `--tmpfs /x` is kept in HostConfig.Tmpfs, not in Mounts (only `--mount type=tmpfs` is).
        const tmpfs = (await this.inspect(info.Id))?.HostConfig?.Tmpfs ?? {};
        const options = Object.entries(tmpfs).find(([dest]) => trimSlash(dest) === destination)?.[1];
        if (options !== undefined) {
          const readOnly = options.split(',').includes('ro');
          mount = { Type: 'tmpfs', Source: '', Destination: destination, Mode: options, RW: !readOnly, Propagation: '' };
        }
      }
      if (!mount) {
        const others = mounts.map((mt) => mt.Destination).sort().join(', ');
        const flag = check.type === 'tmpfs' ? `--tmpfs ${destination}` : `-v ${check.source ?? 'SOURCE'}:${destination}${check.readOnly ? ':ro' : ''}`;
        return {
          ok: false,
          reason: `nothing is mounted at ${destination} in ${who}${others ? ` (it has ${others})` : ''}; run it with ${flag}`,
          progress: 0,
        };
      }
      const type = mount.Type;
      if (check.type && type !== check.type) {
        return { ok: false, reason: `${destination} in ${who} is a ${type} mount, not a ${check.type} mount`, progress: 1 };
      }
      if (check.source !== undefined) {
        const actual = type === 'volume' ? (mount.Name ?? mount.Source) : mount.Source;
        const expected = type === 'volume' ? check.source : trimSlash(check.source);
        const same = type === 'volume' ? actual === expected : trimSlash(path.resolve(actual)) === trimSlash(path.resolve(expected));
        if (!same) {
          const what = type === 'volume' ? 'volume' : 'path';
          return { ok: false, reason: `${destination} in ${who} is mounted from ${what} ${actual}, not from ${expected}`, progress: 2 };
        }
      }
      if (check.readOnly !== undefined && mount.RW === check.readOnly) {
        return {
          ok: false,
          reason: check.readOnly ? `${destination} in ${who} is mounted read-write; add :ro to make it read-only` : `${destination} in ${who} is mounted read-only; remove :ro`,
          progress: 3,
        };
      }
      const from = type === 'volume' ? `volume ${mount.Name ?? mount.Source}` : type === 'tmpfs' ? 'tmpfs' : mount.Source;
      return { ok: true, reason: `${destination} in ${who} is mounted from ${from}${mount.RW ? '' : ' (read-only)'}`, progress: 4 };
    });
  }

  private async file(check: FileCheck): Promise<CheckResult> {
    if (!check.container) return this.hostFile(check);
    const match = check.container;
    return this.judgeContainers(match, 'start one', async (info) => {
      const who = subject(info, match);
      if (info.State !== 'running') {
        return { ok: false, reason: `${await this.notRunning(info, match)}, so ${check.path} cannot be read in it`, progress: 0 };
      }
      const out = await this.execCat(info.Id, check.path);
      if (out === undefined) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
      if (out.exitCode !== 0) {
        const missing = /no such file|not found|can't open/i.test(out.stderr);
        const why = missing ? 'does not exist' : /is a directory/i.test(out.stderr) ? 'is a directory' : `cannot be read (${firstLine(out.stderr) || `cat exited with ${out.exitCode}`})`;
        return { ok: false, reason: `${check.path} ${why} in ${who}`, progress: 1 };
      }
      if (check.contains !== undefined && !out.stdout.includes(check.contains)) {
        return { ok: false, reason: `${check.path} in ${who} does not contain "${check.contains}"`, progress: 2 };
      }
      return { ok: true, reason: `${check.path} exists in ${who}${check.contains !== undefined ? ` and contains "${check.contains}"` : ''}`, progress: 3 };
    });
  }

  private async hostFile(check: FileCheck): Promise<CheckResult> {
    let text: string;
    try {
      const handle = await fs.open(check.path, 'r');
      try {
        const buffer = Buffer.alloc(MAX_READ);
        const { bytesRead } = await handle.read(buffer, 0, MAX_READ, 0);
        text = buffer.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code?: unknown }).code) : '';
      if (code === 'ENOENT') return { status: 'failed', reason: `${check.path} does not exist on this computer` };
      if (code === 'EISDIR') return { status: 'failed', reason: `${check.path} is a directory, not a file` };
      if (code === 'EACCES') return { status: 'failed', reason: `${check.path} exists but cannot be read (permission denied)` };
      return { status: 'error', reason: `cannot read ${check.path}: ${messageOf(err)}` };
    }
    if (check.contains !== undefined && !text.includes(check.contains)) {
      return { status: 'failed', reason: `${check.path} exists but does not contain "${check.contains}"` };
    }
    return { status: 'passed', reason: `${check.path} exists${check.contains !== undefined ? ` and contains "${check.contains}"` : ''}` };
  }

  /** `cat PATH` inside a running container: stdout, stderr (demuxed, bounded) and the exit code. */
  private async execCat(id: string, file: string): Promise<{ stdout: string; stderr: string; exitCode: number } | undefined> {
    const container = this.ctx.docker.getContainer(id);
    let exec: Dockerode.Exec;
    try {
      exec = await this.call((signal) => container.exec({ Cmd: ['cat', '--', file], AttachStdout: true, AttachStderr: true, abortSignal: signal }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      const status = typeof err === 'object' && err !== null && 'statusCode' in err ? (err as { statusCode?: unknown }).statusCode : undefined;
      if (status === 409) throw new CannotCheck(`cannot read ${file}: the container stopped while being checked`);
      throw err;
    }
    const { stdout, stderr } = await this.call(async (signal) => {
      const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal });
      return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        const out = new BoundedSink();
        const errOut = new BoundedSink();
        const outStream = new PassThrough();
        const errStream = new PassThrough();
        outStream.on('data', (chunk: Buffer) => {
          if (!out.push(chunk)) stream.destroy();
        });
        errStream.on('data', (chunk: Buffer) => errOut.push(chunk));
        this.ctx.docker.modem.demuxStream(stream, outStream, errStream);
        const onAbort = () => {
          stream.destroy();
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = () => {
          signal.removeEventListener('abort', onAbort);
          resolve({ stdout: out.text(), stderr: errOut.text() });
        };
        stream.on('end', finish);
        stream.on('close', finish);
        stream.on('error', (err: Error) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        });
      });
    });
    const inspected = await this.call((signal) => exec.inspect({ abortSignal: signal }));
    // When the output was cut short the exec may still be running; its exit code is unknown but the file exists.
    const exitCode = typeof inspected.ExitCode === 'number' ? inspected.ExitCode : inspected.Running ? 0 : 1;
    return { stdout, stderr, exitCode };
  }

  private logs(check: LogsCheck): Promise<CheckResult> {
    return this.judgeContainers(check.container, 'run one', async (info) => {
      const who = subject(info, check.container);
      let raw: Buffer;
      try {
        raw = await this.call((signal) =>
          this.ctx.docker.getContainer(info.Id).logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL, abortSignal: signal }),
        );
      } catch (err) {
        if (isNotFound(err)) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
        throw err;
      }
      const text = demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
      if (text.includes(check.contains)) {
        return { ok: true, reason: `the logs of ${who} contain "${check.contains}"`, progress: 2 };
      }
      const state = info.State === 'running' ? '' : ` (it is ${info.State})`;
      const empty = text.trim() ? `; its last line is "${lastLine(text)}"` : '; it has printed nothing yet';
      return { ok: false, reason: `the logs of ${who}${state} do not contain "${check.contains}"${empty}`, progress: 1 };
    });
  }

  private env(check: EnvCheck): Promise<CheckResult> {
    return this.judgeContainers(check.container, 'run one', async (info) => {
      const who = subject(info, check.container);
      const inspected = await this.inspect(info.Id);
      if (!inspected) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
      const entries = inspected.Config.Env ?? [];
      const entry = entries.find((e) => e === check.name || e.startsWith(`${check.name}=`));
      if (entry === undefined) {
        const example = check.value !== undefined ? `${check.name}=${check.value}` : `${check.name}=...`;
        return { ok: false, reason: `${check.name} is not set in ${who}; run it with -e ${example}`, progress: 1 };
      }
      const value = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : '';
      if (check.value !== undefined && value !== check.value) {
        return { ok: false, reason: `${check.name} is ${shown(check.name, value)} in ${who}, not ${shown(check.name, check.value)}`, progress: 2 };
      }
      return { ok: true, reason: `${check.name} is set${check.value !== undefined ? ` to ${shown(check.name, value)}` : ''} in ${who}`, progress: 3 };
    });
  }

  private async volume(check: VolumeCheck, wantPresent: boolean): Promise<CheckResult> {
    let info: Dockerode.VolumeInspectInfo | undefined;
    try {
      info = await this.call((signal) => this.ctx.docker.getVolume(check.name).inspect({ abortSignal: signal }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (wantPresent) {
      return info
        ? { status: 'passed', reason: `volume ${check.name} exists (${info.Driver} driver)` }
        : { status: 'failed', reason: `volume ${check.name} does not exist: create it with docker volume create ${check.name} (or -v ${check.name}:/path)` };
    }
    if (!info) return { status: 'passed', reason: `volume ${check.name} does not exist` };
    const users = await this.listContainers({ volume: [check.name] });
    if (users.length > 0) {
      const names = users.slice(0, 3).map((c) => containerName(c)).join(', ');
      return { status: 'failed', reason: `volume ${check.name} still exists and is used by ${names}: remove the container first, then docker volume rm ${check.name}` };
    }
    return { status: 'failed', reason: `volume ${check.name} still exists: remove it with docker volume rm ${check.name}` };
  }
}

// ---------------------------------------------------------------------------------------------

const MAX_READ = 1024 * 1024;
const MAX_BODY = 256 * 1024;
const LOG_TAIL = 2000;

class BoundedSink {
  private chunks: Buffer[] = [];
  private size = 0;
  /** false once the bound is reached. */
  push(chunk: Buffer): boolean {
    if (this.size >= MAX_READ) return false;
    const room = MAX_READ - this.size;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.size += part.length;
    return this.size < MAX_READ;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Container logs of a container without a TTY come in frames (8-byte header: stream, 0, 0, 0,
 * big-endian length). Strip the headers when the whole buffer is frames; otherwise it is raw.
 */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const streamType = buf[offset];
    if ((streamType !== 0 && streamType !== 1 && streamType !== 2) || buf[offset + 1] !== 0 || buf[offset + 2] !== 0 || buf[offset + 3] !== 0) {
      return buf.toString('utf8');
    }
    const size = buf.readUInt32BE(offset + 4);
    if (offset + 8 + size > buf.length) return buf.toString('utf8');
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  if (offset !== buf.length) return buf.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const line = (lines[lines.length - 1] ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

type HttpAnswer =
  | { status: number; location?: string; body: string; truncated: boolean }
  | { error: string; message: string };

/** One GET, no redirect following, bounded body, a deadline on the whole exchange. */
export function probeHttp(host: string, port: number, requestPath: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    const done = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const req = http.request({
      host,
      port,
      path: requestPath.startsWith('/') ? requestPath : `/${requestPath}`,
      method: 'GET',
      agent: false,
      headers: { Accept: '*/*', Connection: 'close', 'User-Agent': 'container-labs-check' },
    });
    const timer = setTimeout(() => {
      done({ error: 'timeout', message: `no answer within ${formatSeconds(timeoutMs)}` });
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      done({ error: 'aborted', message: 'the check was cancelled' });
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? 'error', message: err.message }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      const finish = () => done({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8'), truncated });
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_BODY) return;
        const part = chunk.length > MAX_BODY - size ? chunk.subarray(0, MAX_BODY - size) : chunk;
        chunks.push(part);
        size += part.length;
        if (size >= MAX_BODY) {
          truncated = true;
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end();
  });
}

/** The list endpoint's view of a container, from its inspect data. */
function listShapeOf(info: Dockerode.ContainerInspectInfo): Dockerode.ContainerInfo {
  const ports: Dockerode.Port[] = [];
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const [privatePort = '0', type = 'tcp'] = key.split('/');
    if (!bindings || bindings.length === 0) {
      ports.push({ IP: '', PrivatePort: Number(privatePort), PublicPort: 0, Type: type });
      continue;
    }
    for (const b of bindings) {
      ports.push({ IP: b.HostIp, PrivatePort: Number(privatePort), PublicPort: Number(b.HostPort), Type: type });
    }
  }
  return {
    Id: info.Id,
    Names: [info.Name],
    Image: info.Config.Image,
    ImageID: info.Image,
    Command: [info.Path, ...info.Args].join(' '),
    Created: Math.floor(Date.parse(info.Created) / 1000),
    Ports: ports,
    Labels: info.Config.Labels ?? {},
    State: info.State.Status,
    Status: info.State.Status,
    HostConfig: { NetworkMode: info.HostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: info.NetworkSettings.Networks as Dockerode.ContainerInfo['NetworkSettings']['Networks'] },
    Mounts: info.Mounts.map((mt) => ({
      Name: mt.Name,
      Type: mt.Type,
      Source: mt.Source,
      Destination: mt.Destination,
      Driver: mt.Driver,
      Mode: mt.Mode,
      RW: mt.RW,
      Propagation: mt.Propagation,
    })),
  };
}
