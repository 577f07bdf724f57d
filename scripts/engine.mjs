#!/usr/bin/env node
// Makes sure a Docker Engine answers (see scripts/lib/engine.mjs for the order of the search).
//   node scripts/engine.mjs          find or start an engine; print which one
//   node scripts/engine.mjs --stop   stop the dockerd this project started (never any other)
//   node scripts/engine.mjs --check  only look; exit 1 when none answers (never installs/starts)
import { ensureEngine, stopOwnEngine } from './lib/engine.mjs';
import { runMain, say } from './lib/common.mjs';

runMain(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: node scripts/engine.mjs [--stop | --check]\n');
    return 0;
  }
  if (args.includes('--stop')) {
    await stopOwnEngine();
    return 0;
  }
  const started = Date.now();
  const engine = await ensureEngine({ allowStart: !args.includes('--check') });
  say('engine', `Docker Engine ${engine.version} (API ${engine.apiVersion}) answers at ${engine.host} via ${engine.source}` +
    `${engine.startedByUs ? ' (started by this project; `node scripts/engine.mjs --stop` stops it)' : ''} [${Date.now() - started} ms]`);
  return 0;
}, 'engine');
