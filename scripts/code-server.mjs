#!/usr/bin/env node
// Installs code-server (VS Code in the browser) into the cache dir, once, for the test hosts.
//   node scripts/code-server.mjs            install if missing (instant when installed)
//   node scripts/code-server.mjs --check    exit 1 when not installed (installs nothing)
//   node scripts/code-server.mjs --serve [DIR] [--port N] [--user-data-dir D] [--extensions-dir E]
//        [--install-extension VSIX]... [--trust-prompt] [--no-gallery] [--exit-on-stdin-close]
//     install, then serve DIR on 127.0.0.1 until Ctrl+C / SIGTERM (or, with
//     --exit-on-stdin-close, until the parent closes our stdin). Prints one line
//     `CODE_SERVER_READY {"url":...,"port":...,"pid":...}` when it answers (test/ui/harness.ts reads it).
//     --trust-prompt leaves workspace trust on (Restricted Mode until trusted); --no-gallery
//     turns off Marketplace/Open VSX lookups (they only cost time offline).
// Cache: ~/.cache/container-labs/code-server-<version> (env CONTAINER_LABS_CACHE moves it).
import { CODE_SERVER_VERSION, codeServerDir, ensureCodeServer, installExtension, isCodeServerInstalled, start } from './lib/code-server.mjs';
import { formatDuration, runMain, say, UserError } from './lib/common.mjs';

function parseServe(args, at) {
  const o = { folder: undefined, port: process.env.PORT ? Number(process.env.PORT) : undefined, vsix: [], trust: true, exitOnStdinClose: false };
  for (let i = at + 1; i < args.length; i += 1) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UserError(`${a} needs a value`, 2);
      return v;
    };
    if (a === '--port') o.port = Number(value());
    else if (a === '--user-data-dir') o.userDataDir = value();
    else if (a === '--extensions-dir') o.extensionsDir = value();
    else if (a === '--install-extension') o.vsix.push(value());
    else if (a === '--trust-prompt') o.trust = false;
    else if (a === '--exit-on-stdin-close') o.exitOnStdinClose = true;
    else if (a === '--no-gallery') o.noGallery = true;
    else if (a.startsWith('--')) throw new UserError(`unknown option ${a}`, 2);
    else o.folder = a;
  }
  return o;
}

runMain(async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: node scripts/code-server.mjs [--check | --serve [DIR] [--port N] [--user-data-dir D] [--extensions-dir E] [--install-extension VSIX]... [--trust-prompt] [--no-gallery] [--exit-on-stdin-close]]\n');
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
  if (serveAt < 0) return 0;

  const o = parseServe(args, serveAt);
  for (const vsix of o.vsix) {
    if (!o.extensionsDir) throw new UserError('--install-extension needs --extensions-dir (never install into your own extensions)', 2);
    await installExtension(vsix, o.extensionsDir, { userDataDir: o.userDataDir });
    say('code-server', `installed ${vsix} into ${o.extensionsDir}`);
  }
  const server = await start({ folder: o.folder, port: o.port, userDataDir: o.userDataDir, extensionsDir: o.extensionsDir, disableWorkspaceTrust: o.trust, noGallery: o.noGallery });
  say('code-server', `serving ${o.folder ?? '(no folder)'} at ${server.url} (log ${server.logFile}; Ctrl+C stops it)`);
  process.stdout.write(`CODE_SERVER_READY ${JSON.stringify({ url: server.url, port: server.port, pid: server.pid, logFile: server.logFile })}\n`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (o.exitOnStdinClose) {
      process.stdin.resume();
      process.stdin.once('end', resolve);
      process.stdin.once('close', resolve);
    }
  });
  // Further signals while stopping must not cut the stop short and leave code-server behind.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  await server.stop();
  process.stdin.destroy();
  process.off('SIGINT', ignore);
  process.off('SIGTERM', ignore);
  return 0;
}, 'code-server');
