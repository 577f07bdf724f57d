// A Podman test host: Debian's podman serving its Docker-compatible API on a unix socket of
// its own (`podman system service`), on a store of its own under the cache folder (never the
// machine's /var/lib/containers), with the lesson's images copied in from the Docker engine
// under the names a real pull gives them (docker.io/library/alpine:latest, ...).
//
// The sandbox this runs in forbids raising rlimits, which crun and Podman's default ulimits
// need; runc with small explicit limits works (containers.conf below). The store keeps its
// images between runs (copied again only when the Docker engine's image changed); the
// service, its socket and its configuration are made per run in a HostDir and stopped by it.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { aptInstall } from './apt.mjs';
import { cacheRoot, run, UserError, withDirLock } from './common.mjs';
import { acquireMachineLock } from './lock.mjs';
import { HostDir, reapStaleHosts } from './daemon.mjs';
import { dockerCliEnv, engineClient } from './engine.mjs';

const PING_DEADLINE_MS = 3000;

/** The Docker Hub names a real pull gives: `alpine:latest` -> `docker.io/library/alpine:latest`. */
export function pulledName(name) {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return name;
  return slash < 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/** The configuration files the service and the podman CLI read (CONTAINERS_* variables). */
function writeConfig(host, store) {
  const containersConf = host.path('containers.conf');
  writeFileSync(containersConf, [
    '[containers]',
    'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
    '[engine]',
    'runtime = "runc"',
    'events_logger = "file"',
    `events_logfile_path = "${host.path('events.log')}"`,
    '',
  ].join('\n'));
  const storageConf = host.path('storage.conf');
  writeFileSync(storageConf, ['[storage]', 'driver = "overlay"', `graphroot = "${join(store, 'graph')}"`, `runroot = "${join(store, 'run')}"`, ''].join('\n'));
  // Short names are looked up on Docker Hub, like the docker CLI; the lab's own registry on
  // localhost:5000 speaks plain HTTP, which Podman (unlike Docker) must be told to accept.
  const registriesConf = host.path('registries.conf');
  writeFileSync(registriesConf, [
    'unqualified-search-registries = ["docker.io"]',
    'short-name-mode = "permissive"',
    '[[registry]]',
    'location = "localhost:5000"',
    'insecure = true',
    '',
  ].join('\n'));
  return { CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf, CONTAINERS_REGISTRIES_CONF: registriesConf };
}

async function answers(docker) {
  try {
    await docker.ping({ abortSignal: AbortSignal.timeout(PING_DEADLINE_MS) });
    return true;
  } catch {
    return false;
  }
}

async function imageId(docker, name) {
  try {
    return (await docker.getImage(name).inspect()).Id;
  } catch (error) {
    if (error?.statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Copies `names` from the Docker engine (`engine`, as ensureEngine found it) into Podman (`podmanEnv`
 * for the podman CLI) under their pulled names, when Podman has no image of that name with the
 * same ID. `docker save | podman load` keeps the ID; the `localhost/...` name that `podman load`
 * gives is removed. Resolves one line per image.
 */
async function copyImages(engine, podman, podmanEnv, names, log) {
  const source = engineClient(engine);
  const lines = [];
  for (const name of names) {
    const wanted = await imageId(source, name);
    if (!wanted) throw new UserError(`the Docker engine has no image ${name} to copy into Podman: run node scripts/images.mjs first`);
    const target = pulledName(name);
    if ((await imageId(podman, target)) === wanted) {
      lines.push(`${target}: present`);
      continue;
    }
    const started = Date.now();
    const script = 'docker save "$1" | podman load -q';
    const r = await run('sh', ['-c', script, 'sh', name], { capture: true, echo: false, env: { ...dockerCliEnv(engine), ...podmanEnv } });
    if (r.code !== 0) throw new UserError(`copying ${name} into Podman failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    const loaded = /Loaded image(?:\(s\))?: (\S+)/.exec(r.stdout)?.[1];
    const tag = await run('podman', ['tag', wanted.replace(/^sha256:/, ''), target], { capture: true, echo: false, env: { ...process.env, ...podmanEnv } });
    if (tag.code !== 0) throw new UserError(`podman tag ${name} ${target} failed: ${tag.stderr.trim()}`);
    if (loaded && loaded !== target && loaded.startsWith('localhost/')) {
      await run('podman', ['untag', loaded.replace(/^sha256:/, ''), loaded], { capture: true, echo: false, env: { ...process.env, ...podmanEnv } });
    }
    lines.push(`${target}: copied from the Docker engine in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    log(lines[lines.length - 1]);
  }
  return lines;
}

/**
 * Starts a Podman service and copies `images` into it. Resolves
 * `{ kind: 'podman', host, env, version, apiVersion, dir, stop() }`: `env` is what a client
 * needs (DOCKER_HOST), `stop()` stops the service and removes its run folder.
 * `engine` is the Docker engine the images come from, as `ensureEngine` found it.
 */
export async function startPodmanHost({ engine, images = [], log = () => undefined }) {
  await aptInstall(['podman'], { log, forWhat: 'the Podman test host' });
  for (const dir of await reapStaleHosts('podman')) log(`stopped the servers of a run that ended without stopping them (${dir})`);
  const store = join(cacheRoot(), 'podman');
  mkdirSync(store, { recursive: true });
  // One Podman host on the store at a time, machine-wide: the store outlives the service, and a
  // host's stop removes the tests' and labs' objects it finds there, which would be another
  // run's live ones (two clones' runs at once on this machine, or test-hosts.mjs by hand).
  const release = await acquireMachineLock('podman-store', { onWait: (pid) => log(`waits for another test run's Podman host (pid ${pid}) to stop`) });
  const host = new HostDir('podman');
  try {
    const podmanEnv = writeConfig(host, store);
    const socket = host.path('podman.sock');
    const docker = new Docker({ socketPath: socket, timeout: 60_000 });
    await host.start('podman', 'podman', ['system', 'service', '--time=0', `unix://${socket}`], {
      env: { ...process.env, ...podmanEnv },
      ready: () => answers(docker),
      deadlineMs: 60_000,
    });
    const version = await docker.version();
    // Two runs at once copy one image once.
    const lines = await withDirLock(join(store, 'copy.lock'), { what: 'copy of images into Podman', log }, () => copyImages(engine, docker, podmanEnv, images, log));
    return {
      kind: 'podman',
      host: `unix://${socket}`,
      env: { DOCKER_HOST: `unix://${socket}` },
      podmanEnv,
      version: version.Version,
      apiVersion: version.ApiVersion,
      dir: host.dir,
      images: lines,
      stop: async (opts) => {
        try {
          return await stopPodman(host, docker, opts);
        } finally {
          release();
        }
      },
      describe: `Podman ${version.Version} (API ${version.ApiVersion}) at unix://${socket}`,
    };
  } catch (error) {
    await host.stop({ keep: true });
    release();
    throw error;
  }
}

/**
 * Stops the service. Containers still in the store that carry a test run's or a lab's mark
 * were left behind by a test: they are removed (their conmon would outlive the service) and
 * named, so that the leak is seen; so are a test's tags, volumes and networks.
 */
async function stopPodman(host, docker, { keep = false } = {}) {
  const leftovers = [];
  try {
    const all = await docker.listContainers({ all: true, abortSignal: AbortSignal.timeout(10_000) });
    for (const c of all) {
      const name = (c.Names?.[0] ?? c.Id).replace(/^\//, '');
      const ours = 'org.container-labs.test-run' in (c.Labels ?? {}) || /^cl-(lab|test)-/.test(name);
      if (!ours) continue;
      leftovers.push(name);
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    // The store outlives the service (the images are copied in once): a test's own tags,
    // volumes and networks left in it would pile up from run to run.
    const timeout = () => AbortSignal.timeout(10_000);
    for (const image of await docker.listImages({ abortSignal: timeout() })) {
      for (const tag of image.RepoTags ?? []) {
        // A test's own name (cl-test-<what>-<run>-<n>, test/support/run.ts); never the fixture
        // images copied in (cl-test-busybox and the lesson images).
        if (!/^(?:[^/]+\/)*cl-test-[a-z0-9-]+-[0-9a-z]+-\d+$/.test(tag.replace(/:[^:/]+$/, ''))) continue;
        leftovers.push(`tag ${tag}`);
        await docker.getImage(tag).remove({ noprune: true }).catch(() => undefined);
      }
    }
    const { Volumes: volumes } = await docker.listVolumes({ abortSignal: timeout() });
    for (const v of volumes ?? []) {
      if (!('org.container-labs.test-run' in (v.Labels ?? {})) && !/^cl-(lab|test)-/.test(v.Name)) continue;
      leftovers.push(`volume ${v.Name}`);
      await docker.getVolume(v.Name).remove().catch(() => undefined);
    }
    for (const n of await docker.listNetworks({ abortSignal: timeout() })) {
      if (!('org.container-labs.test-run' in (n.Labels ?? {})) && !/^cl-test-/.test(n.Name)) continue;
      leftovers.push(`network ${n.Name}`);
      await docker.getNetwork(n.Id).remove().catch(() => undefined);
    }
  } catch {
    // the service is already gone: nothing to list
  }
  const killed = await host.stop({ keep });
  return { leftovers, killed };
}
