/**
 * Skip the running test (or, from a before/beforeEach hook, the tests it guards) and say why.
 * test/reporter.js prints the reason with the skipped test and writes it to test-results/,
 * so no test is skipped silently.
 *
 *   it('needs X', function () { if (!x) skipBecause(this, 'X is not installed'); ... });
 */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const runnable: (Mocha.Runnable & { skipReason?: string; type?: string }) | undefined = ctx.test;
  if (runnable) {
    runnable.skipReason = reason;
    // From a hook, the skipped tests are the hook's siblings: leave the reason where they look.
    if (runnable.type === 'hook') (ctx as Mocha.Context & { skipReason?: string }).skipReason = reason;
  }
  ctx.skip();
}
