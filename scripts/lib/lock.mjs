// A machine-wide lock between test runs of different clones (or worktrees) on one machine.
// The course's labs use fixed container names and host ports (cl-lab-web on 8080, ...): two
// runs of the real labs at once on one engine would remove each other's containers. Inside one
// `npm test` the scheduler keeps those layers apart (`conflicts`); across runs, this lock does.
//
// The lock is a directory (mkdir is atomic) holding the owner's pid. A lock whose owner is gone
// (killed, crashed) is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function ownerOf(dir) {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until this process holds the lock `name`, then returns a function that releases it.
 * `onWait(pid)` is called once when another live process holds it.
 */
export async function acquireMachineLock(name, { onWait = () => undefined, pollMs = 1000 } = {}) {
  const dir = join(tmpdir(), `container-labs-${name}.lock`);
  let told = false;
  let bornAt = Date.now();
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(dir);
    // No pid yet: its owner is between mkdir and writeFile; give it a moment before calling it stale.
    if ((owner !== undefined && !alive(owner)) || (owner === undefined && Date.now() - bornAt > 5000)) {
      rmSync(dir, { recursive: true, force: true });
      bornAt = Date.now();
      continue;
    }
    if (owner !== undefined && !told) {
      told = true;
      onWait(owner);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
