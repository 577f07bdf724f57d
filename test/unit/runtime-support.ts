/**
 * Shared by the runtime tests (ownership matrix, parity, freshness, step states): one run id
 * and label for everything they create, labs written as real YAML files and loaded by the
 * product's loader, the product's runtime over the real engine with a real shell as its
 * executor, and removal of exactly this run's objects (by label, or by this run's names).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { EngineEvents } from '../../src/core/checks/events';
import { loadCatalog } from '../../src/core/labs/loader';
import type { Catalog } from '../../src/core/model';
import { shellExecutor, type ShellExecution } from '../../src/core/runner/run';
import type { ForegroundProcess } from '../../src/core/runner/shell';
import { LabRuntime, type LabRuntimeOptions } from '../../src/core/runtime/labRuntime';
import { MemoryStore } from '../../src/core/runtime/types';
import { RUN_ID, RUN_LABELS } from '../support/run';

/** This run's id: in every name and label the runtime tests create. */
export const RUN = RUN_ID;
export const RUN_LABEL = Object.keys(RUN_LABELS)[0] ?? '';
/** `--label` for the lab commands of the tests. */
export const LABEL_ARG = `--label ${RUN_LABEL}=${RUN}`;
export const LABELS: Record<string, string> = { ...RUN_LABELS };

/** A name of this run: `cl-test-<RUN>-<what>`. */
export function runName(what: string): string {
  return `cl-test-${RUN}-${what}`;
}

/** Writes lab (and course) files into a new folder and loads them with the product's loader; throws on any issue. */
export async function loadLabs(files: Record<string, string>): Promise<{ catalog: Catalog; dir: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-labs-'));
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  const catalog = await loadCatalog([{ path: dir, origin: 'workspace' }]);
  if (catalog.broken.length > 0) {
    throw new Error(`test labs do not load: ${catalog.broken.map((b) => b.issues.map((i) => `${path.basename(b.file)}:${i.line}:${i.col} ${i.message}`).join('; ')).join('; ')}`);
  }
  return { catalog, dir };
}

/** The product's event stream, connected. */
export async function connectedEvents(docker: Dockerode): Promise<EngineEvents> {
  const events = new EngineEvents(() => docker);
  let last = 'no status yet';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left reconnecting: that would keep mocha's process alive after the run.
      events.dispose();
      reject(new Error(`the engine event stream did not connect within 20 s (last: ${last})`));
    }, 20_000);
    const sub = events.onStatus((s) => {
      last = JSON.stringify(s);
      if (s.state === 'connected') {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
    events.start();
  });
  return events;
}

export interface TestRuntime {
  runtime: LabRuntime<ShellExecution>;
  foreground: ForegroundProcess[];
}

/** The product's runtime over the real engine, commands run by a real shell in `workspace`. */
export function shellRuntime(
  docker: Dockerode,
  events: EngineEvents,
  workspace: string,
  extra: Partial<LabRuntimeOptions<ShellExecution>> = {},
): TestRuntime {
  const foreground: ForegroundProcess[] = [];
  const runtime = new LabRuntime<ShellExecution>({
    engine: { docker, publishedHost: '127.0.0.1', events },
    store: new MemoryStore(),
    executor: shellExecutor({ cwd: workspace, env: process.env, timeoutMs: 60_000, foreground }),
    workspaceFolder: () => workspace,
    // What the runtime could not do shows in the test's output.
    log: { debug: () => undefined, info: () => undefined, warn: (m) => console.warn(`[runtime] ${m}`), error: (m) => console.error(`[runtime] ${m}`) },
    ...extra,
  });
  return { runtime, foreground };
}

/** Removes this run's containers, volumes and networks (by its label) and the given image references. */
export async function removeRunObjects(docker: Dockerode, images: string[] = []): Promise<void> {
  const filters = { label: [`${RUN_LABEL}=${RUN}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  // And by name: a named volume that `-v NAME:/path` made on the fly carries no label.
  const labelled = (await docker.listVolumes({ filters })).Volumes ?? [];
  const named = ((await docker.listVolumes({ filters: { name: [RUN] } })).Volumes ?? []).filter((v) => v.Name.includes(RUN));
  for (const name of new Set([...labelled, ...named].map((v) => v.Name))) await docker.getVolume(name).remove().catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  for (const ref of images) {
    if (!ref.includes(RUN)) throw new Error(`refusing to remove ${ref}: not a name of this run`);
    await docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
  }
}

/** Whether an object of this name exists (false on 404; other errors are thrown). */
export async function exists(kind: 'container' | 'volume' | 'network' | 'image', docker: Dockerode, name: string): Promise<boolean> {
  try {
    if (kind === 'container') await docker.getContainer(name).inspect();
    else if (kind === 'volume') await docker.getVolume(name).inspect();
    else if (kind === 'network') await docker.getNetwork(name).inspect();
    else await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-ws-'));
}
