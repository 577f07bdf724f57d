/**
 * UI test harness: Container Labs as a user sees it, in code-server (the real VS Code workbench)
 * driven by playwright-core on Debian's Chromium. UI tests (test/ui/*.ui.ts, compiled to
 * out/test/ui/*.ui.js) run with mocha in plain Node: `node scripts/ui-test.mjs`.
 *
 *   const wb = await Workbench.open();          // VSIX installed, workbench ready
 *   await wb.openContainerLabs();               // click the activity-bar entry
 *   const labs = await wb.treeItems('Labs');    // labels of the rows in the Labs view
 *   await wb.runCommand('Container Labs: Open Lab');
 *   await wb.webview().getByRole('button', { name: 'Run in terminal' }).click();
 *   await wb.screenshot('first-lab');           // screenshots/first-lab.png (git-ignored)
 *   await Workbench.open({ language: 'es' });   // the workbench (and so the extension) in Spanish
 *   await wb.close();
 *
 * The VSIX is packaged once per process (`npm run package` -> dist/container-labs.vsix), or
 * taken from env CONTAINER_LABS_VSIX (scripts/ui-test.mjs packages it before mocha starts).
 * code-server comes from scripts/code-server.mjs (installed into the cache on first use).
 */
import { type ChildProcess, execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { type Browser, chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { escapeRegExp } from '../../src/core/text';
import { waitFor } from '../support/wait';

const execFileAsync = promisify(execFile);

/** out/test/ui -> the repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const screenshotsDir = path.join(repoRoot, 'screenshots');
const vsixPath = path.join(repoRoot, 'dist', 'container-labs.vsix');

/** Chromium flags that work headless as root in a container (see TEST-HOSTS.md section 3). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** The activity-bar entry of our view container. */
export const ACTIVITY_ENTRY = '.activitybar [aria-label*="Container Labs"]';

let vsixOnce: Promise<string> | undefined;

/** Packages the extension once per process and returns the VSIX path. */
export function packageVsix(): Promise<string> {
  const fromEnv = process.env.CONTAINER_LABS_VSIX;
  if (fromEnv && fs.existsSync(fromEnv)) return Promise.resolve(fromEnv);
  vsixOnce ??= (async () => {
    try {
      await execFileAsync('npm', ['run', 'package', '--silent'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm run package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
    }
    if (!fs.existsSync(vsixPath)) throw new Error(`npm run package succeeded but ${vsixPath} is missing`);
    return vsixPath;
  })();
  return vsixOnce;
}

/** A fresh temp copy of test/fixtures/workspace. */
export function copyWorkspace(label = 'ui'): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `cl-test-${label}-`));
  const target = path.join(base, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), target, { recursive: true });
  return target;
}

interface ServerReady {
  url: string;
  port: number;
  pid: number;
  logFile: string;
}

/** Starts `node scripts/code-server.mjs --serve ...` and waits for its CODE_SERVER_READY line. */
function serveCodeServer(args: string[], timeoutMs: number): Promise<{ child: ChildProcess; ready: ServerReady }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'code-server.mjs'), '--serve', ...args, '--exit-on-stdin-close'], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`code-server did not become ready within ${timeoutMs / 1000} s\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('CODE_SERVER_READY '));
      if (line) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line.slice('CODE_SERVER_READY '.length)) as ServerReady });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (code ${code}) before it was ready\n${out}\n${err}`));
    });
  });
}

export interface WorkbenchOptions {
  /** Folder to open; default: a fresh copy of test/fixtures/workspace. */
  workspace?: string;
  /** false: leave workspace trust on (Restricted Mode until trusted). Default true (trusted). */
  trusted?: boolean;
  /** User settings written before start (<user-data-dir>/User/settings.json). */
  settings?: Record<string, unknown>;
  /**
   * Remote machine settings written before start (<user-data-dir>/Machine/settings.json). The
   * code-server workbench is always a remote window: VS Code takes `machine` and
   * `machine-overridable` settings (such as `containerLabs.engine.host`) from these, and ignores
   * them in the user settings once the extension that declares them is registered.
   */
  machineSettings?: Record<string, unknown>;
  /** Install the packaged VSIX (default true). */
  installVsix?: boolean;
  viewport?: { width: number; height: number };
  /**
   * VS Code's display language, e.g. 'es' (default: English). VS Code shows a language other
   * than English only with a language pack for it installed: this installs the test pack in
   * test/fixtures/language-pack-<language> (packageLanguagePack, registerLanguagePacks) and sets
   * the language as "Configure Display Language" does (argv.json "locale"). The browser's locale
   * (Accept-Language) is set to it too.
   */
  language?: string;
}

/**
 * Packages test/fixtures/language-pack-<language> (a minimal language pack of our own: the
 * Marketplace's cannot be downloaded here) with @vscode/vsce into `dir` and returns the VSIX.
 */
async function packageLanguagePack(language: string, dir: string): Promise<string> {
  const fixture = path.join(repoRoot, 'test', 'fixtures', `language-pack-${language}`);
  if (!fs.existsSync(path.join(fixture, 'package.json'))) throw new Error(`no test language pack for "${language}" (${fixture})`);
  const vsix = path.join(dir, `language-pack-${language}.vsix`);
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  try {
    await execFileAsync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', vsix], { cwd: fixture, timeout: 120_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`vsce package of ${fixture} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
  if (!fs.existsSync(vsix)) throw new Error(`vsce package succeeded but ${vsix} is missing`);
  return vsix;
}

interface LocalizationContribution {
  languageId: string;
  languageName?: string;
  localizedLanguageName?: string;
  translations: Array<{ id: string; path: string }>;
}

/**
 * Registers the language packs installed in extensionsDir in <user-data-dir>/languagepacks.json,
 * the file VS Code resolves a display language from (src/vs/base/node/nls.ts): without an entry
 * for the language there it shows English. VS Code writes the file when it installs a language
 * pack itself (the Extensions view), but not after `--install-extension`: the CLI never starts
 * its language pack service (microsoft/vscode#237663, coder/code-server#4735), so code-server's
 * own display-language test writes it too. The entries are those VS Code's LanguagePacksCache
 * writes (src/vs/platform/languagePacks/node/languagePacks.ts), read from each installed
 * extension's manifest.
 */
function registerLanguagePacks(extensionsDir: string, userDataDir: string): string[] {
  // extensions.json: what `--install-extension` installed, each in <extensionsDir>/<relativeLocation>.
  const installed = JSON.parse(fs.readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8')) as Array<{ identifier: { id: string; uuid?: string }; version: string; relativeLocation: string }>;
  const packs: Record<string, { hash: string; label?: string; extensions: Array<{ extensionIdentifier: { id: string; uuid?: string }; version: string }>; translations: Record<string, string> }> = {};
  for (const extension of installed) {
    const location = path.join(extensionsDir, extension.relativeLocation);
    const manifest = JSON.parse(fs.readFileSync(path.join(location, 'package.json'), 'utf8')) as { contributes?: { localizations?: LocalizationContribution[] } };
    for (const l of manifest.contributes?.localizations ?? []) {
      const pack = (packs[l.languageId] ??= { hash: '', label: l.localizedLanguageName ?? l.languageName, extensions: [], translations: {} });
      pack.extensions.push({ extensionIdentifier: extension.identifier, version: extension.version });
      for (const t of l.translations) pack.translations[t.id] = path.join(location, t.path);
    }
  }
  for (const pack of Object.values(packs)) {
    const md5 = createHash('md5');
    for (const e of pack.extensions) md5.update(e.extensionIdentifier.uuid ?? e.extensionIdentifier.id).update(e.version);
    pack.hash = md5.digest('hex');
  }
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
  return Object.keys(packs);
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.colorTheme': 'Default Dark Modern',
  // The DOM renderer keeps the terminal's text in .xterm-rows, where terminalText() reads it.
  'terminal.integrated.gpuAcceleration': 'off',
};

/** One running code-server + browser page with Container Labs installed. */
export class Workbench {
  /** Messages of uncaught errors in the page (useful in assertion messages). */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly page: Page,
    readonly url: string,
    readonly workspace: string,
    readonly logFile: string,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    private readonly userDataDir: string,
    private readonly tempDirs: string[],
  ) {
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
  }

  static async open(options: WorkbenchOptions = {}): Promise<Workbench> {
    const workspace = options.workspace ?? copyWorkspace();
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-ui-data-'));
    const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-ui-ext-'));
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
    if (options.machineSettings) {
      fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
      fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(options.machineSettings, null, 2));
    }

    const language = options.language !== undefined && !options.language.startsWith('en') ? options.language : undefined;
    const args = [workspace, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--no-gallery'];
    if (options.installVsix !== false) args.push('--install-extension', await packageVsix());
    if (language) {
      // The pack installs as any extension (registered in languagepacks.json once installed,
      // below). The display language: code-server takes it from --locale or, failing that, from
      // <user-data-dir>/User/argv.json's "locale", where Configure Display Language keeps it.
      args.push('--install-extension', await packageLanguagePack(language, userDataDir));
      fs.writeFileSync(path.join(userDataDir, 'User', 'argv.json'), JSON.stringify({ locale: language }, null, 2));
    }
    if (options.trusted === false) args.push('--trust-prompt');
    const { child, ready } = await serveCodeServer(args, 180_000);

    let browser: Browser | undefined;
    try {
      if (language) {
        // After the installs (done before the server answers), before the page asks the server
        // for the workbench's translations.
        const languages = registerLanguagePacks(extensionsDir, userDataDir);
        if (!languages.includes(language)) throw new Error(`no language pack for "${language}" among the installed extensions (found: ${languages.join(', ') || 'none'})`);
      }
      browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
      // A context of our own (not browser.newPage()): axe's Playwright builder opens a page beside ours in it.
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 }, ...(language ? { locale: language } : {}) });
      const page = await context.newPage();
      const wb = new Workbench(page, ready.url, workspace, ready.logFile, browser, child, userDataDir, [userDataDir, extensionsDir, ...(options.workspace ? [] : [path.dirname(workspace)])]);
      await page.goto(`${ready.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await wb.waitForWorkbench();
      return wb;
    } catch (error) {
      await browser?.close().catch(() => undefined);
      child.stdin?.end();
      throw error;
    }
  }

  /**
   * Opens a step's page as a student does: the lab's row in the Labs tree (which opens the
   * lab), its steps shown, then one click on the step; waits for the step's heading.
   */
  async openStep(labTitle: RegExp, stepTitle: RegExp): Promise<void> {
    await this.openContainerLabs();
    const lab = this.treeItem(labTitle);
    await lab.waitFor({ state: 'visible', timeout: 120_000 });
    // A click opens the lab's walkthrough; the twistie key (Right) shows its steps.
    await lab.click();
    if ((await lab.getAttribute('aria-expanded')) !== 'true') await this.page.keyboard.press('ArrowRight');
    const step = this.treeItem(stepTitle);
    await step.waitFor({ state: 'visible', timeout: 30_000 });
    // One click must do it. (A click used to fail now and then with "Actual command not
    // found": opening a lab refreshed its row, which makes VS Code replace its step rows and
    // drop their commands for a moment. The tree now refreshes only rows whose look changed.)
    const heading = this.webview().getByRole('heading', { name: stepTitle });
    await step.click();
    try {
      await heading.first().waitFor({ state: 'visible', timeout: 20_000 });
    } catch (error) {
      const toasts = await this.page.locator('.notification-toast').allInnerTexts();
      throw new Error(`the step's page did not show within 20 s of one click (notifications: ${JSON.stringify(toasts)}): ${String(error)}`, { cause: error });
    }
  }

  /** Waits until the workbench shows its activity bar and status bar. */
  async waitForWorkbench(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** The Container Labs entry in the activity bar. */
  activityEntry(): Locator {
    return this.page.locator(ACTIVITY_ENTRY).first();
  }

  /** Clicks the activity-bar entry (unless the view is already open) and waits for the sidebar. */
  async openContainerLabs(timeoutMs = 30_000): Promise<void> {
    const entry = this.activityEntry();
    await entry.waitFor({ state: 'visible', timeout: timeoutMs });
    const item = this.page.locator('.activitybar .action-item').filter({ has: this.page.locator('[aria-label*="Container Labs"]') }).first();
    const checked = (await item.getAttribute('class'))?.includes('checked') ?? false;
    if (!checked) await entry.click();
    await this.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: timeoutMs });
    // Move the pointer off the activity bar so its hover tooltip does not cover screenshots.
    await this.page.mouse.move(900, 700);
  }

  /** The rows of a tree view in the sidebar: the pane titled `view` ("Labs"), or every row. */
  treeRows(view?: string): Locator {
    const sidebar = this.page.locator('.part.sidebar');
    if (!view) return sidebar.locator('.monaco-list-row');
    const pane = sidebar.locator('.pane').filter({ has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${escapeRegExp(view)}\\s*$`, 'i') }) });
    return pane.locator('.monaco-list-row');
  }

  /**
   * Labels of the tree rows (each row's first line of text), after waiting up to timeoutMs
   * for at least `atLeast` rows to appear. Returns what is there when the time is up.
   */
  async treeItems(view?: string, { atLeast = 1, timeoutMs = 20_000 } = {}): Promise<string[]> {
    const rows = this.treeRows(view);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const texts = (await rows.allInnerTexts()).map((t) => t.split('\n')[0]?.trim() ?? '').filter((t) => t !== '');
      if (texts.length >= atLeast || Date.now() > deadline) return texts;
      await this.page.waitForTimeout(250);
    }
  }

  /** A tree row by its label text (exact match first, then contains). */
  treeItem(label: string | RegExp, view?: string): Locator {
    return this.treeRows(view).filter({ hasText: label }).first();
  }

  /** Opens the command palette (F1), types the command title and runs it with Enter. */
  /** The command palette's row whose label is exactly `title` (not one that only contains it). */
  paletteRow(title: string): Locator {
    const exact = new RegExp(`^${escapeRegExp(title)}$`);
    return this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name').filter({ hasText: exact }) }).first();
  }

  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    // The palette lists an extension's commands once the workbench has read its contributions;
    // the activity-bar entry appears at the same moment (a loaded machine took over 15 s).
    await this.activityEntry().waitFor({ state: 'visible', timeout: 120_000 });
    await this.page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true });
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${title}`);
    // The row whose label is the title exactly: "Open Lab" also matches "Open Lab File".
    const row = this.paletteRow(title);
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
    // The palette closes once the command was picked, or gives way at once to the command's
    // own input box (Record a Lab asks for a title): the same widget, without the palette's '>'.
    const widget = this.page.locator('.quick-input-widget');
    await waitFor(
      `the palette to close after "${title}"`,
      async () => !(await widget.isVisible()) || !(await input.inputValue().catch(() => '>')).startsWith('>'),
      timeoutMs,
      200,
    );
  }

  /**
   * The content of a webview: the last one in the page by default, or the nth (0-based; -1 = last).
   * A webview is an iframe (class "webview", "ready" once loaded) hosting an inner #active-frame.
   */
  webview(nth = -1): FrameLocator {
    return this.page.frameLocator(`iframe.webview.ready >> nth=${nth}`).frameLocator('#active-frame');
  }

  /**
   * Types a line into the integrated terminal shown last, as a student would: clicks it, waits
   * until its input has the keyboard focus (a click on a loaded machine can land before the
   * terminal takes focus, and keys typed then go elsewhere), types, presses Enter.
   */
  async typeInTerminal(line: string): Promise<void> {
    const xterm = this.page.locator('.terminal-wrapper.active .xterm, .terminal .xterm').last();
    await xterm.waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor(
      'the terminal to take the keyboard focus',
      async () => {
        await xterm.click();
        return this.page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') === true);
      },
      30_000,
      250,
    );
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The visible text of the integrated terminal shown last (xterm's DOM rows); '' while there is none. */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.terminal .xterm-rows').last();
    if ((await rows.count()) === 0) return '';
    return (await rows.innerText()).trim();
  }

  /**
   * Waits until the terminal shows text matching `pattern` (xterm draws output a moment after
   * the program wrote it) and returns the text; throws with what it showed when time is up.
   */
  async waitForTerminalText(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.terminalText();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`the terminal did not show ${String(pattern)} within ${timeoutMs / 1000} s; it shows: ${text.slice(-600)}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** The extension's own log (its "Container Labs" output channel), for failure messages. */
  extensionLog(): string {
    const logs = path.join(this.userDataDir, 'logs');
    if (!fs.existsSync(logs)) return `(no logs folder in ${this.userDataDir})`;
    const files = fs.readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('Container Labs.log'));
    if (files.length === 0) return '(no "Container Labs" log was written)';
    return files.map((f) => `--- ${f}\n${fs.readFileSync(path.join(logs, f), 'utf8').trim()}`).join('\n');
  }

  /**
   * What the extension's log says of these commands (typed in, waited for, exit code), a line
   * each and newest last, for a failure's first line: whether a clicked command ran and ended.
   */
  commandTrail(commands: readonly string[]): string {
    const lines = this.extensionLog().split('\n').filter((l) => l.includes('[main/terminal]') && commands.some((c) => l.includes(c)));
    if (lines.length === 0) return 'the extension\'s log names none of them';
    return lines.slice(-6).map((l) => l.replace(/^\d{4}-\d\d-\d\d (\S+) \[\w+\] \[main\/terminal\] /, '$1 ').slice(0, 160)).join(' | ');
  }

  /**
   * Until the extension says it is ready (its log's "ready ... after activation began" line):
   * commands whose palette entry waits for the catalog (`containerLabs.labCount > 0`) are listed
   * from then on, and a palette opened earlier does not list them when they come.
   */
  async waitForExtensionReady(timeoutMs = 120_000): Promise<void> {
    await waitFor('the extension to say it is ready', () => /\[main\] ready \d+ ms after activation began/.test(this.extensionLog()), timeoutMs, 200);
  }

  /**
   * After a failed test (afterEach): saves screenshots/failed-<name>.png and prints where it is,
   * the terminal's last lines and the extension's log, so a CI log says what the student saw.
   */
  async reportFailure(name: string): Promise<void> {
    const shot = await this.screenshot(`failed-${name.slice(0, 40)}`).catch(() => 'none');
    const text = await this.terminalText().catch(() => '');
    process.stdout.write(`    screenshot: ${shot}\n    terminal: ${text.slice(-600)}\n    extension log:\n${this.extensionLog()}\n`);
  }

  /** Saves screenshots/<name>.png (full workbench) and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(screenshotsDir, { recursive: true });
    const file = path.join(screenshotsDir, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes the browser and code-server and removes the temp folders it made. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (this.server.exitCode !== null || this.server.signalCode !== null) return resolve();
      const timer = setTimeout(() => {
        this.server.kill('SIGKILL');
        resolve();
      }, 15_000);
      this.server.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.server.stdin?.end();
    });
    for (const dir of this.tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
