/**
 * Clean-up of a lab: a PLAN first (each thing the ledger holds once, only if it still exists
 * and is still the thing the lab created, with why it is the lab's), then the removal of
 * exactly that plan, each item reported as removed, already gone or refused. The extension
 * shows the plan before it asks; `container-labs test` runs the same plan after each lab.
 * No `vscode` import.
 */
import type Dockerode from 'dockerode';
import { callWithDeadline, engineErrorReason, isNotFound, statusCodeOf } from '../engine/errors';
import type { LedgerEntry, OwnedKind, ResourceLedger } from '../ledger';
import { createdNames, dockerCalls } from '../labs/dockerCommands';
import { normalizeImageRef } from '../images';
import { REMOVAL_ORDER } from './ownership';

export interface CleanupItem {
  kind: OwnedKind;
  /** The ledger's identity of the thing (container id, volume name, network id, image reference). */
  id: string;
  /** Its name now (a container may have been renamed). */
  name: string;
  /** Why it is the lab's: "created by `docker run --name x ...` at 14:02". */
  why: string;
}

export interface CleanupPlan {
  labId: string;
  items: CleanupItem[];
  /** Things of the ledger found gone (or replaced by something else) while planning: forgotten after the clean-up. */
  gone: Array<{ kind: OwnedKind; id: string }>;
}

export type CleanupOutcome = 'removed' | 'already-gone' | 'refused';

export interface CleanupResult extends CleanupItem {
  outcome: CleanupOutcome;
  /** Why it was refused (the engine's message), or why it counts as gone. */
  reason?: string;
}

export interface CleanupReport {
  items: CleanupResult[];
  removed: number;
  alreadyGone: number;
  refused: number;
}

export interface CleanupOptions {
  /** Deadline of each engine call, default 10 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For the "at 14:02" of each reason (tests), default now. */
  now?: number;
}

const COMMAND_IN_WHY = 60;

/** `14:02`, or `2026-12-01 14:02` when not today (local time). */
function when(ms: number, now: number): string {
  const at = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return at.toDateString() === new Date(now).toDateString() ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}

function shortCommand(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > COMMAND_IN_WHY ? `${one.slice(0, COMMAND_IN_WHY - 4).trimEnd()} ...` : one;
}

/** Why an entry is the lab's, in one line. */
export function whyOwned(entry: LedgerEntry, ownerName: string | undefined, now = Date.now()): string {
  const by = `created by \`${shortCommand(entry.command)}\` at ${when(entry.createdAt, now)}`;
  if (entry.via === 'with-container') return `an anonymous volume that came with the lab's container ${ownerName ?? entry.container?.slice(0, 12) ?? ''}, ${by}`;
  if (entry.via === 'generated') return `${by} (the engine named it; the command's arguments match it)`;
  return by;
}

interface Present {
  name: string;
}

/** Whether the thing the entry records is still there and still that thing; its present name if so. */
async function present(docker: Dockerode, entry: LedgerEntry, timeoutMs: number, signal?: AbortSignal): Promise<Present | undefined> {
  const call = <T>(fn: (s: AbortSignal) => Promise<T>): Promise<T> => callWithDeadline(fn, timeoutMs, signal);
  try {
    switch (entry.kind) {
      case 'container': {
        const info = await call((s) => docker.getContainer(entry.id).inspect({ abortSignal: s }));
        return info.Id === entry.id ? { name: info.Name.replace(/^\//, '') } : undefined;
      }
      case 'volume':
        // A volume has no id, and its CreatedAt is its folder's time of change (a mount moves
        // it): the recorder forgets a volume of the ledger when the engine destroys it, so a
        // later one of the same name is never taken for it.
        await call(() => docker.getVolume(entry.id).inspect());
        return { name: entry.name };
      case 'network': {
        const info = (await call(() => docker.getNetwork(entry.id).inspect())) as { Id: string; Name: string };
        return info.Id === entry.id ? { name: info.Name } : undefined;
      }
      case 'image': {
        const info = await call(() => docker.getImage(entry.id).inspect());
        // The reference now names another image (retagged since): not the lab's any more.
        return entry.imageId === undefined || info.Id === entry.imageId ? { name: entry.name } : undefined;
      }
    }
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * What clean-up would remove now: each thing of the ledger once, in removal order, only when
 * it still exists as the lab made it. A thing the engine could not be asked about is kept in
 * the plan (its removal then says what happened).
 */
export async function planCleanup(docker: Dockerode, ledger: ResourceLedger, opts: CleanupOptions = {}): Promise<CleanupPlan> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? Date.now();
  const entries = ledger.list().sort((a, b) => REMOVAL_ORDER.indexOf(a.kind) - REMOVAL_ORDER.indexOf(b.kind));
  const found = await Promise.all(
    entries.map(async (entry) => {
      try {
        return await present(docker, entry, timeoutMs, opts.signal);
      } catch {
        return { name: entry.name };
      }
    }),
  );
  const containerNames = new Map<string, string>();
  entries.forEach((entry, i) => {
    const here = found[i];
    if (entry.kind === 'container' && here) containerNames.set(entry.id, here.name);
  });
  const items: CleanupItem[] = [];
  const gone: CleanupPlan['gone'] = [];
  entries.forEach((entry, i) => {
    const here = found[i];
    if (!here) {
      gone.push({ kind: entry.kind, id: entry.id });
      return;
    }
    const owner = entry.container ? (containerNames.get(entry.container) ?? entry.container.slice(0, 12)) : undefined;
    items.push({ kind: entry.kind, id: entry.id, name: here.name, why: whyOwned(entry, owner, now) });
  });
  return { labId: ledger.labId, items, gone };
}

/** Whether the entry's command built this image reference (`docker build -t REF`). */
function builtBy(entry: LedgerEntry): boolean {
  return dockerCalls(entry.command).some((call) => call.verb === 'build' && createdNames(call).images.some((ref) => normalizeImageRef(ref) === entry.id));
}

async function removeOne(docker: Dockerode, item: CleanupItem, entry: LedgerEntry | undefined, timeoutMs: number, signal?: AbortSignal): Promise<CleanupResult> {
  const done = (outcome: CleanupOutcome, reason?: string): CleanupResult => (reason === undefined ? { ...item, outcome } : { ...item, outcome, reason });
  if (!entry) return done('refused', 'it is no longer in the lab\'s ledger');
  const call = <T>(fn: (s: AbortSignal) => Promise<T>): Promise<T> => callWithDeadline(fn, timeoutMs, signal);
  try {
    // Looked at again right before: something else may have taken the name since the plan.
    if (!(await present(docker, entry, timeoutMs, signal))) return done('already-gone');
    switch (entry.kind) {
      case 'container':
        // Not `v: true`: that would delete every anonymous volume it mounts, also ones it only
        // borrowed; the volumes that came with it are items of their own.
        await call((s) => docker.getContainer(entry.id).remove({ force: true, v: false, abortSignal: s }));
        break;
      case 'volume':
        await call((s) => docker.getVolume(entry.id).remove({ abortSignal: s }));
        break;
      case 'network':
        await call((s) => docker.getNetwork(entry.id).remove({ abortSignal: s }));
        break;
      case 'image':
        // By reference: an image with other names only loses this one; never forced. An image the
        // lab built goes with its untagged build layers (the legacy builder keeps one per
        // instruction); the engine keeps any layer another image or a tag still uses.
        await call((s) => docker.getImage(entry.id).remove({ force: false, noprune: !builtBy(entry), abortSignal: s }));
        break;
    }
    return done('removed');
  } catch (error) {
    if (isNotFound(error)) return done('already-gone');
    if (entry.kind === 'container' && statusCodeOf(error) === 409) {
      // "removal already in progress" (a --rm container that just stopped): wait for it to go.
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        try {
          if (!(await present(docker, entry, timeoutMs, signal))) return done('already-gone');
        } catch {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return done('refused', engineErrorReason(error, timeoutMs, signal));
  }
}

/** Removes exactly the plan's items, in its order (containers first: they hold volumes and networks). */
export async function runCleanup(docker: Dockerode, ledger: ResourceLedger, plan: CleanupPlan, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const byKey = new Map(ledger.list().map((e) => [`${e.kind}\u0000${e.id}`, e]));
  const items: CleanupResult[] = [];
  for (const kind of REMOVAL_ORDER) {
    const batch = plan.items.filter((i) => i.kind === kind);
    // Containers one by one would take long; the engine removes them side by side fine.
    const results = kind === 'container'
      ? await Promise.all(batch.map((i) => removeOne(docker, i, byKey.get(`${i.kind}\u0000${i.id}`), timeoutMs, opts.signal)))
      : await sequential(batch, (i) => removeOne(docker, i, byKey.get(`${i.kind}\u0000${i.id}`), timeoutMs, opts.signal));
    items.push(...results);
  }
  ledger.forget([...plan.gone, ...items.filter((i) => i.outcome !== 'refused')]);
  return summarize(items);
}

async function sequential<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

export function summarize(items: CleanupResult[]): CleanupReport {
  return {
    items,
    removed: items.filter((i) => i.outcome === 'removed').length,
    alreadyGone: items.filter((i) => i.outcome === 'already-gone').length,
    refused: items.filter((i) => i.outcome === 'refused').length,
  };
}

/** Plans and removes in one go (the CLI after a lab): the same plan the extension shows. */
export async function cleanupLedger(docker: Dockerode, ledger: ResourceLedger, opts: CleanupOptions = {}): Promise<{ plan: CleanupPlan; report: CleanupReport }> {
  await ledger.settled();
  const plan = await planCleanup(docker, ledger, opts);
  const report = await runCleanup(docker, ledger, plan, opts);
  return { plan, report };
}
