// @ts-check
/**
 * Mocha reporter for every test layer (unit, integration, UI): mocha's Spec output, plus
 *  - each skipped (pending) test listed at the end WITH its reason, so nothing is skipped silently;
 *  - the counts written to test-results/<layer>.json for scripts/test-all.mjs:
 *    { layer, passed, failed, pending, skippedReasons: [{ title, reason }], failures: [...], durationMs }.
 *
 * The layer comes from the reporter option `layer` (--reporter-option layer=unit) or the env
 * CONTAINER_LABS_LAYER; the folder from CONTAINER_LABS_RESULTS_DIR (default: <repo>/test-results).
 *
 * A test gives its skip reason by setting `skipReason` on itself before this.skip():
 * see test/support/skip.ts (`skipBecause(this, 'why')`). `it.skip(...)` in the source is
 * reported as "marked it.skip in the source".
 *
 * Plain CommonJS with no dependency but mocha: it runs in plain node AND in the extension host.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_HOOK_END } = Mocha.Runner.constants;

/** @param {Mocha.Runnable} test */
function skipReasonOf(test) {
  /** @type {unknown} */
  const own = /** @type {{ skipReason?: unknown }} */ (test).skipReason;
  if (typeof own === 'string' && own.trim() !== '') return own;
  const ctx = /** @type {{ ctx?: { skipReason?: unknown } }} */ (test).ctx;
  if (ctx && typeof ctx.skipReason === 'string' && ctx.skipReason.trim() !== '') return ctx.skipReason;
  if (typeof test.fn !== 'function') return 'marked it.skip in the source (no reason given there)';
  return 'skipped at run time without a reason (use skipBecause(this, reason) from test/support/skip.ts)';
}

/** @param {unknown} err */
function describeError(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

class ContainerLabsReporter extends Spec {
  /**
   * @param {Mocha.Runner} runner
   * @param {Mocha.MochaOptions & { reporterOptions?: Record<string, unknown>, reporterOption?: Record<string, unknown> }} [options]
   */
  constructor(runner, options = {}) {
    super(runner, options);
    const ro = { ...(options.reporterOption || {}), ...(options.reporterOptions || {}) };
    this.layer = String(ro.layer || process.env.CONTAINER_LABS_LAYER || 'tests');
    this.resultsDir = String(ro.resultsDir || process.env.CONTAINER_LABS_RESULTS_DIR || path.resolve(__dirname, '..', 'test-results'));
    this.passedCount = 0;
    this.failedCount = 0;
    /** @type {{ title: string, reason: string }[]} */
    this.skipped = [];
    /** @type {{ title: string, error: string }[]} */
    this.failuresList = [];
    this.startedAt = Date.now();

    runner.on(EVENT_RUN_BEGIN, () => {
      this.startedAt = Date.now();
    });
    runner.on(EVENT_TEST_PASS, () => {
      this.passedCount += 1;
    });
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      // A failing hook fails the tests it guards: count it once, under the hook's title.
      this.failedCount += 1;
      this.failuresList.push({ title: test.fullTitle(), error: describeError(err) });
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      this.skipped.push({ title: test.fullTitle(), reason: skipReasonOf(test) });
    });
    runner.on(EVENT_HOOK_END, (hook) => {
      // A this.skip() in a before/beforeEach hook marks the suite's tests pending; its reason sits on the hook.
      const reason = /** @type {{ skipReason?: unknown }} */ (hook).skipReason;
      if (typeof reason === 'string' && hook.parent) {
        for (const t of hook.parent.tests) {
          /** @type {{ skipReason?: string }} */ (/** @type {unknown} */ (t)).skipReason ??= reason;
        }
      }
    });
    runner.once(EVENT_RUN_END, () => {
      if (this.skipped.length > 0) {
        Mocha.reporters.Base.consoleLog(`\n  Skipped (${this.skipped.length}), and why:`);
        for (const s of this.skipped) Mocha.reporters.Base.consoleLog(`    - ${s.title}: ${s.reason}`);
      }
      this.writeResults();
    });
  }

  writeResults() {
    const result = {
      layer: this.layer,
      passed: this.passedCount,
      failed: this.failedCount,
      pending: this.skipped.length,
      skippedReasons: this.skipped,
      failures: this.failuresList,
      durationMs: Date.now() - this.startedAt,
      finishedAt: new Date().toISOString(),
    };
    try {
      fs.mkdirSync(this.resultsDir, { recursive: true });
      fs.writeFileSync(path.join(this.resultsDir, `${this.layer}.json`), `${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      Mocha.reporters.Base.consoleLog(`  (could not write ${this.layer}.json to ${this.resultsDir}: ${describeError(error)})`);
    }
  }
}

module.exports = ContainerLabsReporter;
