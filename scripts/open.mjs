#!/usr/bin/env node
// `npm start`: try Container Labs in a browser-based VS Code on this machine.
//   engine (find or start) -> lesson images -> build + package the VSIX -> code-server with the
//   VSIX installed, opening a workspace -> print the URL, run until Ctrl+C.
//
//   npm start [-- FOLDER]      default folder: ~/container-labs-workspace (created if missing)
//   PORT=9000 npm start        default port 8080, on 127.0.0.1 only
//
// Settings, progress and the installed extension persist in ~/.cache/container-labs/open/
// (env CONTAINER_LABS_OPEN_DIR: elsewhere; env CONTAINER_LABS_VSIX: install that VSIX, no build).
// On Ctrl+C it stops code-server, and the Docker Engine only if this run started it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureEngine, stopOwnEngine } from './lib/engine.mjs';
import { ensureCodeServer, installExtension, start } from './lib/code-server.mjs';
import { cacheRoot, formatDuration, portInUse, repoRoot, run, runMain, say, UserError } from './lib/common.mjs';

const TAG = 'open';

runMain(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: npm start [-- FOLDER]   (env PORT, default 8080)\n');
    return 0;
  }
  const folder = resolve(args.find((a) => !a.startsWith('-')) ?? join(homedir(), 'container-labs-workspace'));
  const port = Number(process.env.PORT || 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UserError(`PORT=${process.env.PORT} is not a port number`, 2);
  if (await portInUse(port)) throw new UserError(`127.0.0.1:${port} is already in use: stop what runs there, or pick another port, e.g. PORT=${port + 1} npm start`);
  const t0 = Date.now();

  const engine = await ensureEngine();
  say(TAG, `Docker Engine ${engine.version} at ${engine.host} (${engine.source})`);

  const images = await run(process.execPath, ['scripts/images.mjs']);
  if (images.code !== 0) throw new UserError('preparing the lesson images failed (see above)');

  // CONTAINER_LABS_VSIX: a VSIX packaged already (the tests hand in the one `npm test` made).
  let vsix = process.env.CONTAINER_LABS_VSIX;
  if (vsix) {
    if (!existsSync(vsix)) throw new UserError(`CONTAINER_LABS_VSIX=${vsix}: no such file`, 2);
    say(TAG, `installing ${vsix} (CONTAINER_LABS_VSIX)`);
  } else {
    say(TAG, 'building and packaging the extension (npm run package)');
    const pkg = await run('npm', ['run', '--silent', 'package'], { capture: true, echo: false });
    vsix = join(repoRoot, 'dist', 'container-labs.vsix');
    if (pkg.code !== 0 || !existsSync(vsix)) throw new UserError(`npm run package failed:\n${`${pkg.stdout}\n${pkg.stderr}`.trim()}`);
  }

  await ensureCodeServer();
  const base = process.env.CONTAINER_LABS_OPEN_DIR || join(cacheRoot(), 'open');
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) {
    writeFileSync(settings, `${JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }, null, 2)}\n`);
  }
  await installExtension(vsix, extensionsDir, { userDataDir });

  mkdirSync(folder, { recursive: true });
  const server = await start({ folder, port, userDataDir, extensionsDir, disableWorkspaceTrust: false, logFile: join(base, 'code-server.log') });
  say(TAG, `ready in ${formatDuration(Date.now() - t0)}`);
  process.stdout.write(`\n  Container Labs is open at ${server.url}/?folder=${encodeURIComponent(folder)}\n` +
    `  (workspace ${folder}; click the Container Labs icon in the activity bar)\n  Press Ctrl+C to stop.\n\n`);

  await new Promise((resolveWait) => {
    process.once('SIGINT', resolveWait);
    process.once('SIGTERM', resolveWait);
  });
  // A second Ctrl+C while stopping must not kill us half-way and leave code-server behind.
  const keepGoing = () => say(TAG, 'still stopping code-server...');
  process.on('SIGINT', keepGoing);
  process.on('SIGTERM', keepGoing);
  say(TAG, 'stopping code-server');
  await server.stop();
  if (engine.startedNow) await stopOwnEngine();
  return 0;
}, TAG);
