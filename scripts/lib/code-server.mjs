// code-server (the real VS Code workbench served to a browser) as a test host, installed on
// demand into a cache directory outside the clone, never as a project dependency.
// Recipe: /work/shared/TEST-HOSTS.md section 3 (and the README's Testing section).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { cacheRoot, freePort, killGroup, run, say, sleep, tempDir, UserError, which } from './common.mjs';
import { aptInstall } from './apt.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const TAG = 'code-server';
const APT_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'];

/** Where this version lives: <cache>/code-server-<version>. */
export function codeServerDir(version = CODE_SERVER_VERSION) {
  return join(cacheRoot(), `code-server-${version}`);
}

function stampFile(dir) {
  return join(dir, '.container-labs-installed');
}

/** Our own (empty) code-server config, so it never writes ~/.config/code-server/config.yaml. */
function configFile(dir = codeServerDir()) {
  const file = join(dir, 'config.yaml');
  const text = '# Container Labs test host: every other option is passed on the command line.\ndisable-telemetry: true\n';
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return file;
}

/** The JS entry point of an installed code-server (run with this Node). */
export function codeServerEntry(dir = codeServerDir()) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** Whether the install is complete (stamp written after every step succeeded). */
export function isCodeServerInstalled(dir = codeServerDir()) {
  return existsSync(stampFile(dir)) && existsSync(codeServerEntry(dir));
}

/** The browser used by the tests: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

async function ensureAptPackages(log) {
  await aptInstall(APT_PACKAGES, { log, forWhat: 'code-server and the UI tests' });
}

function ripgrepTarget() {
  // The same mapping as @vscode/ripgrep's postinstall for Linux.
  const a = process.env.npm_config_arch || arch();
  return a === 'x64' ? 'x86_64-unknown-linux-musl' : a === 'arm64' ? 'aarch64-unknown-linux-musl' : a === 'arm' ? 'arm-unknown-linux-gnueabihf' : 'i686-unknown-linux-musl';
}

/**
 * code-server's postinstall installs @vscode/ripgrep, whose own postinstall downloads rg from
 * GitHub. We put Debian's rg into the download cache it looks at first, under the file name
 * that version expects: the version comes from code-server's lib/vscode/npm-shrinkwrap.json,
 * the rg release name from that @vscode/ripgrep package's postinstall.
 */
async function seedRipgrepCache(installDir, tmp, log) {
  const shrinkwrapPath = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'npm-shrinkwrap.json');
  const shrinkwrap = JSON.parse(readFileSync(shrinkwrapPath, 'utf8'));
  const rgVersion = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version ?? shrinkwrap.dependencies?.['@vscode/ripgrep']?.version;
  if (typeof rgVersion !== 'string') throw new UserError(`cannot find @vscode/ripgrep's version in ${shrinkwrapPath}`);

  const peek = tempDir('ripgrep-pkg');
  try {
    const pack = await run('npm', ['pack', `@vscode/ripgrep@${rgVersion}`, '--silent'], { cwd: peek, capture: true, echo: false });
    if (pack.code !== 0) throw new UserError(`npm pack @vscode/ripgrep@${rgVersion} failed:\n${pack.stderr.trim()}`);
    const tgz = pack.stdout.trim().split('\n').pop();
    const untar = await run('tar', ['-xzf', tgz, 'package/lib/postinstall.js'], { cwd: peek, capture: true, echo: false });
    if (untar.code !== 0) throw new UserError(`cannot unpack ${tgz}: ${untar.stderr.trim()}`);
    const postinstall = readFileSync(join(peek, 'package', 'lib', 'postinstall.js'), 'utf8');
    const match = /const VERSION = ['"]([^'"]+)['"]/.exec(postinstall);
    if (!match) throw new UserError(`cannot read the ripgrep release from @vscode/ripgrep@${rgVersion}'s postinstall`);
    const fileName = `ripgrep-${match[1]}-${ripgrepTarget()}.tar.gz`;
    const cacheDir = join(tmp, `vscode-ripgrep-cache-${rgVersion}`);
    mkdirSync(cacheDir, { recursive: true });
    const target = join(cacheDir, fileName);
    if (!existsSync(target)) {
      const rg = await which('rg');
      if (!rg) throw new UserError('ripgrep (rg) is not installed: apt-get install ripgrep');
      const rgDir = rg.slice(0, rg.lastIndexOf('/'));
      const tar = await run('tar', ['-C', rgDir, '-czf', target, 'rg'], { capture: true, echo: false });
      if (tar.code !== 0) throw new UserError(`cannot pack ${rg} into ${target}: ${tar.stderr.trim()}`);
    }
    log(`ripgrep cache: ${target} (Debian's rg, for @vscode/ripgrep ${rgVersion})`);
  } finally {
    rmSync(peek, { recursive: true, force: true });
  }
}

/**
 * Installs code-server <version> into the cache dir unless the stamp says it is there.
 * Resolves { dir, entry, installed: boolean (true when this call installed it) }.
 */
export async function ensureCodeServer({ version = CODE_SERVER_VERSION, log = (m) => say(TAG, m) } = {}) {
  const dir = codeServerDir(version);
  if (isCodeServerInstalled(dir)) {
    await ensureChromium(log);
    return { dir, entry: codeServerEntry(dir), installed: false };
  }
  if (process.platform !== 'linux') throw new UserError('the code-server test host is set up automatically on Linux only');
  await ensureAptPackages(log);

  log(`installing code-server@${version} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'container-labs-code-server', private: true, description: 'code-server test host for Container Labs (cache, not part of the project)' }, null, 2));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const env = { ...process.env, TMPDIR: tmp, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const logFile = join(dir, 'install.log');
  const npm = async (args) => {
    const r = await run('npm', args, { cwd: dir, env, capture: true, echo: false });
    writeFileSync(logFile, `$ npm ${args.join(' ')}\n${r.stdout}\n${r.stderr}\n`, { flag: 'a' });
    if (r.code !== 0) {
      throw new UserError(`npm ${args.join(' ')} failed (exit ${r.code}); full log in ${logFile}. Last lines:\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n')}`);
    }
  };
  // 1. Fetch the package without running its postinstall, to read the ripgrep version it needs.
  await npm(['install', '--ignore-scripts', '--no-package-lock', `code-server@${version}`]);
  await seedRipgrepCache(dir, tmp, log);
  // 2. Now run the install scripts held back above: argon2's native module, then code-server's
  //    postinstall (installs VS Code's own node modules and builds their native parts).
  log('running the install scripts (builds native modules; a minute or two)');
  await npm(['rebuild', '--foreground-scripts']);
  if (!existsSync(codeServerEntry(dir))) throw new UserError(`code-server installed but ${codeServerEntry(dir)} is missing; see ${logFile}`);
  const probe = await run(process.execPath, [codeServerEntry(dir), '--config', configFile(dir), '--version'], { cwd: dir, capture: true, echo: false, timeoutMs: 60_000 });
  if (probe.code !== 0) throw new UserError(`code-server --version failed:\n${probe.stderr.trim() || probe.stdout.trim()}`);
  writeFileSync(stampFile(dir), `${JSON.stringify({ version, installedAt: new Date().toISOString(), reports: probe.stdout.trim().split('\n').pop() })}\n`);
  await ensureChromium(log);
  log(`code-server ${probe.stdout.trim().split('\n').pop()} ready`);
  return { dir, entry: codeServerEntry(dir), installed: true };
}

async function ensureChromium(log) {
  if (existsSync(chromiumPath())) return;
  if (process.env.CHROMIUM_PATH) throw new UserError(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
  await ensureAptPackages(log);
  if (!existsSync(chromiumPath())) throw new UserError(`${chromiumPath()} is missing after installing Debian's chromium`);
}

/** Runs `code-server --install-extension <vsix>` into an extensions dir. */
export async function installExtension(vsix, extensionsDir, { userDataDir, entry = codeServerEntry() } = {}) {
  mkdirSync(extensionsDir, { recursive: true });
  const args = [entry, '--config', configFile(), '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'];
  if (userDataDir) args.push('--user-data-dir', userDataDir);
  const r = await run(process.execPath, args, { capture: true, echo: false, timeoutMs: 120_000 });
  if (r.code !== 0) throw new UserError(`code-server --install-extension ${vsix} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    return res.status > 0 && res.status < 500;
  } catch {
    return false;
  }
}

/**
 * Starts code-server on 127.0.0.1 and waits until it answers.
 * opts: { folder, port (default: a free one), userDataDir, extensionsDir (default: temp dirs),
 *         disableWorkspaceTrust = true, noGallery = false, env, logFile, readyTimeoutMs = 60000, extraArgs }
 * Resolves { url, port, pid, userDataDir, extensionsDir, logFile, stop() }.
 */
export async function start(opts = {}) {
  const entry = codeServerEntry();
  if (!isCodeServerInstalled()) throw new UserError(`code-server ${CODE_SERVER_VERSION} is not installed yet: run node scripts/code-server.mjs`);
  const port = opts.port ?? (await freePort());
  // Temp dirs made here are ours to remove when the server stops.
  const madeHere = [];
  const ownTemp = (label) => {
    const dir = tempDir(label);
    madeHere.push(dir);
    return dir;
  };
  const userDataDir = opts.userDataDir ?? ownTemp('cs-data');
  const extensionsDir = opts.extensionsDir ?? ownTemp('cs-ext');
  const logFile = opts.logFile ?? join(userDataDir, 'code-server.log');
  const args = [
    entry,
    '--config', configFile(),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    // A service a lab starts (Jupyter on 8888) opens at http://8888.localhost:PORT/: code-server
    // proxies it by host name, at its own root path, so its pages work (its default path proxy,
    // /proxy/8888/, breaks Jupyter, whose pages load /static/... from the root), and the token
    // in the address is kept (browsers resolve *.localhost to this machine).
    // (code-server matches the Host header with its port, so the domain names the port too.)
    '--proxy-domain', `{{port}}.localhost:${port}`,
  ];
  if (opts.disableWorkspaceTrust !== false) args.push('--disable-workspace-trust');
  if (opts.extraArgs) args.push(...opts.extraArgs);
  if (opts.folder) args.push(opts.folder);

  const out = createWriteStream(logFile, { flags: 'a' });
  // noGallery: an empty gallery makes the workbench skip Marketplace/Open VSX lookups, which
  // offline only cost time (tests install what they need from a VSIX).
  const child = spawn(process.execPath, args, {
    env: { ...process.env, VSCODE_PROXY_URI: `http://{{port}}.localhost:${port}/`, ...(opts.noGallery ? { EXTENSIONS_GALLERY: '{}' } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited;
  const exitPromise = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit(exited);
    });
  });
  child.on('error', (error) => {
    exited = { code: null, signal: null, error };
  });

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    }
    // code-server leaves extension host / pty children in its group; make sure they are gone.
    killGroup(child.pid, 'SIGKILL');
    out.end();
    for (const dir of madeHere) rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) {
      out.end();
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n') : '';
      for (const dir of madeHere) rmSync(dir, { recursive: true, force: true });
      throw new UserError(`code-server exited before answering (${exited.error ? exited.error.message : `code ${exited.code}`}). Last lines of ${logFile}:\n${log}`);
    }
    if (await answers(`${url}/healthz`)) return { url, port, pid: child.pid, userDataDir, extensionsDir, logFile, stop };
    await sleep(250);
  }
  await stop();
  throw new UserError(`code-server did not answer on ${url} within ${(opts.readyTimeoutMs ?? 60_000) / 1000} s; see ${logFile}`);
}

