#!/usr/bin/env node
// Runs the integration suite (out/test/suite, entry test/suite/index.ts) inside a REAL VS Code
// extension host, with this repository as the extension under development.
//
//   node scripts/run-integration.mjs [--host electron|code-server] [--timeout-min N] [--no-restricted] [--grep TEXT]
//
// Host: @vscode/test-electron where VS Code can be downloaded (env CONTAINER_LABS_HOST=electron,
// or the update server answers a short probe); otherwise code-server driven by playwright-core on
// Debian's Chromium (see /work/shared/TEST-HOSTS.md section 3 and the README's Testing section).
// A second pass opens the workspace WITHOUT --disable-workspace-trust (Restricted Mode) and runs
// only *.restricted.test.js, when such files exist.
// Exit code: the suite's (0 when every test passed).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, inspect } from 'node:util';
import { copyFixtureWorkspace, formatDuration, repoRoot, run, runMain, say, tempDir, UserError, which } from './lib/common.mjs';
import { chromiumPath, ensureCodeServer, start as startCodeServer } from './lib/code-server.mjs';

const TAG = 'integration';
const suiteDir = join(repoRoot, 'out', 'test', 'suite');

/** --grep: only the tests whose title contains it (a developer's run; npm test never sets it). */
let grep;
function grepEnv() {
  return grep ? { CONTAINER_LABS_GREP: grep } : {};
}

function parseArgs(argv) {
  const opts = { host: process.env.CONTAINER_LABS_HOST, timeoutMin: Number(process.env.CONTAINER_LABS_INTEGRATION_TIMEOUT_MIN || 10), restricted: true };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--host') opts.host = argv[++i];
    else if (a === '--timeout-min') opts.timeoutMin = Number(argv[++i]);
    else if (a === '--no-restricted') opts.restricted = false;
    // For a developer's run of some tests only (never in npm test): mocha's --grep.
    else if (a === '--grep') opts.grep = argv[++i];
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new UserError(`unknown argument ${a}`, 2);
  }
  return opts;
}

/** Can VS Code be downloaded from here? A short probe of the update server. */
async function vscodeDownloadable() {
  try {
    const res = await fetch('https://update.code.visualstudio.com/api/releases/stable', { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Builds what is missing: dist/extension.js (scripts/build.mjs) and out/test/suite (tsc -p test). */
async function ensureBuilt() {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    say(TAG, 'dist/extension.js missing: node scripts/build.mjs');
    const r = await run(process.execPath, ['scripts/build.mjs']);
    if (r.code !== 0) throw new UserError('the build failed');
  }
  if (!existsSync(join(suiteDir, 'index.js'))) {
    say(TAG, 'out/test/suite missing: npx tsc -p test');
    const r = await run('npx', ['tsc', '-p', 'test']);
    if (r.code !== 0 && !existsSync(join(suiteDir, 'index.js'))) throw new UserError('compiling the tests failed');
  }
}

function hasRestrictedTests() {
  if (!existsSync(suiteDir)) return false;
  return readdirSync(suiteDir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.restricted.test.js'));
}

/**
 * A fresh copy of the fixture workspace for one pass, and the pass's run id (env
 * CONTAINER_LABS_RUN_ID for test/suite/helpers.ts). The engine is shared with other layers and
 * runs: the test lab's container names (cl-test-echo, cl-test-live) get the run id as a suffix
 * in this copy, so no two runs ever use the same names.
 */
function passWorkspace(label) {
  const runId = `${label.replace(/[^a-z]/g, '')}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const workspace = copyFixtureWorkspace(label);
  const lab = join(workspace, '.container-labs', 'cl-test-terminal.lab.yaml');
  const text = readFileSync(lab, 'utf8');
  const renamed = text.replace(/\bcl-test-(echo|live)\b/g, `cl-test-$1-${runId}`);
  if (renamed === text) throw new UserError(`${lab} names no cl-test-echo / cl-test-live container any more: update passWorkspace`);
  writeFileSync(lab, renamed);
  return { workspace, runId };
}

/** User settings for a clean, quiet workbench (no trust prompt, no welcome page). */
function writeUserSettings(userDataDir) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify({
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.enabled': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
  }, null, 2)}\n`);
}

const NOISE = [
  /^Ignoring fetching additional builtin extensions from gallery/,
  /^Creation of workbench contribution '.*' took \d+ms\.$/,
  /^\[vscode\.[\w-]+\]: The snippet file ".*" could not be read\.$/,
  /^Updating additional builtin extensions cache$/,
];

/**
 * Prints one line the workbench hands to codeAutomationLog: the extension host's console
 * (mocha's output, as printf-style argument lists) and the workbench's own log.
 */
function printLog(type, message, t0) {
  const args = Array.isArray(message) ? message : [message];
  let text = typeof args[0] === 'string' ? format(...args) : args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
  // The workbench's own chatter that says nothing about the tests.
  if (NOISE.some((re) => re.test(text))) return;
  // Offline, the workbench's gallery lookups fail with long stacks: one line is enough.
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(text) && /open-vsx|marketplace|gallery|update/i.test(text)) text = `${text.split('\n')[0]} (offline; harmless)`;
  const stamp = `+${((Date.now() - t0) / 1000).toFixed(1)}s`.padStart(8);
  for (const line of text.split('\n')) process.stdout.write(`${stamp} ${type === 'error' ? '!' : ' '} ${line}\n`);
}

/** One pass in code-server: resolves the suite's exit code. */
async function passInCodeServer({ trusted, timeoutMin }) {
  const { chromium } = await import('playwright-core');
  const layer = trusted ? 'integration' : 'integration-restricted';
  const { workspace, runId } = passWorkspace(trusted ? 'int' : 'int-restricted');
  const userDataDir = tempDir('int-data');
  const extensionsDir = tempDir('int-ext');
  writeUserSettings(userDataDir);
  const cleanup = () => {
    rmSync(join(workspace, '..'), { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(extensionsDir, { recursive: true, force: true });
  };
  const server = await startCodeServer({
    folder: workspace,
    userDataDir,
    extensionsDir,
    disableWorkspaceTrust: trusted,
    noGallery: true,
    env: { CONTAINER_LABS_LAYER: layer, CONTAINER_LABS_TRUST: trusted ? 'trusted' : 'restricted', CONTAINER_LABS_RUN_ID: runId, CONTAINER_LABS_RESULTS_DIR: join(repoRoot, 'test-results'), ...grepEnv() },
  }).catch((error) => {
    cleanup();
    throw error;
  });
  say(TAG, `code-server ${server.url} (pid ${server.pid}, log ${server.logFile}), workspace ${workspace}${trusted ? '' : ' in Restricted Mode'}`);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    let settle;
    const exited = new Promise((resolve) => {
      settle = resolve;
    });
    // Both must exist before the workbench loads: it looks for them when the tests start/end.
    const t0 = Date.now();
    await page.exposeFunction('codeAutomationLog', (type, message) => {
      printLog(type, message, t0);
      // The workbench cannot start the runner (e.g. a plain path instead of a vscode-remote URI):
      // it would never call codeAutomationExit, so stop now instead of waiting for the timeout.
      if (/No extension host found that can launch the test runner/.test(JSON.stringify(message))) {
        settle({ code: 1, reason: 'the workbench found no extension host to run the tests in' });
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      settle({ code: typeof code === 'number' ? code : 1 });
    });
    page.on('crash', () => settle({ code: 1, reason: 'the browser page crashed' }));
    const base = `vscode-remote://127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `${base}${repoRoot}`],
      ['extensionTestsPath', `${base}${suiteDir}`],
      ['skipWelcome', 'true'],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const timer = setTimeout(() => settle({ code: 1, reason: `the suite did not finish within ${timeoutMin} min` }), timeoutMin * 60_000);
    const result = await exited;
    clearTimeout(timer);
    if (result.reason) process.stderr.write(`[${TAG}] ${result.reason}\n`);
    return result.code;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    cleanup();
  }
}

/** One pass with @vscode/test-electron (downloads VS Code into .vscode-test/). */
async function passInElectron({ trusted }) {
  const { runTests } = await import('@vscode/test-electron');
  const { workspace, runId } = passWorkspace(trusted ? 'int' : 'int-restricted');
  const layer = trusted ? 'integration' : 'integration-restricted';
  try {
    await runTests({
      version: process.env.CONTAINER_LABS_VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteDir,
      launchArgs: [workspace, '--disable-extensions', ...(trusted ? ['--disable-workspace-trust'] : [])],
      extensionTestsEnv: { CONTAINER_LABS_LAYER: layer, CONTAINER_LABS_TRUST: trusted ? 'trusted' : 'restricted', CONTAINER_LABS_RUN_ID: runId, CONTAINER_LABS_RESULTS_DIR: join(repoRoot, 'test-results'), ...grepEnv() },
    });
    return 0;
  } catch (error) {
    process.stderr.write(`[${TAG}] ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    rmSync(join(workspace, '..'), { recursive: true, force: true });
  }
}

runMain(async () => {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write('Usage: node scripts/run-integration.mjs [--host electron|code-server] [--timeout-min N] [--no-restricted] [--grep TEXT]\n');
    return 0;
  }
  grep = opts.grep;
  await ensureBuilt();
  let host = opts.host;
  if (host !== 'electron' && host !== 'code-server') {
    if (host) throw new UserError(`unknown host '${host}' (electron or code-server)`, 2);
    host = (await vscodeDownloadable()) ? 'electron' : 'code-server';
  }
  if (host === 'electron' && process.platform === 'linux' && !process.env.DISPLAY && !process.env.CONTAINER_LABS_UNDER_XVFB) {
    const xvfb = await which('xvfb-run');
    if (xvfb) {
      const r = await run(xvfb, ['-a', process.execPath, ...process.argv.slice(1), '--host', 'electron'], { env: { ...process.env, CONTAINER_LABS_UNDER_XVFB: '1' } });
      return r.code ?? 1;
    }
    say(TAG, 'no DISPLAY and no xvfb-run: VS Code (Electron) may fail to start; install xvfb or set CONTAINER_LABS_HOST=code-server');
  }
  if (host === 'code-server') await ensureCodeServer();
  say(TAG, `host: ${host === 'electron' ? '@vscode/test-electron (desktop VS Code)' : 'code-server + Chromium (playwright-core)'}; tests: ${relative(repoRoot, suiteDir)}`);

  const passes = [{ trusted: true }];
  if (opts.restricted && hasRestrictedTests()) passes.push({ trusted: false });
  let worst = 0;
  for (const pass of passes) {
    const t0 = Date.now();
    say(TAG, `pass: ${pass.trusted ? 'trusted workspace' : 'Restricted Mode (workspace not trusted)'}`);
    const code = host === 'electron' ? await passInElectron(pass) : await passInCodeServer({ ...pass, timeoutMin: opts.timeoutMin });
    say(TAG, `pass ${pass.trusted ? 'trusted' : 'restricted'} exited ${code} [${formatDuration(Date.now() - t0)}]`);
    if (code !== 0) worst = code || 1;
  }
  return worst;
}, TAG);
