#!/usr/bin/env node
// `npm test`: every layer against a real Docker Engine and a real VS Code.
//
//   setup:  package (the VSIX) -> build, type-check, lint, compile tests, engine -> images, code-server
//   tests, in two lanes that run at the same time:
//           course (CLI validate + test of labs/) -> unit (mocha, plain Node, real engine)
//           integration (extension host) -> ui (code-server + Chromium) -> infra (the scripts)
//
// Most of a layer's time goes to the engine starting containers (one at a time, about 0.8 s
// each here) or to code-server and Chromium (the CPU), so each lane pairs one of each kind.
// course and ui never overlap: both run the real labs, whose containers and host ports
// (cl-lab-jupyter on 8888) are the same. Each layer's output is kept in
// test-results/logs/<layer>.log and printed as one block when the layer ends.
// At the end: a table of layers with counts and durations, and `N passed, N failed, N skipped`.
// Exits non-zero when a test failed, a layer crashed, a setup step failed, or no test ran.
//
// Other engines (scripts/test-hosts.mjs): setup steps start a Podman service, a TLS endpoint
// (stunnel4) and an sshd, each on loopback with keys made for this run, and stop them at the
// end; the engine tests (check kinds, events, ledger) run again against each as unit-podman,
// unit-tls and unit-ssh, and the course runs on Podman as course-podman.
//
// Env CONTAINER_LABS_LAYERS=unit,ui runs only those test layers (typecheck, lint, unit, infra, course,
// integration, ui, unit-podman, unit-tls, unit-ssh, course-podman); the setup steps they need
// (build, compile, engine, images, and the test hosts) always run.
// Env CONTAINER_LABS_SERIAL=1 runs one layer at a time with its output live (for debugging).
// Env CONTAINER_LABS_OVERLAP=1 is the forced-overlap mode that proves the tests are isolated on
// the shared engine: no lanes (a test layer waits for its setup only, so layers meet that never
// meet otherwise: course beside unit, unit beside unit-tls), as many test layers at a time as the
// normal run has (the machine's cores, at least two), and scripts/noise.mjs keeps creating and
// removing containers, volumes, networks and tags on the engine (Docker's and Podman's) for the
// whole run. Not more layers at once: three at a time plus the noise made a 2-core machine's
// load average 23-31 and dockerd answer after its 10 s deadlines (every layer at once: 44-49),
// which tests the clock, not isolation. Only course and ui never overlap (the labs' own fixed
// container names and host ports: the product's, not the tests').
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { ensureEngine } from './lib/engine.mjs';
import { acquireMachineLock } from './lib/lock.mjs';
import { startTestHost } from './lib/hosts.mjs';
import { summarize } from './lib/summary.mjs';
import { formatDuration, repoRoot, run, runMain, UserError } from './lib/common.mjs';

const resultsDir = join(repoRoot, 'test-results');
const SELECTABLE = ['typecheck', 'lint', 'unit', 'infra', 'course', 'integration', 'ui', 'unit-podman', 'unit-tls', 'unit-ssh', 'course-podman'];


/**
 * Compiled tests and sources in out/ whose .ts file was deleted or renamed: tsc never removes
 * them, and mocha would go on running a test that no longer exists. Returns what it removed.
 */
function removeStaleOutput() {
  const removed = [];
  for (const top of ['src', 'test']) {
    const dir = join(repoRoot, 'out', top);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const source = join(repoRoot, top, file.replace(/\.js$/, '.ts'));
      if (existsSync(source) || existsSync(source.replace(/\.ts$/, '.js'))) continue;
      rmSync(join(dir, file), { force: true });
      rmSync(join(dir, `${file}.map`), { force: true });
      removed.push(`${top}/${file}`);
    }
  }
  return removed;
}

function header(index, total, title, detail) {
  const line = `=== [${index}/${total}] ${title}${detail ? `: ${detail}` : ''} `;
  process.stdout.write(`\n${line}${'='.repeat(Math.max(3, 96 - line.length))}\n`);
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Counts from a reporter file written by test/reporter.js. */
function reporterCounts(layer) {
  const r = readJson(join(resultsDir, `${layer}.json`));
  if (!r) return undefined;
  return { passed: r.passed ?? 0, failed: r.failed ?? 0, skipped: r.pending ?? 0, skippedReasons: r.skippedReasons ?? [], failures: (r.failures ?? []).map((f) => ({ title: f.title, reason: f.error })) };
}


function listFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();
}

const node = process.execPath;
const mochaBin = join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
const reporter = join(repoRoot, 'test', 'reporter.js');

/** Runs a command as one step; ok when it exits 0. Its output goes to the layer's sink. */
async function step(ctx, cmd, args, opts = {}) {
  // A signal to the runner alone (kill PID, not the terminal's Ctrl+C) reaches the layers too:
  // they end, and the hosts are stopped below as after any run.
  const r = await run(cmd, args, { forwardSignals: true, ...opts, sink: ctx.sink });
  return { ok: r.code === 0, detail: r.code === 0 ? '' : r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}` };
}

const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const vsixPath = join(repoRoot, 'dist', 'container-labs.vsix');

/** Tests of the test hosts (scripts/, the fixture images), as opposed to the product's unit tests. */
function isInfraTest(file) {
  return /[\\/](images|infra)-[^\\/]*\.test\.js$/.test(file);
}

/** The tests of one other engine, run only in its lane: remote-tls-*, remote-ssh-*, remote-podman-*. */
function hostTestOf(file) {
  return /[\\/]remote-(podman|tls|ssh)-[^\\/]*\.test\.js$/.exec(file)?.[1];
}

/**
 * The unit tests that exercise the engine (check kinds, the event stream, the ledger, the
 * ownership rule and its matrix, the runtime), run again against each other engine.
 */
function isEngineTest(file) {
  return /[\\/](checks-[^\\/]*|ownership-[^\\/]*|runner-ledger|runtime-[^\\/]*)\.test\.js$/.test(file);
}

/**
 * Runs mocha on the unit test files `pick` selects, with results in test-results/<layer>.json.
 * `env`: more environment (a test host's DOCKER_HOST, ...).
 */
async function mochaLayer(ctx, layer, pick, env = {}) {
  const files = listFiles(join(repoRoot, 'out', 'test', 'unit'), '.test.js').filter(pick);
  if (files.length === 0) return { ok: false, detail: `no ${layer} test files in out/test/unit` };
  const r = await step(ctx, node, [mochaBin, '--reporter', reporter, '--reporter-option', `layer=${layer}`, '--timeout', '60000', ...files.map((f) => relative(repoRoot, f))], {
    env: { ...process.env, ...env, CONTAINER_LABS_LAYER: layer },
  });
  return { ...r, counts: reporterCounts(layer) };
}

/**
 * A setup step that starts a test host (scripts/lib/hosts.mjs). Its result carries the host,
 * whose `stop()` test-all calls once every layer has ended.
 */
function hostLayer(kind, needs, what) {
  return {
    name: kind, kind: 'setup', what, needs, host: true,
    run: async (ctx) => {
      let host;
      try {
        host = await startTestHost(kind, { log: (line) => ctx.sink(`[${kind}] ${line}\n`) });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        ctx.sink(`[${kind}] ${error.message}\n`);
        return { ok: false, detail: `no ${kind} test host` };
      }
      ctx.sink(`[${kind}] ${host.describe}\n`);
      for (const [name, value] of Object.entries(host.env)) ctx.sink(`[${kind}] ${name}=${value}\n`);
      return { ok: true, detail: host.describe, host };
    },
  };
}

/** The environment of the test host `kind` (a setup layer that has ended), or a result that says why there is none. */
function hostEnv(ctx, kind) {
  const host = ctx.resultOf(kind)?.host;
  return host ? { env: host.env } : { failed: { ok: false, detail: `no ${kind} test host: its setup step failed` } };
}

/**
 * `container-labs validate labs && container-labs test labs`, counted per step; `env` picks
 * the engine, `name` the results file (test-results/<name>.json).
 */
async function courseLayer(ctx, name, env = {}) {
  const childEnv = { ...process.env, ...env };
  const validate = await run(node, ['dist/cli.js', 'validate', 'labs'], { sink: ctx.sink, env: childEnv, forwardSignals: true });
  const validated = validate.code === 0;
  const counts = { passed: validated ? 1 : 0, failed: validated ? 0 : 1, skipped: 0, skippedReasons: [] };
  const jsonOut = join(resultsDir, `${name}.json`);
  const test = await run(node, ['dist/cli.js', 'test', 'labs', '--json-out', jsonOut], { timeoutMs: 15 * 60_000, sink: ctx.sink, env: childEnv });
  const report = readJson(jsonOut);
  if (report) {
    counts.passed += report.passed ?? 0;
    counts.failed += (report.failed ?? 0) + (report.errors ?? 0);
    counts.skipped += report.skipped ?? 0;
    counts.failures = (report.broken ?? []).map((b) => ({ title: `${b.file} (line ${b.line}, col ${b.col}) does not load`, reason: b.message }));
    for (const lab of report.labs ?? []) {
      for (const s of lab.steps ?? []) {
        if (s.status === 'skipped') counts.skippedReasons.push({ title: `${lab.id} / ${s.id}`, reason: s.reason });
        if (s.status === 'failed' || s.status === 'error') counts.failures.push({ title: `${lab.id} / ${s.id} (${s.status})`, reason: s.reason });
      }
    }
  }
  const ok = validated && test.code === 0 && report !== undefined;
  const detail = [validated ? '' : 'validate failed', test.code === 0 ? '' : test.timedOut ? 'test timed out' : `test exit ${test.code}`, report ? '' : `no ${name}.json`].filter(Boolean).join(', ');
  return { ok, detail, counts: report ? counts : undefined, partialCounts: counts };
}

/** What the VSIX is made from (`npm run package`): a change to any of these packages it again. */
const PACKAGE_INPUTS = ['src', 'webview', 'media', 'labs', 'schemas', 'package.json', 'package-lock.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'scripts/build.mjs', 'tsconfig.json'];

/**
 * The first input (a file, or a file under a folder) modified after `target`, or the target
 * itself when it is missing; undefined when the target is up to date (as make decides).
 */
function staleInput(target, inputs) {
  if (!existsSync(target)) return relative(repoRoot, target);
  const built = statSync(target).mtimeMs;
  for (const input of inputs) {
    const abs = join(repoRoot, input);
    if (!existsSync(abs)) continue;
    const files = statSync(abs).isDirectory() ? readdirSync(abs, { recursive: true, encoding: 'utf8' }).map((f) => join(abs, f)) : [abs];
    for (const file of files) {
      if (statSync(file).mtimeMs > built) return relative(repoRoot, file);
    }
  }
  return undefined;
}

/**
 * The layers, in plan order. `kind`: setup (no counts) or tests (counts from a results file).
 * `needs`: layers that must have ended first (those not in the plan are ignored).
 * `fatal`: when it fails, nothing else starts. `conflicts`: layers it never runs beside.
 * `realLabs`: it runs the course's labs (fixed names and ports): it holds the machine-wide
 * lock of lib/lock.mjs while it runs, so two clones' test runs on one machine take turns.
 * `kind: 'background'`: runs until every other layer has ended, then is asked to finish.
 * `overlapOnly`: only in the forced-overlap mode. `overlapNeeds`: the needs a test layer keeps
 * in that mode (otherwise it waits for its setup only).
 */
function layers() {
  return [
    {
      // The production build and the VSIX first: `npm run package` rewrites dist/, so it must
      // be over before the development build below and before any layer reads dist/.
      name: 'package', kind: 'setup', what: 'npm run package (production build + VSIX for the UI test)', needs: [],
      run: async (ctx) => {
        const stale = staleInput(vsixPath, PACKAGE_INPUTS);
        if (!stale) {
          ctx.sink(`[package] ${relative(repoRoot, vsixPath)} is newer than every file it is made from: not packaged again\n`);
          return { ok: true, detail: 'up to date' };
        }
        ctx.sink(`[package] ${existsSync(vsixPath) ? `${stale} changed` : 'no VSIX yet'}: packaging\n`);
        rmSync(vsixPath, { force: true });
        const r = await step(ctx, 'npm', ['run', '--silent', 'package']);
        if (r.ok && !existsSync(vsixPath)) return { ok: false, detail: `${relative(repoRoot, vsixPath)} was not written` };
        return r;
      },
    },
    {
      name: 'build', kind: 'setup', what: 'node scripts/build.mjs (development build into dist/)', needs: ['package'], fatal: true,
      run: (ctx) => step(ctx, node, ['scripts/build.mjs']),
    },
    {
      name: 'typecheck', kind: 'setup', what: 'tsc --noEmit (extension, webview, tests), incremental', selectable: true, needs: [],
      run: async (ctx) => {
        // Incremental: the .tsbuildinfo files in out/ let an unchanged tree check in a second.
        for (const [project, info] of [['.', 'src'], ['webview', 'webview'], ['test', 'test']]) {
          const r = await step(ctx, node, [tsc, '-p', project, '--noEmit', '--incremental', '--tsBuildInfoFile', join(repoRoot, 'out', `.typecheck-${info}.tsbuildinfo`)]);
          if (!r.ok) return { ...r, detail: `${project}: ${r.detail}` };
        }
        return { ok: true, detail: '' };
      },
    },
    {
      // ESLint (type-aware typescript-eslint rules) and knip (unused files, exports, dependencies):
      // the same `npm run lint` a developer runs, zero errors and warnings.
      name: 'lint', kind: 'setup', what: 'npm run lint (eslint --max-warnings 0, knip)', selectable: true, needs: [],
      run: (ctx) => step(ctx, 'npm', ['run', '--silent', 'lint']),
    },
    {
      name: 'compile', kind: 'setup', what: 'tsc -p test (into out/), incremental', needs: [],
      run: async (ctx) => {
        const stale = removeStaleOutput();
        if (stale.length > 0) ctx.sink(`[compile] removed ${stale.length} compiled file(s) whose source is gone: ${stale.join(', ')}\n`);
        const r = await step(ctx, node, [tsc, '-p', 'test', '--incremental', '--tsBuildInfoFile', join(repoRoot, 'out', '.compile-test.tsbuildinfo')]);
        // tsc still emits JavaScript when types are wrong; the typecheck layer reports those.
        if (!r.ok && existsSync(join(repoRoot, 'out', 'test'))) return { ok: false, detail: `${r.detail} (type errors; JavaScript emitted anyway)`, continue: true };
        return r;
      },
    },
    {
      name: 'engine', kind: 'setup', what: 'scripts/engine.mjs (find or start a Docker Engine)', needs: [],
      run: async (ctx) => {
        try {
          const e = await ensureEngine({ log: (line) => ctx.sink(`[engine] ${line}\n`) });
          ctx.sink(`[engine] Docker Engine ${e.version} (API ${e.apiVersion}) at ${e.host} via ${e.source}${e.startedByUs ? ', started by this project' : ''}\n`);
          return { ok: true, detail: e.version };
        } catch (error) {
          ctx.sink(`[engine] ${error instanceof Error ? error.message : String(error)}\n`);
          return { ok: false, detail: 'no engine' };
        }
      },
    },
    {
      name: 'images', kind: 'setup', what: 'node scripts/images.mjs (offline lesson images)', needs: ['engine'],
      run: async (ctx) => {
        if (!existsSync(join(repoRoot, 'scripts', 'images.mjs'))) return { ok: false, detail: 'scripts/images.mjs is missing' };
        return step(ctx, node, ['scripts/images.mjs']);
      },
    },
    {
      // Before integration and ui start: both would otherwise install it at the same time.
      name: 'code-server', kind: 'setup', what: 'node scripts/code-server.mjs (code-server + Chromium, cached)', needs: [],
      run: (ctx) => step(ctx, node, ['scripts/code-server.mjs']),
    },
    {
      // After course: both start many containers, and the engine starts them one at a time
      // (about 0.8 s each here), so running them side by side only slows both down.
      name: 'unit', kind: 'tests', what: 'mocha out/test/unit/*.test.js (the core, the CLI, the webview model; real engine)', selectable: true, needs: ['build', 'compile', 'images', 'course'],
      run: (ctx) => mochaLayer(ctx, 'unit', (f) => !isInfraTest(f) && !hostTestOf(f)),
    },
    {
      // The test hosts themselves (scripts/engine.mjs, scripts/images.mjs and its images, the
      // reporter): last in the other lane, so that both lanes end about together.
      name: 'infra', kind: 'tests', what: 'mocha out/test/unit/{images,infra}-*.test.js (the scripts and fixture images)', selectable: true, needs: ['package', 'build', 'compile', 'images', 'code-server', 'ui'],
      // npm start's test installs the VSIX of the package step (no second build beside the UI tests).
      run: (ctx) => mochaLayer(ctx, 'infra', isInfraTest, { CONTAINER_LABS_VSIX: vsixPath }),
    },
    {
      // Forced-overlap mode only: another program busy on the same engine for the whole run.
      // Ends (SIGTERM, then it removes what it made) once every other layer has ended.
      name: 'noise', kind: 'background', what: 'scripts/noise.mjs (containers, volumes, networks, tags made and removed all along)', needs: ['images'], overlapOnly: true,
      run: (ctx) => step(ctx, node, ['scripts/noise.mjs'], { signal: ctx.stopSignal }),
    },
    {
      name: 'course', kind: 'tests', realLabs: true, conflicts: ['ui', 'course-podman'], what: 'container-labs validate labs && container-labs test labs', selectable: true, needs: ['build', 'images'],
      run: (ctx) => courseLayer(ctx, 'course'),
    },
    {
      name: 'integration', kind: 'tests', what: 'scripts/run-integration.mjs (real extension host)', selectable: true, needs: ['build', 'compile', 'images', 'code-server'],
      run: async (ctx) => {
        const r = await step(ctx, node, ['scripts/run-integration.mjs']);
        const a = reporterCounts('integration');
        const b = reporterCounts('integration-restricted');
        const counts = a && b ? { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped, skippedReasons: [...a.skippedReasons, ...b.skippedReasons], failures: [...a.failures, ...b.failures] } : a ?? b;
        return { ...r, counts };
      },
    },
    {
      // After course: both run the real labs (same container names, same host ports). After
      // integration: each drives its own code-server and Chromium, which take the CPU.
      name: 'ui', kind: 'tests', realLabs: true, conflicts: ['course', 'course-podman'], what: 'scripts/ui-test.mjs (code-server + Chromium, packaged VSIX)', selectable: true, needs: ['package', 'build', 'compile', 'images', 'code-server', 'course', 'integration'],
      run: async (ctx) => {
        if (!existsSync(vsixPath)) return { ok: false, detail: 'no VSIX: the package step failed' };
        const r = await step(ctx, node, ['scripts/ui-test.mjs'], { env: { ...process.env, CONTAINER_LABS_VSIX: vsixPath } });
        return { ...r, counts: reporterCounts('ui') };
      },
    },
    // The other engines. Their hosts start once the Docker engine (and, for Podman, the images
    // to copy) are there; their test layers come last in each lane, one engine test layer at a
    // time beside one other layer, as the two lanes above.
    hostLayer('podman', ['images'], 'Podman service (own store, lesson images copied in)'),
    hostLayer('tls', ['engine'], 'stunnel4 TLS endpoint before the engine, certificates for this run'),
    hostLayer('ssh', ['engine'], 'sshd on loopback, a key for this run in ssh-agent'),
    {
      // Forced-overlap mode only: the same noise on the Podman engine, beside unit-podman. Not
      // beside course-podman: Podman before 5.2 fails `system df` (lab 2's disk-usage step) when
      // a container or volume is removed while it adds them up (its race #23279, fixed by PR
      // #23305); Debian 12 has 4.3.1. The course's own isolation is proven on Docker (course
      // beside the Docker noise). So on Podman the course runs first, alone on that engine.
      name: 'noise-podman', kind: 'background', what: 'scripts/noise.mjs on Podman', needs: ['podman', 'course-podman'], overlapOnly: true,
      run: (ctx) => {
        const host = hostEnv(ctx, 'podman');
        return host.failed ?? step(ctx, node, ['scripts/noise.mjs'], { signal: ctx.stopSignal, env: { ...process.env, ...host.env } });
      },
    },
    {
      // Podman's containers start slower than dockerd's here (runc, about 2 s each): the
      // course alone in its lane, never beside the other runs of the real labs (same host ports).
      name: 'course-podman', kind: 'tests', realLabs: true, conflicts: ['course', 'ui'], what: 'container-labs test labs on Podman', selectable: true, needs: ['build', 'podman', 'infra'],
      run: (ctx) => {
        const host = hostEnv(ctx, 'podman');
        return host.failed ?? courseLayer(ctx, 'course-podman', host.env);
      },
    },
    ...['podman', 'tls', 'ssh'].map((kind, i) => ({
      name: `unit-${kind}`, kind: 'tests', selectable: true,
      what: `mocha of the engine tests (check kinds, events, ledger) and remote-${kind}-* against ${kind === 'podman' ? 'Podman' : kind === 'tls' ? 'the engine over TLS' : 'the engine over ssh'}`,
      needs: ['build', 'compile', 'images', kind, ...[['course-podman'], ['unit'], ['unit-tls']][i]],
      // See noise-podman: nothing removes Podman's containers while course-podman runs.
      overlapNeeds: kind === 'podman' ? ['course-podman'] : [],
      run: (ctx) => {
        const host = hostEnv(ctx, kind);
        return host.failed ?? mochaLayer(ctx, `unit-${kind}`, (f) => (isEngineTest(f) && !hostTestOf(f)) || hostTestOf(f) === kind, host.env);
      },
    })),
  ];
}

function selection() {
  const raw = process.env.CONTAINER_LABS_LAYERS;
  if (!raw) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SELECTABLE.includes(n));
  if (unknown.length > 0) throw new UserError(`CONTAINER_LABS_LAYERS: unknown layer(s) ${unknown.join(', ')}; choose from ${SELECTABLE.join(', ')}`, 2);
  return new Set(names);
}

/** The status word of a finished layer. */
function statusOf(layer, result) {
  if (layer.kind === 'setup' || layer.kind === 'background') return result.ok ? 'ok' : 'FAILED';
  if (!result.counts) return 'CRASHED';
  if (result.counts.failed > 0) return 'FAILED';
  if (!result.ok) return 'CRASHED';
  if (result.counts.passed + result.counts.failed === 0) return 'NO TESTS';
  return 'ok';
}

runMain(async () => {
  const only = selection();
  const overlap = /^(1|true|yes)$/i.test(process.env.CONTAINER_LABS_OVERLAP ?? '');
  const plan = layers()
    .filter((l) => !l.selectable || !only || only.has(l.name))
    .filter((l) => overlap || !l.overlapOnly);
  if (overlap) {
    // No lanes: a test layer waits for its setup only (and its overlapNeeds).
    const setups = new Set(plan.filter((l) => l.kind === 'setup').map((l) => l.name));
    for (const l of plan) if (l.kind === 'tests') l.needs = l.needs.filter((n) => setups.has(n) || (l.overlapNeeds ?? []).includes(n));
  }
  // The VSIX is only for the UI test and npm start's (infra), code-server for them and the integration tests.
  const planned = new Set(plan.map((l) => l.name));
  if (!planned.has('ui') && !planned.has('infra')) plan.splice(plan.findIndex((l) => l.name === 'package'), 1);
  if (!planned.has('ui') && !planned.has('infra') && !planned.has('integration')) plan.splice(plan.findIndex((l) => l.name === 'code-server'), 1);
  // A test host only for the layers that run on it (and its noise only with it).
  for (const kind of ['podman', 'tls', 'ssh']) {
    if (plan.some((l) => l.kind === 'tests' && l.needs.includes(kind))) continue;
    for (let i = plan.length - 1; i >= 0; i--) if (plan[i].name === kind || (plan[i].kind === 'background' && plan[i].needs.includes(kind))) plan.splice(i, 1);
  }
  const inPlan = new Set(plan.map((l) => l.name));
  // Test layers at once in the forced-overlap mode: as many as the two lanes of a normal run on
  // 2 cores, more only with more cores (the noise is one more program on the engine all along).
  const overlapMax = Math.max(2, availableParallelism());
  const serial = /^(1|true|yes)$/i.test(process.env.CONTAINER_LABS_SERIAL ?? '');
  if (serial && overlap) throw new UserError('CONTAINER_LABS_SERIAL and CONTAINER_LABS_OVERLAP contradict each other: choose one', 2);
  rmSync(resultsDir, { recursive: true, force: true });
  const logsDir = join(resultsDir, 'logs');
  mkdirSync(logsDir, { recursive: true });

  const results = new Map(); // name -> { status, ms, detail, counts, result }
  const running = new Map(); // name -> started at
  const startedAll = Date.now();
  let aborted = false;
  let interrupted = false;
  let printed = 0;
  // Ctrl+C: the running layers' processes get it too; start nothing more.
  const onSignal = () => {
    interrupted = true;
    aborted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stdout.write(serial
    ? `[test-all] ${plan.length} layers, one at a time (CONTAINER_LABS_SERIAL)\n`
    : overlap
      ? `[test-all] ${plan.length} layers, FORCED OVERLAP (CONTAINER_LABS_OVERLAP): no lanes, ${overlapMax} test layers at a time, with engine noise all along (live in test-results/logs/)\n`
      : `[test-all] ${plan.length} layers; each starts when what it needs is done, and its output is printed when it ends (live in test-results/logs/)\n`);
  // Background layers (the noise) are asked to finish once everything else has ended.
  const stopBackground = new AbortController();

  // In parallel mode, a line every minute says what is still running (CI logs stay alive).
  const heartbeat = serial ? undefined : setInterval(() => {
    if (running.size === 0) return;
    const list = [...running].map(([name, t0]) => `${name} (${formatDuration(Date.now() - t0)})`).join(', ');
    process.stdout.write(`[test-all] ${formatDuration(Date.now() - startedAll)}: running ${list}\n`);
  }, 60_000);
  heartbeat?.unref();

  let bridgeBefore = existsSync('/sys/class/net/docker0');

  async function runLayer(layer) {
    const logFile = join(logsDir, `${layer.name}.log`);
    const log = createWriteStream(logFile);
    const chunks = [];
    const sink = serial
      ? (chunk) => {
          process.stdout.write(chunk);
          log.write(chunk);
        }
      : (chunk) => {
          chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
          log.write(chunk);
        };
    const alsoRunning = [...running.keys()];
    running.set(layer.name, Date.now());
    if (serial) header(++printed, plan.length, layer.name, layer.what);
    else process.stdout.write(`[test-all] start ${layer.name}${alsoRunning.length ? ` (alongside ${alsoRunning.join(', ')})` : ''}\n`);
    // The real labs' fixed names and ports: one run of them at a time on this machine.
    const release = layer.realLabs
      ? await acquireMachineLock('real-labs', { onWait: (pid) => sink(`[test-all] ${layer.name} waits for another test run (pid ${pid}) that is running the real labs on this machine\n`) })
      : undefined;
    const t0 = Date.now();
    let result;
    try {
      result = await layer.run({ sink, stopSignal: stopBackground.signal, resultOf: (name) => results.get(name)?.result });
    } catch (error) {
      sink(`[test-all] ${layer.name} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      result = { ok: false, detail: 'crashed' };
    } finally {
      release?.();
    }
    const ms = Date.now() - t0;
    running.delete(layer.name);
    await new Promise((resolve) => log.end(resolve));
    const status = statusOf(layer, result);
    // A private dockerd started with --bridge=none deletes the host's docker0, after which the
    // shared engine cannot start containers on its default network: say when it happened.
    const bridgeNow = existsSync('/sys/class/net/docker0');
    if (bridgeBefore && !bridgeNow) {
      const during = [layer.name, ...running.keys()].join(', ');
      process.stderr.write(`[test-all] WARNING: the network interface docker0 disappeared while ${during} ran; containers on the default bridge will fail until the engine recreates it (a private dockerd started with --bridge=none deletes docker0)\n`);
      result.detail = [result.detail, 'docker0 deleted'].filter(Boolean).join('; ');
    }
    bridgeBefore = bridgeNow;
    if (!serial) {
      header(++printed, plan.length, layer.name, layer.what);
      process.stdout.write(chunks.join(''));
    }
    process.stdout.write(`--- ${layer.name}: ${status}${result.detail ? ` (${result.detail})` : ''} in ${formatDuration(ms)}\n`);
    results.set(layer.name, { status, ms, detail: result.detail, counts: result.counts ?? result.partialCounts, result });
    if (layer.fatal && !result.ok) aborted = true;
  }

  // The scheduler: start every layer whose needs have ended; in serial mode, one at a time.
  await new Promise((resolve) => {
    const started = new Set();
    const pump = () => {
      for (const layer of plan) {
        if (started.has(layer.name)) continue;
        if (aborted) {
          started.add(layer.name);
          results.set(layer.name, { status: 'not run', ms: 0 });
          continue;
        }
        if (serial && running.size > 0) break;
        const full = overlap && layer.kind === 'tests' && plan.filter((l) => l.kind === 'tests' && running.has(l.name)).length >= overlapMax;
        const ready = !full && layer.needs.every((n) => !inPlan.has(n) || results.has(n)) && !(layer.conflicts ?? []).some((c) => running.has(c));
        if (!ready) {
          if (serial) break;
          continue;
        }
        started.add(layer.name);
        runLayer(layer).then(pump, (error) => {
          process.stderr.write(`[test-all] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          results.set(layer.name, { status: 'CRASHED', ms: 0, detail: 'crashed' });
          running.delete(layer.name);
          pump();
        });
      }
      if (!stopBackground.signal.aborted && plan.every((l) => l.kind === 'background' || results.has(l.name))) stopBackground.abort();
      if (running.size === 0 && plan.every((l) => results.has(l.name))) resolve();
    };
    pump();
  });
  if (heartbeat) clearInterval(heartbeat);

  // The test hosts started above are stopped by what started them: here, whatever happened.
  for (const layer of [...plan].reverse()) {
    const entry = results.get(layer.name);
    const host = entry?.result?.host;
    if (!host) continue;
    try {
      const { leftovers } = await host.stop();
      if (leftovers.length > 0) {
        process.stdout.write(`[test-all] WARNING: left behind on ${layer.name} by the tests, removed now: ${leftovers.join(', ')}\n`);
        entry.detail = `${entry.detail}; left behind: ${leftovers.join(', ')}`;
      }
      process.stdout.write(`[test-all] stopped the ${layer.name} test host\n`);
    } catch (error) {
      process.stderr.write(`[test-all] stopping the ${layer.name} test host failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  // Summary, in plan order.
  const rows = plan.map((layer) => ({ layer, ...results.get(layer.name) }));
  const summary = summarize(rows, Date.now() - startedAll, interrupted);
  process.stdout.write(summary.text);
  return summary.code;
}, 'test-all');
