/**
 * Before `container-labs test` runs a lab: each image of its `images:` list is on the engine, or
 * is pulled now, so that a missing image is said once, with the registry's own words, instead of
 * surfacing steps later as "no container named ... exists (exited with code 125)". Images the
 * lab builds itself (`docker build -t`) are left to their step.
 */
import type Dockerode from 'dockerode';
import type { Lab, PlaceholderValues } from '../model';
import { callWithDeadline, isNotFound } from '../engine/errors';
import { builtImages } from '../runtime/labRuntime';
import { firstLine } from '../checks/words';
import { errorMessage } from '../text';

/** How long one pull may take before the lab is reported as not runnable. */
const PULL_DEADLINE_MS = 180_000;

export interface ImagesReady {
  /** The images pulled now (they were missing). */
  pulled: string[];
  /** Why the lab cannot run: one sentence per image that cannot be had. */
  problems: string[];
}

async function present(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await callWithDeadline(() => docker.getImage(ref).inspect(), 30_000);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Pulls `ref`; the error in the engine's progress stream counts (Podman answers 200 and says it there). */
async function pull(docker: Dockerode, ref: string): Promise<string | undefined> {
  try {
    await callWithDeadline(async (signal) => {
      const stream = await docker.pull(ref, { abortSignal: signal });
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }> = []) => {
          const failed = output.find((line) => typeof line.error === 'string')?.error;
          if (err) reject(err);
          else if (failed) reject(new Error(failed));
          else resolve();
        });
      });
    }, PULL_DEADLINE_MS);
    return undefined;
  } catch (error) {
    return firstLine(errorMessage(error)).replace(/^\(HTTP code \d+\) [a-z ]+ - /i, '');
  }
}

export async function prepareImages(lab: Lab, docker: Dockerode, placeholders: PlaceholderValues): Promise<ImagesReady> {
  const built = new Set(builtImages(lab, placeholders));
  const ready: ImagesReady = { pulled: [], problems: [] };
  for (const ref of lab.images) {
    if (built.has(ref)) continue;
    let here: boolean;
    try {
      here = await present(docker, ref);
    } catch (error) {
      ready.problems.push(`image ${ref} could not be looked up: ${errorMessage(error)}`);
      continue;
    }
    if (here) continue;
    const why = await pull(docker, ref);
    if (why === undefined) ready.pulled.push(ref);
    else ready.problems.push(`image ${ref} is not on the engine and could not be pulled (${why}): pull it where a registry answers (docker pull ${ref}), or load it from a file (docker load -i FILE.tar)`);
  }
  return ready;
}
