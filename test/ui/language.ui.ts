/**
 * UI test: the workbench in the second language, Spanish, as a Spanish-speaking student sees
 * it. code-server runs with Spanish as its display language (Workbench.open({ language: 'es' }):
 * the test language pack in test/fixtures/language-pack-es, see harness.ts), so the extension
 * sees `vscode.env.language` 'es': VS Code shows its contributions from package.nls.es.json, the
 * extension speaks from l10n/bundle.l10n.es.json and lab 1 comes from
 * labs/01-first-containers.lab.es.yaml. The student runs lab 1's "docker run hello-world" step
 * from the Spanish walkthrough and it passes by itself. Saves the README's screenshot of the
 * Spanish walkthrough: screenshots/walkthrough-es.png, copied to media/screenshots/.
 *
 * Every expected string is read from those files, never written here, the checks' reasons too
 * (src/core speaks through @vscode/l10n, configured by the extension with VS Code's bundle).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Dockerode from 'dockerode';
import { parse } from 'yaml';
import { escapeRegExp } from '../../src/core/text';
import { repoRoot, Workbench } from './harness';

const LANGUAGE = 'es';
/** Lab 1's step that runs a container and passes by itself (labs.ui.ts runs it in English). */
const STEP_ID = 'run-hello-world';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

function readJson<T>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, ...parts), 'utf8')) as T;
}

interface LabText {
  title: string;
  steps: Array<{ id: string; title: string }>;
}

function readLab(file: string): LabText {
  return parse(fs.readFileSync(path.join(repoRoot, 'labs', file), 'utf8')) as LabText;
}

function stepTitle(lab: LabText, id: string): string {
  const step = lab.steps.find((s) => s.id === id);
  if (!step) throw new Error(`lab "${lab.title}" has no step ${id}`);
  return step.title;
}

const labEn = readLab('01-first-containers.lab.yaml');
const labEs = readLab(`01-first-containers.lab.${LANGUAGE}.yaml`);
const bundle = readJson<Record<string, string>>('l10n', `bundle.l10n.${LANGUAGE}.json`);
const nlsEn = readJson<Record<string, string>>('package.nls.json');
const nlsEs = readJson<Record<string, string>>(`package.nls.${LANGUAGE}.json`);
/** The test language pack's own translations of the workbench (VS Code's, not ours). */
const workbenchEs = readJson<{ contents: Record<string, Record<string, string>> }>('test', 'fixtures', `language-pack-${LANGUAGE}`, 'translations', 'main.i18n.json').contents;

/** A string of the extension's bundle in Spanish: there, and not the English string itself. */
function t(english: string): string {
  const translated = bundle[english];
  assert.strictEqual(typeof translated, 'string', `l10n/bundle.l10n.${LANGUAGE}.json translates "${english}"`);
  assert.notStrictEqual(translated, english, `the bundle's "${english}" is translated`);
  return translated;
}

/** A template filled in as l10n.t fills it: {n} is the n-th value. */
function fill(template: string, ...values: string[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => values[Number(n)] ?? whole);
}

/** A template of the bundle ("paso {0} · {1}/{2} superados") as a pattern, numbers for its {n}. */
function templatePattern(template: string): RegExp {
  return new RegExp(escapeRegExp(template).replace(/\\\{\d+\\\}/g, '\\d+'));
}

async function imageExists(ref: string): Promise<boolean> {
  const found = await docker.listImages({ filters: { reference: [ref] }, abortSignal: AbortSignal.timeout(60_000) });
  return found.length > 0;
}

/** Removes a container by name; one that is gone already is fine. */
async function removeContainer(name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, abortSignal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const code = (error as { statusCode?: number }).statusCode;
    if (code !== 404 && code !== 409) throw error;
  }
}

describe('UI: in Spanish, the workbench, the Labs view and lab 1 as a student clicks', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  /** The hello-world container the step's check found (named by the engine): ours to remove. */
  let helloContainer: string | undefined;

  const labTitle = labEs.title;
  const runStepTitle = stepTitle(labEs, STEP_ID);

  before(async function () {
    assert.ok(await imageExists('hello-world:latest'), 'hello-world:latest must exist (node scripts/images.mjs)');
    // The translation is a translation: else the assertions below could not tell the languages apart.
    assert.notStrictEqual(labTitle, labEn.title, 'lab 1 has a Spanish title');
    assert.notStrictEqual(runStepTitle, stepTitle(labEn, STEP_ID), `lab 1's step ${STEP_ID} has a Spanish title`);
    wb = await Workbench.open({ language: LANGUAGE });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure(`es-${this.currentTest.title}`);
    }
  });

  after(async function () {
    await wb?.close();
    // Only what this test made: the container the check named.
    if (helloContainer) await removeContainer(helloContainer);
  });

  it('shows the workbench, the Labs view and lab 1 in Spanish', async function () {
    if (!wb) throw new Error('the workbench did not open');
    // The workbench itself: the Explorer's entry in the activity bar, from the language pack.
    const explorer = workbenchEs['vs/workbench/contrib/files/browser/explorerViewlet']?.explore;
    assert.ok(explorer, 'the test language pack translates the Explorer');
    await wb.page.locator(`.activitybar [aria-label^="${explorer} "]`).first().waitFor({ state: 'visible', timeout: 30_000 });

    await wb.openContainerLabs();
    // With one visible view the sidebar's title names it: "Container Labs: <the Labs view>".
    const viewName = nlsEs['views.containerLabs.labs.name'];
    assert.ok(viewName, 'package.nls.es.json names the Labs view');
    assert.notStrictEqual(viewName, nlsEn['views.containerLabs.labs.name'], 'the Labs view has a Spanish name');
    const title = wb.page.locator('.part.sidebar .title-label h2');
    await title.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await title.textContent()) ?? '', new RegExp(`: ${escapeRegExp(viewName)}$`), 'the sidebar is titled with the Spanish name of the Labs view');

    const rows = await wb.treeItems(undefined, { atLeast: 3, timeoutMs: 120_000 });
    assert.ok(rows.some((r) => r.startsWith(labTitle)), `lab 1's Spanish title "${labTitle}" is in the tree; rows: ${rows.join(' | ')} (page errors: ${wb.pageErrors.join('; ') || 'none'})`);
    assert.ok(!rows.some((r) => r.startsWith(labEn.title)), `lab 1's English title is not: ${rows.join(' | ')}`);
  });

  it(`runs lab 1's step "${STEP_ID}" from the Spanish walkthrough and it passes by itself`, async function () {
    if (!wb) throw new Error('the workbench did not open');
    await wb.openStep(new RegExp(escapeRegExp(labTitle)), new RegExp(escapeRegExp(runStepTitle)));
    const page = wb.webview();
    // The page is in the display language the extension sees (vscode.env.language).
    assert.strictEqual(await page.locator('html').getAttribute('lang'), LANGUAGE, 'the walkthrough page is lang="es"');

    const run = page.getByTestId('run-0');
    assert.strictEqual((await run.innerText()).trim(), t('Run in terminal'), 'the Run button speaks Spanish');
    const status = page.getByTestId('check-status');
    assert.notStrictEqual(await status.getAttribute('data-status'), 'passed', 'not passed before running');
    await run.click();
    // No further click: the live check passes the step.
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
    assert.strictEqual((await status.locator('.status-text').innerText()).trim(), t('Passed'), 'the status says passed in Spanish');
    // The check's reason, in Spanish too, names the container it found: the one the command
    // made, given a name by the engine. Built from the bundle's templates as the check builds it
    // ("<image> (container "<name>") exited with code 0"), the name left open.
    const NAME = '\u0000';
    const who = fill(t('{0} (container {1})'), 'hello-world', `"${NAME}"`);
    const sentence = fill(t('{0} exited with {1}'), who, fill(t('code {0}'), '0'));
    const verdict = await status.innerText();
    const found = new RegExp(escapeRegExp(sentence).replace(NAME, '([\\w.-]+)')).exec(verdict);
    assert.ok(found, `the check names the hello-world container in Spanish ("${sentence}"): ${verdict}`);
    helloContainer = found[1];

    const text = await wb.waitForTerminalText(/Hello from Docker/);
    assert.match(text, /docker run hello-world/, `terminal: ${text.slice(-400)}`);
    // The status bar follows without a click, in Spanish too: "<lab> · paso 7 · 1/5 superados".
    const statusBar = wb.page.locator('.statusbar').getByText(new RegExp(`${escapeRegExp(labTitle)} · ${templatePattern(t('step {0} · {1}/{2} passed')).source}`));
    await statusBar.first().waitFor({ state: 'visible', timeout: 10_000 });

    // The README's picture of the Spanish walkthrough (the pointer off the buttons and rows).
    await wb.page.mouse.move(1100, 300);
    const shot = await wb.screenshot('walkthrough-es');
    assert.ok(fs.statSync(shot).size > 10_000, `screenshot ${shot} looks empty`);
    fs.copyFileSync(shot, path.join(repoRoot, 'media', 'screenshots', 'walkthrough-es.png'));
  });
});
