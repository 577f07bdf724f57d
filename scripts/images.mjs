#!/usr/bin/env node
// Builds the lesson's images offline, under the names the labs use, ONLY when a name is absent:
// an image that exists (pulled by the user, or built by an earlier run) is never rebuilt or
// retagged. Everything we build carries the label org.container-labs.fixture=true.
//
//   node scripts/images.mjs                 build what is missing, one line per image
//   node scripts/images.mjs --check         only report; exit 1 when any image is missing
//   node scripts/images.mjs --only NAME     limit to some images (repeatable, or a,b,c);
//                                           NAME is e.g. alpine, jupyter, registry:2
//   node scripts/images.mjs --refresh       also rebuild images WE built (fixture label) whose
//                                           recipe (scripts/images/...) changed since; images
//                                           without our label are still never touched
//
// Other scripts: `import { ensureImages } from './images.mjs'`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { cacheRoot, runMain, UserError, withDirLock } from './lib/common.mjs';
import { dockerCliEnv, ensureEngine } from './lib/engine.mjs';
import { aptInstall } from './lib/apt.mjs';
import { busyboxAppletPaths, debianRootfsTarball, exec, makeBusyboxRootfs, packDir, workDir } from './images/rootfs.mjs';

export const FIXTURE_LABEL = 'org.container-labs.fixture';
/** A hash of the files an image was made from; lets --refresh find stale fixtures. */
export const RECIPE_LABEL = 'org.container-labs.fixture.recipe';
/** The Debian base the Dockerfile images start FROM; imported from the debootstrap tarball. */
export const BASE_IMAGE = 'container-labs/debian-base:bookworm';

const IMAGES_DIR = fileURLToPath(new URL('./images/', import.meta.url));
const INSPECT_DEADLINE_MS = 10_000;
const IMPORT_DEADLINE_MS = 5 * 60_000;
const BUILD_DEADLINE_MS = 15 * 60_000;
const LOCK_WAIT_MS = 20 * 60_000;
const REMOVE_DEADLINE_MS = 2 * 60_000;
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The fixture images, in build order. `kind` says how: 'busybox' = a busybox rootfs imported
 * with `docker import`; 'dockerfile' = `docker build` of scripts/images/<dir> FROM BASE_IMAGE.
 */
export const FIXTURE_IMAGES = Object.freeze([
  { key: 'alpine', name: 'alpine:latest', kind: 'busybox', changes: [`ENV ${PATH_ENV}`, 'CMD ["/bin/sh"]'] },
  { key: 'hello-world', name: 'hello-world:latest', kind: 'busybox', hello: true, changes: [`ENV ${PATH_ENV}`, 'CMD ["/hello"]'] },
  { key: 'jupyter', name: 'jupyter/base-notebook:latest', kind: 'dockerfile', dir: 'jupyter' },
  { key: 'rstudio', name: 'rocker/rstudio:latest', kind: 'dockerfile', dir: 'rstudio' },
  { key: 'registry', name: 'registry:2', kind: 'dockerfile', dir: 'registry' },
]);

/** Resolves one --only value to a fixture entry (key, full name, or name without ":latest"). */
export function findFixture(selector) {
  const s = selector.trim().toLowerCase();
  return FIXTURE_IMAGES.find((img) => img.key === s || img.name === s || img.name === `${s}:latest` || img.name.split(':')[0] === s);
}

/** A short hash of everything an image is made from (its folder, or the busybox rootfs code). */
export function recipeHash(image) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...image, base: BASE_IMAGE }));
  const files = image.kind === 'dockerfile' ? readdirSync(join(IMAGES_DIR, image.dir)).sort().map((f) => join(IMAGES_DIR, image.dir, f)) : [join(IMAGES_DIR, 'rootfs.mjs')];
  for (const file of files) {
    hash.update(file.slice(IMAGES_DIR.length));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function cacheDir() {
  return cacheRoot();
}

function logsDir() {
  const dir = join(cacheDir(), 'logs');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Inspects an image with a deadline. Resolves the inspect data, or undefined when the engine
 * says 404 (not there). Any other failure (engine did not answer in time, ...) rejects.
 */
export async function inspectImage(docker, name) {
  for (let attempt = 1; ; attempt++) {
    const signal = AbortSignal.timeout(INSPECT_DEADLINE_MS);
    try {
      return await docker.getImage(name).inspect({ abortSignal: signal });
    } catch (error) {
      if (error?.statusCode === 404) return undefined;
      if (signal.aborted) throw new UserError(`the engine did not answer "inspect ${name}" within ${INSPECT_DEADLINE_MS / 1000} s`);
      // A dropped connection (seen on a heavily loaded engine) is worth one more try or two.
      const dropped = ['ECONNRESET', 'EPIPE'].includes(error?.code) || /socket hang up/i.test(errorText(error));
      if (!dropped || attempt >= 3) throw new UserError(`inspecting ${name} failed: ${errorText(error)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function hasFixtureLabel(info) {
  return info?.Config?.Labels?.[FIXTURE_LABEL] === 'true';
}

/** Installs Debian packages the build needs (idempotent: nothing happens when they are there). */
async function ensureHostPackages(pkgs, log) {
  await aptInstall(pkgs, { log, forWhat: 'the fixture images', recommends: false });
}

/** So that two runs at once (test-all and a developer) do not build the same image twice. */
function withLock(log, fn) {
  return withDirLock(join(cacheDir(), 'images.lock'), { what: 'images.mjs run', waitMs: LOCK_WAIT_MS, log }, fn);
}

/** Builds the busybox rootfs once per run (shared by alpine and hello-world). */
async function importBusyboxImage(image, env) {
  const busybox = process.env.CONTAINER_LABS_BUSYBOX || '/bin/busybox';
  if (!existsSync(busybox)) throw new UserError(`${busybox} is missing (Debian: apt-get install busybox-static)`);
  const applets = await busyboxAppletPaths(busybox);
  const work = workDir(join(cacheDir(), 'tmp'), `rootfs-${image.key}`);
  try {
    const rootfs = join(work, 'rootfs');
    makeBusyboxRootfs(rootfs, busybox, applets, { hello: image.hello === true });
    const tar = join(work, 'rootfs.tar');
    await packDir(rootfs, tar);
    const changes = [`LABEL ${FIXTURE_LABEL}=true`, `LABEL ${RECIPE_LABEL}=${recipeHash(image)}`, ...image.changes].flatMap((c) => ['-c', c]);
    await exec('docker', ['import', ...changes, tar, image.name], { env, timeoutMs: IMPORT_DEADLINE_MS, logFile: join(logsDir(), `import-${image.key}.log`) });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Makes sure BASE_IMAGE exists: the cached debootstrap tarball, imported (only when absent). */
async function ensureBaseImage(docker, env, log) {
  if (await inspectImage(docker, BASE_IMAGE)) return;
  const t0 = Date.now();
  await ensureHostPackages(['debootstrap'], log);
  const mirror = process.env.CONTAINER_LABS_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
  const { tarball, cached } = await debianRootfsTarball({ cacheDir: cacheDir(), mirror, logFile: join(logsDir(), 'debootstrap.log') });
  await exec('docker', ['import', '-c', `LABEL ${FIXTURE_LABEL}=true`, '-c', `ENV ${PATH_ENV}`, '-c', 'CMD ["bash"]', tarball, BASE_IMAGE], {
    env,
    timeoutMs: IMPORT_DEADLINE_MS,
    logFile: join(logsDir(), 'import-debian-base.log'),
  });
  log(`${BASE_IMAGE}: built in ${Math.round((Date.now() - t0) / 1000)} s (${cached ? 'cached rootfs' : 'debootstrap'}: ${tarball})`);
}

async function buildDockerfileImage(image, env) {
  const context = join(IMAGES_DIR, image.dir);
  const logFile = join(logsDir(), `build-${image.key}.log`);
  rmSync(logFile, { force: true });
  await exec(
    'docker',
    ['build', '--network', 'host', '--label', `${FIXTURE_LABEL}=true`, '--label', `${RECIPE_LABEL}=${recipeHash(image)}`, '--build-arg', `BASE=${BASE_IMAGE}`, '-t', image.name, context],
    { env, timeoutMs: BUILD_DEADLINE_MS, logFile },
  );
}

function describe(result) {
  switch (result.state) {
    case 'present':
      if (!result.fixture) return 'present (not built by us; left alone)';
      return result.stale ? 'present (a Container Labs fixture; its recipe changed since: --refresh rebuilds it)' : 'present (a Container Labs fixture)';
    case 'built':
      return `${result.refreshed ? 'rebuilt' : 'built'} in ${result.seconds} s`;
    case 'missing':
      return 'missing';
    default:
      return `FAILED: ${result.error ?? 'unknown error'}`;
  }
}

/**
 * Makes sure the fixture images exist. Options:
 *   only:  keys or names to limit to (default: all)
 *   check: only report, build nothing
 *   refresh: also rebuild images that carry our label but were made from an older recipe
 *   log(line): progress lines (default: stdout)
 *   engine: a result of ensureEngine() (default: ensureEngine() is called)
 * Resolves an array of { key, name, state: 'present'|'built'|'missing'|'failed', fixture,
 * stale?, refreshed?, seconds?, error? }, one per selected image. Rejects only when the engine cannot be reached.
 */
export async function ensureImages({ only, check = false, refresh = false, log = (line) => process.stdout.write(`[images] ${line}\n`), engine } = {}) {
  let selected = FIXTURE_IMAGES;
  if (only && only.length > 0) {
    selected = only.map((sel) => {
      const img = findFixture(sel);
      if (!img) throw new UserError(`unknown image "${sel}"; known: ${FIXTURE_IMAGES.map((i) => i.key).join(', ')}`);
      return img;
    });
    selected = FIXTURE_IMAGES.filter((img) => selected.includes(img));
  }
  const eng = engine ?? (await ensureEngine({ log, allowStart: !check }));
  // The engine helper's options carry its 3 s ping timeout; here each call has its own
  // deadline (AbortSignal), and removing a big image can take longer than 3 s on a busy host.
  const docker = new Docker({ ...(eng.options ?? {}), timeout: REMOVE_DEADLINE_MS });
  const env = dockerCliEnv(eng);

  const report = async () => {
    const out = [];
    for (const img of selected) {
      const info = await inspectImage(docker, img.name);
      const fixture = hasFixtureLabel(info);
      const stale = fixture && info?.Config?.Labels?.[RECIPE_LABEL] !== recipeHash(img);
      out.push({ key: img.key, name: img.name, state: info ? 'present' : 'missing', fixture, stale, id: info?.Id });
    }
    return out;
  };

  // With --refresh, a stale fixture of ours counts as missing (it is rebuilt under its name).
  const needsWork = (r) => r.state === 'missing' || (refresh && r.state === 'present' && r.fixture && r.stale);
  let results = await report();
  if (check || !results.some(needsWork)) {
    for (const r of results) log(`${r.name}: ${describe(r)}`);
    return results;
  }

  return withLock(log, async () => {
    // Another run may have built some while we waited for the lock.
    results = await report();
    for (const r of results) {
      if (needsWork(r) && r.state === 'present') {
        r.state = 'missing';
        r.refreshed = true;
      }
    }
    for (const r of results.filter((x) => x.state === 'present')) log(`${r.name}: ${describe(r)}`);
    const missing = (kind) => results.filter((r) => r.state === 'missing' && FIXTURE_IMAGES.find((i) => i.key === r.key)?.kind === kind);
    const finish = async (r, t0, error) => {
      if (error) {
        r.state = 'failed';
        r.error = errorText(error);
      } else {
        r.state = 'built';
        r.fixture = true;
        r.stale = false;
        r.seconds = Math.round((Date.now() - t0) / 1000);
      }
      log(`${r.name}: ${describe(r)}`);
      // The stale image it replaced is ours; drop it unless a container still uses it (then
      // the engine refuses with 409 and it stays as <none> until that container is gone).
      if (!error && r.refreshed && r.id) {
        await docker
          .getImage(r.id)
          .remove({ abortSignal: AbortSignal.timeout(REMOVE_DEADLINE_MS) })
          .catch((e) => log(`${r.name}: the replaced image ${r.id.slice(7, 19)} was kept (${e?.statusCode === 409 ? 'still in use' : errorText(e)})`));
      }
    };

    const busyboxOnes = missing('busybox');
    if (busyboxOnes.length > 0) {
      try {
        await ensureHostPackages(['busybox-static'], log);
      } catch (error) {
        for (const r of busyboxOnes) await finish(r, 0, error);
      }
      for (const r of busyboxOnes.filter((x) => x.state === 'missing')) {
        const t0 = Date.now();
        try {
          await importBusyboxImage(FIXTURE_IMAGES.find((i) => i.key === r.key), env);
          await finish(r, t0);
        } catch (error) {
          await finish(r, t0, error);
        }
      }
    }

    const debianOnes = missing('dockerfile');
    if (debianOnes.length > 0) {
      const t0 = Date.now();
      let baseError;
      try {
        await ensureBaseImage(docker, env, log);
      } catch (error) {
        baseError = new Error(`the Debian base image could not be made: ${errorText(error)}`);
      }
      // The builds mostly wait on the network (apt), so they run side by side.
      await Promise.all(
        debianOnes.map(async (r) => {
          if (baseError) return finish(r, t0, baseError);
          const t1 = Date.now();
          try {
            await buildDockerfileImage(FIXTURE_IMAGES.find((i) => i.key === r.key), env);
            await finish(r, t1);
          } catch (error) {
            await finish(r, t1, error);
          }
        }),
      );
    }
    return results;
  });
}

function parseArgs(argv) {
  const opts = { check: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--refresh') opts.refresh = true;
    else if (a === '--only') {
      const v = argv[++i];
      if (!v) throw new UserError('--only needs a name, e.g. --only jupyter');
      opts.only.push(...v.split(',').filter(Boolean));
    } else if (a.startsWith('--only=')) opts.only.push(...a.slice('--only='.length).split(',').filter(Boolean));
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new UserError(`unknown argument ${a}; usage: node scripts/images.mjs [--check] [--refresh] [--only NAME]`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(
      'usage: node scripts/images.mjs [--check] [--refresh] [--only NAME[,NAME...]]\n' +
        `images: ${FIXTURE_IMAGES.map((i) => `${i.key} (${i.name})`).join(', ')}\n` +
        `cache: ${cacheDir()} (env CONTAINER_LABS_CACHE); build logs in its logs/ folder\n`,
    );
    return 0;
  }
  const t0 = Date.now();
  const results = await ensureImages({ only: opts.only, check: opts.check, refresh: opts.refresh === true });
  const bad = results.filter((r) => r.state !== 'present' && r.state !== 'built');
  if (!opts.check) process.stdout.write(`[images] done in ${Math.round((Date.now() - t0) / 1000)} s\n`);
  if (bad.length > 0) {
    process.stderr.write(`[images] ${bad.length} image(s) ${opts.check ? 'missing' : 'failed'}: ${bad.map((r) => r.name).join(', ')}${opts.check ? ' (run node scripts/images.mjs to build them)' : ''}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runMain(main, 'images');
}
