#!/usr/bin/env node
// UI layer: packages the VSIX once, then runs mocha on out/test/ui/*.ui.js in plain Node.
// Each test drives code-server + Chromium through test/ui/harness.ts.
//   node scripts/ui-test.mjs [mocha args...]      e.g. --grep "activity bar"
// Env: CONTAINER_LABS_VSIX=path skips packaging and installs that VSIX instead.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureCodeServer } from './lib/code-server.mjs';
import { formatDuration, repoRoot, run, runMain, say, UserError } from './lib/common.mjs';

const TAG = 'ui';

runMain(async () => {
  const extra = process.argv.slice(2);
  await ensureCodeServer();
  if (!existsSync(join(repoRoot, 'out', 'test', 'ui', 'harness.js'))) {
    say(TAG, 'out/test/ui missing: npx tsc -p test');
    await run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'test']);
  }
  const uiDir = join(repoRoot, 'out', 'test', 'ui');
  const files = existsSync(uiDir) ? readdirSync(uiDir).filter((f) => f.endsWith('.ui.js')).sort().map((f) => relative(repoRoot, join(uiDir, f))) : [];
  if (files.length === 0) throw new UserError('no UI tests (out/test/ui/*.ui.js): was `npx tsc -p test` run?');

  let vsix = process.env.CONTAINER_LABS_VSIX;
  if (!vsix) {
    const t0 = Date.now();
    say(TAG, 'npm run package (production build + vsce)');
    const r = await run('npm', ['run', '--silent', 'package'], { capture: true, echo: false });
    const out = `${r.stdout}\n${r.stderr}`.trim();
    if (r.code !== 0) throw new UserError(`npm run package failed (exit ${r.code}):\n${out}`);
    vsix = join(repoRoot, 'dist', 'container-labs.vsix');
    if (!existsSync(vsix)) throw new UserError(`npm run package did not produce ${vsix}:\n${out}`);
    const summary = out.split('\n').filter((l) => /DONE|WARNING|Packaged/i.test(l));
    say(TAG, `${relative(repoRoot, vsix)} packaged [${formatDuration(Date.now() - t0)}]${summary.length ? `\n  ${summary.join('\n  ')}` : ''}`);
  }
  const r = await run(process.execPath, [
    join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'),
    '--reporter', join(repoRoot, 'test', 'reporter.js'),
    '--reporter-option', 'layer=ui',
    '--timeout', '300000',
    ...extra,
    ...files,
  ], { env: { ...process.env, CONTAINER_LABS_LAYER: 'ui', CONTAINER_LABS_VSIX: vsix } });
  return r.code ?? 1;
}, TAG);
