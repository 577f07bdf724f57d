/**
 * What one evaluation reads from the engine, and reads once: container lists by filter,
 * inspects by id, image lookups, all kept for the rest of the evaluation so the parts of an
 * all/any/not share them. Also the container matching every container-based kind uses
 * (name, image, label, command, since) and the reasons it gives when nothing matches.
 *
 * Cost: the engine's filters do the matching (name, ancestor, label), so a check lists only
 * the containers it is about; an inspect happens only when a field needs it.
 */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { CheckResult, ContainerMatch, PlaceholderValues } from '../model';
import type { EngineEndpoint } from '../engine/connection';
import { callWithDeadline, isNotFound } from '../engine/errors';
import { dockerState } from '../engine/states';
import { namesImage, normalizeImageRef } from '../images';
import { escapeRegExp } from '../text';
import { containerName, exitCodeFromStatus, exitText, explainStartError, matchPhrase, quoteName, subject } from './words';

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
  /**
   * The IDs of the containers that existed when the step was opened (the runtime lists them
   * then), when known: "created since the step opened" is then "not among these", with no
   * clock (the engine's whole seconds and the 1 s slack let a container made a second before a
   * Reset Step count as new). Awaited before the engine is asked what exists now; a listed
   * container made in the opening's second or later is judged by its exact creation time (the
   * list may answer late). Undefined, or resolving to undefined: `since` decides.
   */
  existedWhenOpened?: () => Promise<ReadonlySet<string> | undefined>;
  /** Values for `${...}` placeholders in check strings. */
  placeholders?: PlaceholderValues;
  /** Deadline per engine call, default 3000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The endpoint, only to name it in "cannot check" reasons. */
  endpoint?: EngineEndpoint;
  /** Image references (normalised) a command of the lab builds (`docker build -t`): advice says build, not pull. */
  builtImages?: readonly string[];
}

/** Bounded outcome of one candidate container for a leaf check. */
export interface Verdict {
  ok: boolean;
  reason: string;
  /** How far the container got (higher is closer to passing), to pick the most useful reason. */
  progress: number;
}

/** A reason why the check cannot be made, given as it is (status `error`). */
export class CannotCheck extends Error {}

export class EngineSnapshot {
  readonly timeoutMs: number;
  private readonly lists = new Map<string, Promise<Dockerode.ContainerInfo[]>>();
  private readonly inspects = new Map<string, Promise<Dockerode.ContainerInspectInfo | undefined>>();

  constructor(readonly ctx: CheckContext) {
    this.timeoutMs = ctx.timeoutMs ?? 3000;
  }

  get docker(): Dockerode {
    return this.ctx.docker;
  }

  /** One engine call with the evaluation's deadline and signal. */
  call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return callWithDeadline(fn, this.timeoutMs, this.ctx.signal);
  }

  listContainers(filters: Record<string, string[]>): Promise<Dockerode.ContainerInfo[]> {
    const key = JSON.stringify(filters);
    let pending = this.lists.get(key);
    if (!pending) {
      pending = this.call(async (signal) => (await this.ctx.docker.listContainers({ all: true, filters, abortSignal: signal })).map((c) => ({ ...c, State: dockerState(c.State) })));
      this.lists.set(key, pending);
    }
    return pending;
  }

  /**
   * The container with exactly this name, as the list endpoint would show it (so the checks
   * read one shape), or none. The inspect result is kept for the rest of the evaluation.
   */
  async containerByName(name: string, label: string | undefined): Promise<Dockerode.ContainerInfo[]> {
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
  inspect(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
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
  async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      // dockerode's image inspect takes no abort signal; the deadline race still bounds it.
      return await this.call(() => this.ctx.docker.getImage(ref).inspect());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listImages(reference: string): Promise<Dockerode.ImageInfo[]> {
    return this.call((signal) => this.ctx.docker.listImages({ filters: { reference: [reference] }, abortSignal: signal }));
  }

  /** Containers matching `m`, newest first, split into those since the step and older ones. */
  async findContainers(m: ContainerMatch, defaultSince: 'step' | 'any'): Promise<{ matching: Dockerode.ContainerInfo[]; older: Dockerode.ContainerInfo[] }> {
    const filters: Record<string, string[]> = {};
    if (m.name) filters.name = [`^/${escapeRegExp(m.name.replace(/^\//, ''))}$`];
    if (m.label) filters.label = [m.label];
    // With a name or a label the engine already narrows the list, and the image is compared
    // here (so a container whose tag moved to a newer image since still counts). With the
    // image alone, the engine's `ancestor` filter keeps the list short among many containers.
    const byAncestor = Boolean(m.image) && !m.name && !m.label;
    const wantedImage = m.image ? normalizeImageRef(m.image) : undefined;
    let wantedId: Promise<string | undefined> | undefined;
    const idOfWanted = (): Promise<string | undefined> => {
      wantedId ??= wantedImage ? this.inspectImage(wantedImage).then((i) => i?.Id) : Promise.resolve(undefined);
      return wantedId;
    };
    // By the image's ID, which every engine's `ancestor` takes (Podman's takes no short name:
    // `alpine` matches nothing there, only `docker.io/library/alpine:latest` or the ID).
    if (byAncestor && m.image) filters.ancestor = [(await idOfWanted())?.replace(/^sha256:/, '') ?? m.image];
    // What existed as the step opened is known before the engine is asked what exists now: a
    // container seen before that list answered could be gone by the time it was taken, and
    // would then count as new (Podman, a container removed right after Reset Step).
    const since = m.since ?? defaultSince;
    const existed = since === 'any' ? undefined : await this.ctx.existedWhenOpened?.();
    // A name is looked up directly: the engine's name filter walks every container (145 ms
    // among 1,000 here), a direct inspect does not.
    const listed = m.name ? await this.containerByName(m.name.replace(/^\//, ''), m.label) : await this.listContainers(filters);
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
            if (!createdFrom || !namesImage(createdFrom, wantedImage)) continue;
          }
        } else if (!namesImage(c.Image, wantedImage)) {
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
    if (since === 'any') return { matching: all, older: [] };
    if (existed) {
      const matching: Dockerode.ContainerInfo[] = [];
      const older: Dockerode.ContainerInfo[] = [];
      for (const c of all) (existed.has(c.Id) && !(await this.madeAfterOpening(c)) ? older : matching).push(c);
      return { matching, older };
    }
    const floor = Math.floor((this.ctx.since ?? 0) / 1000) - 1;
    return { matching: all.filter((c) => c.Created >= floor), older: all.filter((c) => c.Created < floor) };
  }

  /**
   * A container the step's opening list names, but made after the step opened: the list can
   * answer after the student's container was made (a busy engine; seen over TLS under load).
   * Only one made in the second of the opening or later can be (the list's whole seconds), and
   * for those the exact creation time from inspect decides.
   */
  private async madeAfterOpening(c: Dockerode.ContainerInfo): Promise<boolean> {
    const openedAt = this.ctx.since;
    if (openedAt === undefined || c.Created < Math.floor(openedAt / 1000)) return false;
    const created = Date.parse((await this.inspect(c.Id))?.Created ?? '');
    return Number.isFinite(created) && created >= openedAt;
  }

  /** Why nothing matched: older containers, a missing image. */
  async noneReason(m: ContainerMatch, older: Dockerode.ContainerInfo[], wanted: string): Promise<string> {
    const match = matchPhrase(m);
    const newest = older[0];
    if (newest) {
      const name = quoteName(containerName(newest));
      return older.length === 1
        ? l10n.t('no container {0} was created since this step opened (1 older one exists, e.g. {1}: run a new one)', match, name)
        : l10n.t('no container {0} was created since this step opened ({1} older ones exist, e.g. {2}: run a new one)', match, older.length, name);
    }
    if (m.image) {
      const ref = normalizeImageRef(m.image);
      if (!(await this.inspectImage(ref))) {
        return this.ctx.builtImages?.includes(ref)
          ? l10n.t('no container {0} exists (the image {1} is not present either: build it first with docker build -t {1}): {2}', match, ref, wanted)
          : l10n.t('no container {0} exists (the image {1} is not present either: pull it first): {2}', match, ref, wanted);
      }
    }
    return l10n.t('no container {0} exists: {1}', match, wanted);
  }

  /**
   * Run `judge` over the matching containers (newest first, at most 10) and report the newest
   * one that passes, or else the most advanced failure, naming which container it is about.
   */
  async judgeContainers(
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
      if (count === 1) return { status: 'passed', reason: verdict.reason };
      const name = quoteName(containerName(info));
      return {
        status: 'passed',
        reason: passIndex === 0
          ? l10n.t('{0} ({1} containers match; {2} is the newest)', verdict.reason, count, name)
          : l10n.t('{0} ({1} containers match; {2} is the newest that passes)', verdict.reason, count, name),
      };
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
    return {
      status: 'failed',
      reason: best === 0
        ? l10n.t('{0} containers match; the newest ({1}): {2}', count, containerName(info), verdict.reason)
        : l10n.t('{0} containers match; the closest ({1}): {2}', count, containerName(info), verdict.reason),
    };
  }

  /** Why a container is not running, with the start error or exit code when there is one. */
  async notRunning(info: Dockerode.ContainerInfo, m: ContainerMatch): Promise<string> {
    const who = subject(info, m);
    switch (info.State) {
      case 'exited':
      case 'dead': {
        const inspected = await this.inspect(info.Id);
        const code = inspected?.State.ExitCode ?? exitCodeFromStatus(info.Status);
        const error = inspected?.State.Error;
        if (error) return l10n.t('{0} could not start: {1}', who, explainStartError(error));
        if (code === undefined) return l10n.t('{0} is {1}, not running', who, info.State);
        return l10n.t('{0} is not running: it exited with {1}', who, exitText(code, inspected?.State.OOMKilled === true));
      }
      case 'created': {
        const inspected = await this.inspect(info.Id);
        const error = inspected?.State.Error;
        if (error) return l10n.t('{0} could not start: {1}', who, explainStartError(error));
        // Docker keeps a failed start's error (above); Podman does not: a failed start and no
        // start at all look the same, and `docker start` tells them apart.
        return l10n.t('{0} was created but never ran: start it with docker start {1} (if starting it fails, that shows why)', who, containerName(info));
      }
      case 'paused':
        return l10n.t('{0} is paused: docker unpause {1}', who, containerName(info));
      case 'restarting':
        return l10n.t('{0} keeps restarting ({1})', who, info.Status);
      default:
        return l10n.t('{0} is {1}, not running', who, info.State);
    }
  }

  /** Where a port bound on `ip` answers from here. */
  hostFor(ip: string): string {
    const published = this.ctx.publishedHost ?? this.ctx.endpoint?.publishedHost ?? '127.0.0.1';
    if (!ip || ip === '0.0.0.0' || ip === '::') return published;
    const local = published === '127.0.0.1' || published === 'localhost' || published === '::1';
    return local ? ip : published;
  }
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
    State: dockerState(info.State.Status),
    Status: info.State.Status,
    HostConfig: { NetworkMode: info.HostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: info.NetworkSettings.Networks },
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
