#!/usr/bin/env node
// Installs code-server (VS Code in the browser) into the cache dir, once, for the test hosts.
//   node scripts/code-server.mjs                 install if missing (instant when installed)
//   node scripts/code-server.mjs --check         exit 1 when not installed (installs nothing)
//   node scripts/code-server.mjs --serve [DIR]   install, then serve DIR on 127.0.0.1:$PORT until Ctrl+C
// Cache: ~/.cache/container-labs/code-server-<version> (env CONTAINER_LABS_CACHE moves it).
import { CODE_SERVER_VERSION, codeServerDir, ensureCodeServer, isCodeServerInstalled, start } from './lib/code-server.mjs';
import { formatDuration, runMain, say } from './lib/common.mjs';

runMain(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: node scripts/code-server.mjs [--check | --serve [DIR]]\n');
    return 0;
  }
  if (args.includes('--check')) {
    const ok = isCodeServerInstalled();
    say('code-server', `${CODE_SERVER_VERSION} ${ok ? 'installed' : 'NOT installed'} in ${codeServerDir()}`);
    return ok ? 0 : 1;
  }
  const t0 = Date.now();
  const { dir, installed } = await ensureCodeServer();
  say('code-server', `${CODE_SERVER_VERSION} ${installed ? 'installed' : 'already installed'} in ${dir} [${formatDuration(Date.now() - t0)}]`);
  const serveAt = args.indexOf('--serve');
  if (serveAt >= 0) {
    const folder = args[serveAt + 1];
    const server = await start({ folder, port: process.env.PORT ? Number(process.env.PORT) : undefined });
    say('code-server', `serving ${folder ?? '(no folder)'} at ${server.url} (Ctrl+C stops it)`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop();
  }
  return 0;
}, 'code-server');
