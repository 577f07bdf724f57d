#!/usr/bin/env node
// `npm test`: every layer, in order, against a real Docker Engine and a real VS Code.
//
//   build -> type-check -> compile tests -> engine -> images
//   -> unit (mocha, plain Node) -> course (CLI validate + test of labs/)
//   -> integration (extension host) -> ui (code-server + Chromium)
//
// Each layer prints a header; at the end a table of layers with counts and durations, and the
// line `N passed, N failed, N skipped`. Exits non-zero when a test failed, a layer crashed,
// a setup step failed, or no test ran.
//
// Env CONTAINER_LABS_LAYERS=unit,ui runs only those test layers (typecheck, unit, course,
// integration, ui); the setup steps they need (build, compile, engine, images) always run.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureEngine } from './lib/engine.mjs';
import { formatDuration, repoRoot, run, runMain, UserError } from './lib/common.mjs';

const resultsDir = join(repoRoot, 'test-results');
const SELECTABLE = ['typecheck', 'unit', 'course', 'integration', 'ui'];

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
  return { passed: r.passed ?? 0, failed: r.failed ?? 0, skipped: r.pending ?? 0, skippedReasons: r.skippedReasons ?? [] };
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

/** Runs a command as one step; ok when it exits 0. */
async function step(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  return { ok: r.code === 0, detail: r.code === 0 ? '' : r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}` };
}

/** The layers, in order. `kind`: setup (no counts) or tests (counts from a results file). */
function layers() {
  return [
    {
      name: 'build', kind: 'setup', what: 'node scripts/build.mjs', fatal: true,
      run: () => step(node, ['scripts/build.mjs']),
    },
    {
      name: 'typecheck', kind: 'setup', what: 'npm run typecheck', selectable: true,
      run: () => step('npm', ['run', '--silent', 'typecheck']),
    },
    {
      name: 'compile', kind: 'setup', what: 'npx tsc -p test (into out/)',
      run: async () => {
        const r = await step(node, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'test']);
        // tsc still emits JavaScript when types are wrong; the typecheck layer reports those.
        if (!r.ok && existsSync(join(repoRoot, 'out', 'test'))) return { ok: false, detail: `${r.detail} (type errors; JavaScript emitted anyway)`, continue: true };
        return r;
      },
    },
    {
      name: 'engine', kind: 'setup', what: 'scripts/engine.mjs (find or start a Docker Engine)',
      run: async () => {
        try {
          const e = await ensureEngine();
          process.stdout.write(`[engine] Docker Engine ${e.version} (API ${e.apiVersion}) at ${e.host} via ${e.source}${e.startedByUs ? ', started by this project' : ''}\n`);
          return { ok: true, detail: e.version };
        } catch (error) {
          process.stderr.write(`[engine] ${error instanceof Error ? error.message : String(error)}\n`);
          return { ok: false, detail: 'no engine' };
        }
      },
    },
    {
      name: 'images', kind: 'setup', what: 'node scripts/images.mjs (offline lesson images)',
      run: async () => {
        if (!existsSync(join(repoRoot, 'scripts', 'images.mjs'))) return { ok: false, detail: 'scripts/images.mjs is missing' };
        return step(node, ['scripts/images.mjs']);
      },
    },
    {
      name: 'unit', kind: 'tests', what: 'mocha out/test/unit/**/*.test.js', selectable: true,
      run: async () => {
        const files = listFiles(join(repoRoot, 'out', 'test', 'unit'), '.test.js');
        if (files.length === 0) return { ok: false, detail: 'no unit test files in out/test/unit' };
        const r = await step(node, [mochaBin, '--reporter', reporter, '--reporter-option', 'layer=unit', '--timeout', '60000', ...files.map((f) => relative(repoRoot, f))], {
          env: { ...process.env, CONTAINER_LABS_LAYER: 'unit' },
        });
        return { ...r, counts: reporterCounts('unit') };
      },
    },
    {
      name: 'course', kind: 'tests', what: 'container-labs validate labs && container-labs test labs', selectable: true,
      run: async () => {
        const validate = await run(node, ['dist/cli.js', 'validate', 'labs']);
        const validated = validate.code === 0;
        const counts = { passed: validated ? 1 : 0, failed: validated ? 0 : 1, skipped: 0, skippedReasons: [] };
        const jsonOut = join(resultsDir, 'course.json');
        const test = await run(node, ['dist/cli.js', 'test', 'labs', '--json-out', jsonOut], { timeoutMs: 15 * 60_000 });
        const report = readJson(jsonOut);
        if (report) {
          counts.passed += report.passed ?? 0;
          counts.failed += (report.failed ?? 0) + (report.errors ?? 0);
          counts.skipped += report.skipped ?? 0;
          for (const lab of report.labs ?? []) {
            for (const s of lab.steps ?? []) {
              if (s.status === 'skipped') counts.skippedReasons.push({ title: `${lab.id} / ${s.id}`, reason: s.reason });
            }
          }
        }
        const ok = validated && test.code === 0 && report !== undefined;
        const detail = [validated ? '' : 'validate failed', test.code === 0 ? '' : test.timedOut ? 'test timed out' : `test exit ${test.code}`, report ? '' : 'no course.json'].filter(Boolean).join(', ');
        return { ok, detail, counts: report ? counts : undefined, partialCounts: counts };
      },
    },
    {
      name: 'integration', kind: 'tests', what: 'scripts/run-integration.mjs (real extension host)', selectable: true,
      run: async () => {
        const r = await step(node, ['scripts/run-integration.mjs']);
        const a = reporterCounts('integration');
        const b = reporterCounts('integration-restricted');
        const counts = a && b ? { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped, skippedReasons: [...a.skippedReasons, ...b.skippedReasons] } : a ?? b;
        return { ...r, counts };
      },
    },
    {
      name: 'ui', kind: 'tests', what: 'scripts/ui-test.mjs (code-server + Chromium, packaged VSIX)', selectable: true,
      run: async () => {
        const r = await step(node, ['scripts/ui-test.mjs']);
        return { ...r, counts: reporterCounts('ui') };
      },
    },
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

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

runMain(async () => {
  const only = selection();
  const plan = layers().filter((l) => !l.selectable || !only || only.has(l.name));
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  const rows = [];
  const startedAll = Date.now();
  let aborted = false;
  let interrupted = false;
  // Ctrl+C: the running layer's processes get it too; stop after it instead of going on.
  const onSignal = () => {
    interrupted = true;
    aborted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bridgeBefore = existsSync('/sys/class/net/docker0');
  for (const [i, layer] of plan.entries()) {
    if (aborted) {
      rows.push({ layer, status: 'not run', ms: 0 });
      continue;
    }
    header(i + 1, plan.length, layer.name, layer.what);
    const t0 = Date.now();
    let result;
    try {
      result = await layer.run();
    } catch (error) {
      process.stderr.write(`[test-all] ${layer.name} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      result = { ok: false, detail: 'crashed' };
    }
    const ms = Date.now() - t0;
    let status;
    if (layer.kind === 'setup') status = result.ok ? 'ok' : 'FAILED';
    else if (!result.counts) status = 'CRASHED';
    else if (result.counts.failed > 0) status = 'FAILED';
    else if (!result.ok) status = 'CRASHED';
    else if (result.counts.passed + result.counts.failed === 0) status = 'NO TESTS';
    else status = 'ok';
    // A private dockerd started with --bridge=none deletes the host's docker0, after which the
    // shared engine cannot start containers on its default network: say which layer did it.
    const bridgeNow = existsSync('/sys/class/net/docker0');
    if (bridgeBefore && !bridgeNow) {
      process.stderr.write(`[test-all] WARNING: the network interface docker0 disappeared during the ${layer.name} layer; containers on the default bridge will fail until the engine recreates it (a private dockerd started with --bridge=none deletes docker0)\n`);
      result.detail = [result.detail, 'docker0 deleted during this layer'].filter(Boolean).join('; ');
    }
    bridgeBefore = bridgeNow;
    rows.push({ layer, status, ms, detail: result.detail, counts: result.counts ?? result.partialCounts });
    process.stdout.write(`--- ${layer.name}: ${status}${result.detail ? ` (${result.detail})` : ''} in ${formatDuration(ms)}\n`);
    if (layer.fatal && !result.ok) aborted = true;
  }

  // Summary.
  const totals = { passed: 0, failed: 0, skipped: 0 };
  process.stdout.write(`\n${'='.repeat(96)}\n${pad('layer', 13)}${pad('status', 10)}${pad('passed', 8)}${pad('failed', 8)}${pad('skipped', 9)}${pad('time', 12)}detail\n`);
  for (const row of rows) {
    const c = row.counts;
    if (c) {
      totals.passed += c.passed;
      totals.failed += c.failed;
      totals.skipped += c.skipped;
    }
    process.stdout.write(`${pad(row.layer.name, 13)}${pad(row.status, 10)}${pad(c ? c.passed : '-', 8)}${pad(c ? c.failed : '-', 8)}${pad(c ? c.skipped : '-', 9)}${pad(row.status === 'not run' ? '-' : formatDuration(row.ms), 12)}${row.detail ?? ''}\n`);
  }
  process.stdout.write(`${pad('total', 23)}${pad(totals.passed, 8)}${pad(totals.failed, 8)}${pad(totals.skipped, 9)}${formatDuration(Date.now() - startedAll)}\n`);
  const skippedReasons = rows.flatMap((r) => (r.counts?.skippedReasons ?? []).map((s) => `  - [${r.layer.name}] ${s.title}: ${s.reason}`));
  if (skippedReasons.length > 0) process.stdout.write(`\nSkipped, and why:\n${skippedReasons.join('\n')}\n`);

  const bad = rows.filter((r) => r.status !== 'ok');
  if (bad.length > 0) process.stdout.write(`\nNot ok: ${bad.map((r) => `${r.layer.name} (${r.status}${r.detail ? `: ${r.detail}` : ''})`).join(', ')}\n`);
  const ran = totals.passed + totals.failed;
  if (ran === 0) process.stdout.write('\nNo test ran.\n');
  if (interrupted) process.stdout.write('\nInterrupted.\n');
  process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  if (interrupted) return 130;
  return bad.length > 0 || totals.failed > 0 || ran === 0 ? 1 : 0;
}, 'test-all');
