/**
 * Shared by the runner, ledger and CLI tests: the runner fixture labs with names of this run,
 * a temporary workspace, and removal of what a test created (by this run's names only).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { ensureBusybox, requireEngine } from '../support/engine';
import { RUN_ID } from '../support/run';

/** The fixture labs as written (their containers, volumes and tags are named cl-test-runner-*). */
const FIXTURE_SOURCE = path.resolve(__dirname, '../../../test/fixtures/runner-labs');

/**
 * The prefix of every name the fixture labs create in this run: `cl-test-runner-` in the files
 * becomes `cl-test-<run>-`, so two runs on one engine (two clones, or a developer and CI)
 * never share a container, a volume or a tag.
 */
export const RUNNER_PREFIX = `cl-test-${RUN_ID}-`;

/** `cl-test-runner-hello` -> this run's name for it. */
export function runnerName(name: string): string {
  return RUNNER_PREFIX + name;
}

/** Copies the fixture labs into `dir` with this run's names; resolves the folder to give the runner. */
export async function runnerFixtures(dir: string): Promise<string> {
  const target = path.join(dir, 'runner-labs');
  await fs.mkdir(target, { recursive: true });
  for (const file of await fs.readdir(FIXTURE_SOURCE)) {
    const text = await fs.readFile(path.join(FIXTURE_SOURCE, file), 'utf8');
    await fs.writeFile(path.join(target, file), text.replaceAll('cl-test-runner-', RUNNER_PREFIX));
  }
  return target;
}

/** Removes containers, volumes and image tags with these exact names, if they exist. */
export async function removeNamed(docker: Dockerode, names: { containers?: string[]; volumes?: string[]; images?: string[] }): Promise<void> {
  const ours = (name: string): string => {
    if (!name.includes(RUN_ID)) throw new Error(`refusing to remove ${name}: not a name of this test run`);
    return name;
  };
  for (const name of names.containers ?? []) await docker.getContainer(ours(name)).remove({ force: true }).catch(() => undefined);
  for (const name of names.volumes ?? []) await docker.getVolume(ours(name)).remove().catch(() => undefined);
  for (const ref of names.images ?? []) await docker.getImage(ours(ref)).remove({ noprune: true }).catch(() => undefined);
}

/**
 * The before/after hooks of a runner suite: an engine that answers, the busybox image, a
 * temporary workspace with this run's copy of the fixture labs (handed to `onReady`), and
 * none of the suite's named things left behind.
 */
export function useRunnerFixture(
  docker: Dockerode,
  names: { containers?: string[]; volumes?: string[]; images?: string[] },
  onReady: (workspace: string, fixtures: string) => void,
): void {
  let workspace = '';
  before(async () => {
    await requireEngine(docker);
    await ensureBusybox(docker);
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-ws-'));
    onReady(workspace, await runnerFixtures(workspace));
  });
  after(async () => {
    await removeNamed(docker, names);
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });
}
