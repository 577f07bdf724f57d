/**
 * UI test: the walkthrough as a screen-reader or keyboard user meets it, in code-server.
 *
 * - axe-core, run inside the walkthrough's frame, scans the page on a command step, a quiz before
 *   and after answering, a passed step and a failed one, in Dark Modern, Light Modern and both
 *   high-contrast themes: zero violations. The contrast items axe cannot decide (text over
 *   shadow-DOM parts, clipped text) are measured here from the real computed colours, and every
 *   text on the page must reach 4.5:1 (3:1 when large).
 * - The announcements are read from the live regions over a pass and a failure.
 * - The keyboard alone completes a step and a quiz.
 *
 * The labs are this test's own (test/fixtures/a11y/a11y.lab.yaml, written into a copy of the
 * test workspace with this run's names and label).
 */
/// <reference lib="dom" />
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as axe from 'axe-core';
import type { Frame, Locator } from 'playwright-core';
import { copyWorkspace, repoRoot, Workbench } from './harness';
import { imageExists, mainDocker } from '../support/engine';
import { RUN_ID, RUN_LABELS, uniqueName } from '../support/run';
import { waitFor } from '../support/wait';

const docker = mainDocker();

interface ThemeCase {
  /** The theme's name in the Color Theme picker. */
  id: string;
  /** The kind VS Code gives the webview's body (data-vscode-theme-kind). */
  kind: string;
}

const THEMES: ThemeCase[] = [
  { id: 'Dark Modern', kind: 'vscode-dark' },
  { id: 'Light Modern', kind: 'vscode-light' },
  { id: 'Dark High Contrast', kind: 'vscode-high-contrast' },
  { id: 'Light High Contrast', kind: 'vscode-high-contrast-light' },
];

/** The labs of this run: one for the scans and announcements, one for the keyboard. */
const SCAN_LAB = { id: `cl-test-a11y-${RUN_ID}`, title: 'A11y scan lab', name: uniqueName('a11y') };
const KEYS_LAB = { id: `cl-test-a11y-keys-${RUN_ID}`, title: 'A11y keyboard lab', name: uniqueName('a11y') };

function writeLabs(workspace: string): void {
  const template = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'a11y', 'a11y.lab.yaml'), 'utf8');
  const [labelKey, labelValue] = Object.entries(RUN_LABELS)[0];
  for (const lab of [SCAN_LAB, KEYS_LAB]) {
    const text = template.replaceAll('__ID__', lab.id).replaceAll('__TITLE__', lab.title).replaceAll('__NAME__', lab.name).replaceAll('__LABEL__', `${labelKey}=${labelValue}`);
    fs.writeFileSync(path.join(workspace, '.container-labs', `${lab.id}.lab.yaml`), text);
  }
}

/** Removes the containers this run's labs made (listed by this run's label only). */
async function removeOwnContainers(): Promise<void> {
  const [labelKey, labelValue] = Object.entries(RUN_LABELS)[0];
  const mine = await docker.listContainers({ all: true, filters: { label: [`${labelKey}=${labelValue}`] } });
  for (const c of mine) await docker.getContainer(c.Id).remove({ force: true });
}

// ---------------------------------------------------------------------------------------------
// Contrast, measured in the page
// ---------------------------------------------------------------------------------------------

interface Measured {
  /** A short description of the element: tag, class, test id, text. */
  what: string;
  color: string;
  background: string;
  ratio: number;
  large: boolean;
  /** An icon glyph hidden from screen readers beside its word: a graphic, 3:1 is enough (WCAG 1.4.11). */
  graphic: boolean;
}

/**
 * Runs in the walkthrough page: every element with text of its own (open shadow roots too,
 * so the text inside vscode-button's shadow DOM is measured), its computed text colour over
 * the background it really sits on (the semi-transparent layers below it composited down to
 * the first opaque one), and the WCAG contrast ratio. Disabled controls are exempt (WCAG 1.4.3).
 */
function measureAllText(): Measured[] {
  type Rgba = [number, number, number, number];
  const parse = (css: string): Rgba => {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    if (!m) throw new Error(`cannot read the colour ${css}`);
    const p = m[1].split(/[\s,/]+/).filter((x) => x !== '').map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top: Rgba, bottom: Rgba): Rgba => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i: number): number => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const luminance = (c: Rgba): number => {
    const ch = (v: number): number => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
  };
  const parentOf = (el: Element): Element | null => el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
  const backgroundOf = (el: Element): Rgba => {
    const layers: Rgba[] = [];
    for (let e: Element | null = el; e !== null; e = parentOf(e)) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let acc: Rgba = [255, 255, 255, 1];
    for (const layer of layers.reverse()) acc = over(layer, acc);
    return acc;
  };
  const disabled = (el: Element): boolean => {
    for (let e: Element | null = el; e !== null; e = parentOf(e)) if (e.hasAttribute('disabled')) return true;
    return false;
  };
  const out: Measured[] = [];
  const visit = (root: Document | ShadowRoot): void => {
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el.shadowRoot) visit(el.shadowRoot);
      const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
      if (!own || el.closest('[hidden]') || disabled(el) || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const background = backgroundOf(el);
      const color = over(parse(style.color), background);
      const [l1, l2] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const id = el.getAttribute('data-testid') ?? el.getAttribute('class') ?? '';
      out.push({
        what: `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''} "${text}"`,
        color: style.color,
        background: `rgb(${background.slice(0, 3).map((v) => Math.round(v)).join(', ')})`,
        ratio: Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100,
        large: size >= 24 || (bold && size >= 18.66),
        graphic: el.closest('[aria-hidden="true"]') !== null,
      });
    }
  };
  visit(document);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/** The scans whose page the README shows (issue 12, item 14: "Correct." readable in Light Modern). */
const SCREENSHOTS: Record<string, string> = { 'Light Modern: quiz answered': 'quiz-correct-light-modern' };

describe('UI: the walkthrough with a screen reader, a keyboard and four themes', function () {
  this.timeout(600_000);
  let wb: Workbench | undefined;
  /** Per theme: the lowest contrast measured, for the log (and the report). */
  const lowest = new Map<string, Measured>();

  before(async function () {
    assert.ok(await imageExists(docker, 'alpine:latest'), 'alpine:latest must exist (node scripts/images.mjs)');
    const workspace = copyWorkspace('a11y');
    writeLabs(workspace);
    wb = await Workbench.open({ workspace });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure(`a11y-${this.currentTest.title}`);
    }
  });

  after(async function () {
    for (const [theme, m] of lowest) process.stdout.write(`    lowest contrast in ${theme}: ${m.ratio}:1 ${m.what} (${m.color} on ${m.background})\n`);
    const workspace = wb?.workspace;
    await wb?.close();
    if (workspace) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
    await removeOwnContainers();
  });

  function bench(): Workbench {
    if (!wb) throw new Error('the workbench did not open');
    return wb;
  }

  /** Picks a color theme in the workbench (Preferences: Color Theme) and waits for the page to get it. */
  async function useTheme(theme: ThemeCase): Promise<void> {
    const w = bench();
    const page = w.webview();
    if ((await page.locator(`body[data-vscode-theme-kind="${theme.kind}"]`).count()) === 1) return;
    await w.page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true });
    await w.page.keyboard.press('F1');
    const input = w.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('>Preferences: Color Theme');
    // A click on the row: Enter would run whichever command the palette put first.
    await w.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: /^\s*Preferences: Color Theme/ }).first().click({ timeout: 15_000 });
    await w.page.locator('.quick-input-widget input[placeholder*="Color Theme" i]').waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(theme.id);
    // Filtered to the one theme, its row is the active one: Enter takes it.
    await w.page.locator('.quick-input-list .monaco-list-row').first().filter({ hasText: new RegExp(`^\\s*${theme.id}`) }).waitFor({ state: 'visible', timeout: 15_000 });
    await w.page.keyboard.press('Enter');
    await w.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.locator(`body[data-vscode-theme-kind="${theme.kind}"]`).waitFor({ state: 'attached', timeout: 30_000 });
  }

  /** The walkthrough's own frame (the page inside the webview's iframes). */
  async function walkthroughFrame(): Promise<Frame> {
    const body = await bench().webview().locator('body').elementHandle({ timeout: 20_000 });
    const frame = await body?.ownerFrame();
    if (!frame) throw new Error('cannot find the walkthrough\'s frame');
    return frame;
  }

  /** axe-core on the walkthrough page alone (injected into its frame: the workbench around it is not ours to judge). */
  async function runAxe(): Promise<axe.AxeResults> {
    const frame = await walkthroughFrame();
    if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(axe.source);
    return frame.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations', 'incomplete'] }));
  }

  /** axe on the walkthrough page (only there, not the workbench around it) and the measured contrast; fails with every finding. */
  async function scan(state: string): Promise<void> {
    const w = bench();
    const problems: string[] = [];
    for (const theme of THEMES) {
      await useTheme(theme);
      const results = await runAxe();
      assert.ok(results.passes.length > 10, `${theme.id}, ${state}: axe ran only ${results.passes.length} rules that passed`);
      for (const v of results.violations) {
        problems.push(`${theme.id}, ${state}: ${v.id} (${v.impact ?? '?'}): ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
      }
      const measured = await w.webview().locator('body').evaluate(measureAllText);
      assert.ok(measured.length > 10, `${theme.id}, ${state}: measured only ${measured.length} texts`);
      for (const m of measured) {
        const needed = m.large || m.graphic ? 3 : 4.5;
        if (m.ratio < needed) problems.push(`${theme.id}, ${state}: contrast ${m.ratio}:1 < ${needed}:1 for ${m.what} (${m.color} on ${m.background})`);
        const low = lowest.get(theme.id);
        if (low === undefined || m.ratio < low.ratio) lowest.set(theme.id, m);
      }
      // What axe left to review about contrast is decided by the measurement above: each such
      // item must be text that was measured (or have no text of its own to measure).
      const undecided = results.incomplete.filter((i) => i.id === 'color-contrast').flatMap((i) => i.nodes);
      process.stdout.write(`    ${theme.id}, ${state}: ${results.violations.length} violations, ${results.passes.length} rules passed, ${undecided.length} contrast items measured instead (${measured.length} texts, lowest ${Math.min(...measured.map((m) => m.ratio))}:1)\n`);
      const shot = SCREENSHOTS[`${theme.id}: ${state}`];
      if (shot !== undefined) fs.copyFileSync(await w.screenshot(shot), path.join(repoRoot, 'media', 'screenshots', `${shot}.png`));
    }
    await useTheme(THEMES[0]);
    assert.deepStrictEqual(problems, [], problems.join('\n'));
  }

  /** Starts recording what the live regions say (every non-empty text they are given, in order). */
  async function recordAnnouncements(): Promise<void> {
    await bench().webview().locator('body').evaluate(() => {
      const w = window as unknown as { clSaid: string[]; clObservers?: MutationObserver[] };
      // The page lives on from step to step: a recording started earlier stops first.
      for (const o of w.clObservers ?? []) o.disconnect();
      w.clSaid = [];
      w.clObservers = [];
      for (const id of ['announce-polite', 'announce-assertive']) {
        const region = document.querySelector(`[data-testid="${id}"]`);
        if (!region) throw new Error(`no live region ${id}`);
        const observer = new MutationObserver(() => {
          const text = (region.textContent ?? '').trim();
          if (text !== '') w.clSaid.push(`${id === 'announce-polite' ? 'polite' : 'assertive'}: ${text}`);
        });
        observer.observe(region, { childList: true, characterData: true, subtree: true });
        w.clObservers.push(observer);
      }
    });
  }

  async function announcements(): Promise<string[]> {
    return bench().webview().locator('body').evaluate(() => (window as unknown as { clSaid: string[] }).clSaid);
  }

  /**
   * What was announced since recordAnnouncements, once an announcement matching `pattern` is
   * among them. (The region's text alone is not enough: it may still hold the same sentence
   * from an earlier step, said before this recording started.)
   */
  async function waitForAnnouncement(pattern: RegExp): Promise<string[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const said = await announcements();
      if (said.some((line) => pattern.test(line))) return said;
      if (Date.now() > deadline) throw new Error(`no announcement matching ${String(pattern)} within 60 s; announced: ${JSON.stringify(said)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const scanLab = new RegExp(SCAN_LAB.title);

  it('has no axe violations on a command step, in four themes', async function () {
    await bench().openStep(scanLab, /Run a finished container/);
    // Each Run button's accessible name starts with what it shows.
    const run = bench().webview().getByTestId('run-0');
    assert.match(String(await run.getAttribute('aria-label')), /^Run in terminal\b/);
    await scan('command step');
  });

  it('has no axe violations on a quiz, before and after answering', async function () {
    const w = bench();
    await w.openStep(scanLab, /Answer a question/);
    await scan('quiz before answering');
    const page = w.webview();
    await page.getByTestId('quiz-choice-1').click();
    await page.getByTestId('quiz-submit').click();
    await page.locator('[data-testid="quiz-feedback"][data-correct="false"]').waitFor({ state: 'visible', timeout: 20_000 });
    await scan('quiz answered wrongly');
    await page.getByTestId('quiz-choice-0').click();
    await page.getByTestId('quiz-submit').click();
    await page.locator('[data-testid="quiz-feedback"][data-correct="true"]').waitFor({ state: 'visible', timeout: 20_000 });
    await scan('quiz answered');
  });

  it('announces one sentence when a step passes, and scans the passed step', async function () {
    const w = bench();
    await w.openStep(scanLab, /Run a finished container/);
    const page = w.webview();
    await recordAnnouncements();
    await page.getByTestId('run-0').click();
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    const said = await waitForAnnouncement(/Step passed/);
    // One short sentence, politely, and nothing before it (the grace-period reasons are not read out).
    assert.deepStrictEqual(said, ['polite: Step passed: Run a finished container.']);
    // The visible status is no live region of its own (it would read the whole list again).
    assert.strictEqual(await page.getByTestId('check-status').getAttribute('aria-live'), null);
    assert.strictEqual(await page.getByTestId('announce-polite').getAttribute('aria-atomic'), 'true');
    await scan('passed step');
  });

  it('announces a failure assertively, and scans the failed step', async function () {
    const w = bench();
    await w.openStep(scanLab, /Find a container that is not there/);
    const page = w.webview();
    await recordAnnouncements();
    await page.getByTestId('check-now').click();
    await page.locator('[data-testid="check-status"][data-status="failed"]').waitFor({ state: 'visible', timeout: 60_000 });
    const said = await waitForAnnouncement(/Not yet/);
    assert.strictEqual(said.length, 1, `one announcement: ${JSON.stringify(said)}`);
    assert.match(said[0], new RegExp(`^assertive: Not yet: .*${SCAN_LAB.name}-missing`));
    assert.strictEqual(await page.getByTestId('announce-assertive').getAttribute('role'), 'alert');
    await scan('failed step');
  });

  it('completes a step and a quiz with the keyboard alone', async function () {
    const w = bench();
    const keys = w.page.keyboard;
    /** Runs a command from the palette with keys only: F1, its title, Enter. */
    const palette = async (title: string): Promise<void> => {
      await keys.press('F1');
      const input = w.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(`>${title}`);
      // The arrow keys move to the row of exactly this command ("Open Lab" also matches "Open Lab File").
      const row = w.paletteRow(title);
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      for (let i = 0; i < 10 && !(await row.evaluate((el) => el.classList.contains('focused'))); i++) await keys.press('ArrowDown');
      assert.strictEqual(await row.evaluate((el) => el.classList.contains('focused')), true, `the palette's row for ${title} has the focus`);
      await keys.press('Enter');
    };
    // Open the lab from the command palette: its quick pick, filtered by the lab's name. The
    // palette lists Open Lab once the catalog is loaded.
    await w.waitForExtensionReady();
    await palette('Container Labs: Open Lab');
    await w.page.locator('.quick-input-widget').filter({ hasText: 'Open a lab' }).waitFor({ state: 'visible', timeout: 15_000 });
    await w.page.locator('.quick-input-widget input').fill(KEYS_LAB.title);
    await w.page.locator('.quick-input-list .monaco-list-row').first().filter({ hasText: KEYS_LAB.title }).waitFor({ state: 'visible', timeout: 15_000 });
    await keys.press('Enter');
    const page = w.webview();
    await page.getByRole('heading', { name: /Run a finished container/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await w.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    // The keyboard way into the page: focus the editor group that shows it.
    await palette('View: Focus Active Editor Group');
    // The workbench hands the focus on to the webview's frame a moment later (it took longer than
    // sixty Tab presses on a loaded machine): Tab goes into the page only once it has it.
    await waitFor('the walkthrough page to have the keyboard focus', () => page.locator('body').evaluate(() => document.hasFocus()), 15_000, 100);

    /** Tabs through the page until the control with this test id has the focus. */
    const tabTo = async (testId: string, target: Locator): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        if (await target.evaluate((el) => el === document.activeElement || el.matches(':focus-within'))) return;
        await keys.press('Tab');
      }
      const focused = await page.locator('body').evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
      throw new Error(`Tab never reached ${testId}; the focus is on ${focused}`);
    };

    // Tab to Run and press Enter.
    const run = page.getByTestId('run-0');
    await tabTo('run-0', run);
    await keys.press('Enter');
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });

    // Next, twice (the middle step is skipped over), by Enter on the Next button.
    for (const title of [/Find a container that is not there/, /Answer a question/]) {
      const next = page.getByTestId('next');
      await tabTo('next', next);
      await keys.press('Enter');
      await page.getByRole('heading', { name: title }).waitFor({ state: 'visible', timeout: 20_000 });
    }

    // The quiz: Tab into the choices, the arrow keys pick "--rm" (the first), Tab to Submit, Enter.
    const first = page.getByTestId('quiz-choice-0');
    await tabTo('quiz-choice-0', page.locator('vscode-radio-group'));
    await keys.press('ArrowDown');
    await keys.press('ArrowUp');
    assert.strictEqual(await first.evaluate((el) => (el as HTMLElement & { checked: boolean }).checked), true, 'the arrow keys checked the first choice');
    await tabTo('quiz-submit', page.getByTestId('quiz-submit'));
    await keys.press('Enter');
    const feedback = page.locator('[data-testid="quiz-feedback"][data-correct="true"]');
    await feedback.waitFor({ state: 'visible', timeout: 20_000 });
    // The feedback takes the focus, so it is read next.
    assert.strictEqual(await feedback.evaluate((el) => el === document.activeElement), true, 'the focus is on the feedback');
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 20_000 });

    // The quiz was the lab's last step: its Next is "Finish the lab", and it shows the lab's
    // summary (not the next lab), its heading focused and announced.
    const finish = page.getByTestId('next');
    assert.strictEqual((await finish.innerText()).trim(), 'Finish the lab');
    await tabTo('next', finish);
    await keys.press('Enter');
    const heading = page.getByTestId('summary-heading');
    await heading.waitFor({ state: 'visible', timeout: 20_000 });
    assert.strictEqual(await heading.evaluate((el) => el === document.activeElement), true, 'the focus is on the summary\'s heading');
    // Two of its three steps passed (the middle one was skipped over): it says so and offers a way back to it.
    assert.strictEqual((await heading.innerText()).trim(), 'End of the lab');
    assert.match(await page.getByTestId('summary-counts').innerText(), /^2 of 3 steps passed/);
    await page.getByRole('button', { name: /Go to step: Find a container that is not there/ }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await page.getByTestId('announce-polite').evaluate((el) => el.textContent ?? ''), /End of the lab\. 2 of 3 steps passed/);
    await w.screenshot('lab-summary');
    await scan('lab summary');
    // Back to the skipped step, by keyboard.
    await tabTo('summary-step', page.getByRole('button', { name: /Go to step: Find a container that is not there/ }));
    await keys.press('Enter');
    await page.getByRole('heading', { name: /Find a container that is not there/ }).waitFor({ state: 'visible', timeout: 20_000 });
  });
});
