// One entry to the test hosts of scripts/lib/{podman,tls,sshd}.mjs, for scripts/test-hosts.mjs
// and the lanes of scripts/test-all.mjs.
import { FIXTURE_IMAGES } from '../images.mjs';
import { say, UserError } from './common.mjs';
import { ensureEngine } from './engine.mjs';
import { startPodmanHost } from './podman.mjs';
import { startSshHost } from './sshd.mjs';
import { startTlsHost } from './tls.mjs';

export const HOST_KINDS = ['podman', 'tls', 'ssh'];

/**
 * Starts a test host of `kind` in front of (tls, ssh) or beside (podman) the Docker engine.
 * Podman gets the lesson's images copied in. Resolves the host (see scripts/lib/*.mjs):
 * `{ kind, host, env, describe, stop() }`.
 */
export async function startTestHost(kind, { log = (m) => say(kind, m) } = {}) {
  const engine = await ensureEngine({ log, allowStart: false });
  if (kind === 'podman') {
    // The unit tests' cl-test-busybox is not copied: they import it themselves, and Podman
    // names an import localhost/cl-test-busybox:latest, as a student's own build.
    return startPodmanHost({ engine, images: FIXTURE_IMAGES.map((i) => i.name), log });
  }
  if (kind === 'tls') return startTlsHost({ engine, log });
  if (kind === 'ssh') return startSshHost({ engine, log });
  throw new UserError(`unknown test host ${kind}; choose from ${HOST_KINDS.join(', ')}`, 2);
}

