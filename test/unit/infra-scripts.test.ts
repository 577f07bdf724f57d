/**
 * The test infrastructure itself: the engine script against the real engine (and the ways it
 * refuses), the mocha reporter's counts and skip reasons, test-all's argument checks.
 * Scripts are run as a user runs them (child processes), so their exit codes and messages
 * are what is tested.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { runAsNobody } from '../support/as-nobody';
import { freePort } from '../support/ports';
import { skipBecause } from '../support/skip';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function node(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 60_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
  return { code: r.status, out: r.stdout, err: r.stderr };
}


describe('infra: scripts/engine.mjs', function () {
  this.timeout(60_000);
  let cache: string;

  beforeEach(function () {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-infra-cache-'));
  });
  afterEach(function () {
    // Where no engine answered, the script started one with its pidfile in this cache: stop
    // it before the cache (and with it the only way to find that dockerd) is deleted.
    node(['scripts/engine.mjs', '--stop'], { CONTAINER_LABS_CACHE: cache });
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('finds the engine that answers and names it', function () {
    const r = node(['scripts/engine.mjs'], { CONTAINER_LABS_CACHE: cache });
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.out, /Docker Engine \S+ \(API \d+\.\d+\) answers at \S+ via /);
  });

  it('does not replace an explicit DOCKER_HOST that does not answer: exit 1, the reason, no stack trace', async function () {
    const port = await freePort();
    const r = node(['scripts/engine.mjs'], { CONTAINER_LABS_CACHE: cache, DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    assert.strictEqual(r.code, 1);
    assert.match(r.err, new RegExp(`DOCKER_HOST \\(tcp://127\\.0\\.0\\.1:${port}\\) does not answer`));
    assert.match(r.err, /unset DOCKER_HOST/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'a person-facing error, not a stack trace');
  });

  it('--check never starts anything and --stop stops nothing it did not start', function () {
    const stop = node(['scripts/engine.mjs', '--stop'], { CONTAINER_LABS_CACHE: cache });
    assert.strictEqual(stop.code, 0, stop.err);
    assert.match(stop.out, /nothing to stop/);
    const check = node(['scripts/engine.mjs', '--check'], { CONTAINER_LABS_CACHE: cache });
    assert.strictEqual(check.code, 0, check.err);
    // The engine still answers: --stop did not touch it.
    const again = node(['scripts/engine.mjs', '--check'], { CONTAINER_LABS_CACHE: cache });
    assert.strictEqual(again.code, 0, again.err);
  });

  it('a user without access to the socket is told about the docker group', function () {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) skipBecause(this, 'needs root to run the script as another user');
    const sock = '/var/run/docker.sock';
    if (!fs.existsSync(sock) || (fs.statSync(sock).mode & 0o006) !== 0) skipBecause(this, `${sock} is missing or open to everyone`);
    // The script may write its state into the cache: let nobody write there.
    fs.chmodSync(cache, 0o777);
    const r = runAsNobody({ entry: path.join(repoRoot, 'scripts', 'engine.mjs') }, {
      format: 'esm',
      cwd: cache,
      env: { HOME: cache, CONTAINER_LABS_CACHE: cache },
    });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /permission denied on \/var\/run\/docker\.sock/);
    assert.match(r.stderr, /usermod -aG \S+ "\$USER"/);
  });
});

describe('infra: test/reporter.js', function () {
  this.timeout(60_000);

  it('writes passed/failed/pending counts and every skip reason, and prints the reasons', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-infra-reporter-'));
    try {
      const spec = path.join(dir, 'sample.test.js');
      fs.writeFileSync(
        spec,
        [
          "const assert = require('assert');",
          "describe('sample', () => {",
          "  it('passes', () => assert.ok(true));",
          "  it('fails', () => assert.strictEqual(1, 2));",
          "  it('skips with a reason', function () { this.test.skipReason = 'no widget here'; this.skip(); });",
          "  it.skip('is marked skip');",
          '});',
          "describe('guarded', () => {",
          "  before(function () { this.test.skipReason = 'the hook said so'; this.skip(); });",
          "  it('never runs', () => assert.fail('ran'));",
          '});',
        ].join('\n'),
      );
      const r = node([path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', path.join(repoRoot, 'test', 'reporter.js'), '--reporter-option', 'layer=sample', spec], {
        CONTAINER_LABS_RESULTS_DIR: dir,
        CONTAINER_LABS_LAYER: '',
      });
      assert.strictEqual(r.code, 1, 'mocha exits with the number of failures');
      const result = JSON.parse(fs.readFileSync(path.join(dir, 'sample.json'), 'utf8')) as {
        layer: string;
        passed: number;
        failed: number;
        pending: number;
        skippedReasons: Array<{ title: string; reason: string }>;
        failures: Array<{ title: string; error: string }>;
      };
      assert.strictEqual(result.layer, 'sample');
      assert.strictEqual(result.passed, 1);
      assert.strictEqual(result.failed, 1);
      assert.strictEqual(result.pending, 3);
      const reasons = Object.fromEntries(result.skippedReasons.map((s) => [s.title, s.reason]));
      assert.strictEqual(reasons['sample skips with a reason'], 'no widget here');
      assert.match(reasons['sample is marked skip'] ?? '', /marked it\.skip/);
      assert.strictEqual(reasons['guarded never runs'], 'the hook said so');
      assert.match(result.failures[0]?.error ?? '', /1 !== 2|strictly equal/);
      assert.match(r.out, /Skipped \(3\), and why:/);
      assert.match(r.out, /sample skips with a reason: no widget here/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra: scripts/test-all.mjs', function () {
  this.timeout(30_000);

  it('refuses an unknown layer name in CONTAINER_LABS_LAYERS before running anything', function () {
    const r = node(['scripts/test-all.mjs'], { CONTAINER_LABS_LAYERS: 'unit,nonsense' });
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /unknown layer\(s\) nonsense/);
    assert.doesNotMatch(r.out, /=== \[1\//, 'no layer started');
  });
});

describe('infra: the summary test-all prints at the end (scripts/lib/summary.mjs)', function () {
  this.timeout(30_000);

  /** Runs summarize(rows) in a child (the module is ESM) and returns its text and code. */
  function summarize(rows: unknown[], interrupted = false): { text: string; code: number } {
    const mod = pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'summary.mjs')).href;
    const script = `const { summarize } = await import(${JSON.stringify(mod)}); process.stdout.write(JSON.stringify(summarize(${JSON.stringify(rows)}, 61000, ${interrupted})));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { text: string; code: number };
  }

  const okRow = { layer: { name: 'unit' }, status: 'ok', ms: 1200, detail: '', counts: { passed: 3, failed: 0, skipped: 0, skippedReasons: [], failures: [] } };

  it('names each failed test with the first lines of its reason, after the table (what a CI tail shows)', function () {
    const failing = {
      layer: { name: 'course-podman' }, status: 'FAILED', ms: 69000, detail: 'test exit 1',
      counts: { passed: 44, failed: 1, skipped: 0, skippedReasons: [], failures: [{ title: 'lab-5 / open-notebook (failed)', reason: 'no answer on port 8888\n\nline two\nline three\nline four\nline five is cut' }] },
    };
    const s = summarize([okRow, failing]);
    assert.strictEqual(s.code, 1);
    const table = s.text.indexOf('course-podman  FAILED');
    const why = s.text.indexOf('Failed, and why');
    assert.ok(table > 0 && why > table, s.text);
    assert.match(s.text, /- \[course-podman\] lab-5 \/ open-notebook \(failed\)\n {6}no answer on port 8888\n {6}line two\n {6}line three\n {6}line four\n/);
    assert.doesNotMatch(s.text, /line five is cut/);
    assert.match(s.text, /Not ok: course-podman \(FAILED: test exit 1\)/);
    assert.match(s.text, /47 passed, 1 failed, 0 skipped\n$/);
  });

  it('all ok: no failure section, exit 0; no test at all is not ok', function () {
    const s = summarize([okRow]);
    assert.strictEqual(s.code, 0);
    assert.doesNotMatch(s.text, /Failed, and why|Not ok/);
    const none = summarize([{ layer: { name: 'lint' }, status: 'ok', ms: 10, detail: '' }]);
    assert.strictEqual(none.code, 1);
    assert.match(none.text, /No test ran\./);
    assert.strictEqual(summarize([okRow], true).code, 130);
  });
});
