/**
 * Labs in more than one language: `*.lab.<language>.yaml` beside a lab gives its words in that
 * language; the catalog shows the one for the display language (then its primary language,
 * then the lab itself); a translation that drifted from its lab is an error `validate` reports,
 * and the lab then shows in its own words. The bundled lab 1 ships in Spanish.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { loadCatalog, scanCatalog, validateText } from '../../src/core/labs/loader';
import { baseLabFile, languageFromEnv, pickLanguage, translationLanguage } from '../../src/core/labs/translation';

const ROOT = path.resolve(__dirname, '../../..');
const LABS = path.join(ROOT, 'labs');

const LAB = `id: cl-test-words
title: Words
summary: A lab to translate.
minutes: 1
steps:
  - id: one
    title: One
    instructions: Run it.
    commands: [docker run --name cl-test-words alpine true]
    check:
      container:
        name: cl-test-words
    hints: [First hint, Second hint]
  - id: two
    title: Two
    instructions: Answer.
    quiz:
      question: Which?
      choices: [a, b]
      answer: 1
      explanation: Because.
`;

const GOOD_ES = `translationOf: cl-test-words
title: Palabras
steps:
  - id: two
    title: Dos
    quiz:
      question: ¿Cuál?
      choices: [á, bé]
  - id: one
    title: Uno
    hints: [Primera pista, Segunda pista]
`;

/** Steps one missing, three extra, two's choices one short. */
const DRIFTED_DE = `translationOf: cl-test-words
steps:
  - id: two
    quiz:
      choices: [nur eins]
  - id: three
    title: Drei
`;

describe('lab translations', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-translation-'));
    await writeFile(path.join(dir, 'words.lab.yaml'), LAB);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the language from the file name and finds the lab file beside it', () => {
    assert.equal(translationLanguage('/x/01-first-containers.lab.es.yaml'), 'es');
    assert.equal(translationLanguage('/x/a.lab.pt-BR.yml'), 'pt-br');
    assert.equal(translationLanguage('/x/a.lab.yaml'), undefined);
    assert.equal(translationLanguage('/x/a.course.es.yaml'), undefined);
    assert.equal(baseLabFile('/x/01-first-containers.lab.es.yaml'), '/x/01-first-containers.lab.yaml');
    assert.equal(baseLabFile('/x/a.lab.pt-br.yml'), '/x/a.lab.yml');
  });

  it('picks the display language, then its primary language, else none', () => {
    assert.equal(pickLanguage(['es', 'pt-br'], 'pt-BR'), 'pt-br');
    assert.equal(pickLanguage(['es'], 'es-419'), 'es');
    assert.equal(pickLanguage(['es'], 'de'), undefined);
    assert.equal(pickLanguage(['es'], undefined), undefined);
    assert.equal(languageFromEnv({ LANG: 'es_ES.UTF-8' }), 'es-es');
    assert.equal(languageFromEnv({ LC_ALL: 'de_DE@euro', LANG: 'es_ES.UTF-8' }), 'de-de');
    assert.equal(languageFromEnv({ LANG: 'C.UTF-8' }), undefined);
    assert.equal(languageFromEnv({}), undefined);
  });

  it('lays the translation over the lab: words translated, commands, checks and answers kept, the rest from the lab', async () => {
    await writeFile(path.join(dir, 'words.lab.es.yaml'), GOOD_ES);
    const english = (await loadCatalog([{ path: dir, origin: 'workspace' }], { language: 'en' })).labs[0];
    const catalog = await loadCatalog([{ path: dir, origin: 'workspace' }], { language: 'es-MX' });
    assert.deepEqual(catalog.broken, []);
    const lab = catalog.labs[0];
    assert.equal(lab.title, 'Palabras');
    assert.equal(lab.language, 'es');
    assert.equal(lab.summary, 'A lab to translate.', 'left out: the lab\'s own');
    assert.deepEqual(lab.steps.map((s) => s.title), ['Uno', 'Dos']);
    assert.deepEqual(lab.steps[0].hints, ['Primera pista', 'Segunda pista']);
    assert.equal(lab.steps[0].instructions, 'Run it.');
    assert.deepEqual(lab.steps[0].commands, english.steps[0].commands);
    assert.deepEqual(lab.steps[0].check, english.steps[0].check);
    assert.deepEqual(lab.steps[1].quiz, { question: '¿Cuál?', choices: ['á', 'bé'], answer: [1], explanation: 'Because.' });
    assert.equal(english.title, 'Words');
    assert.equal(english.language, undefined);
  });

  it('reports a drifting translation (missing and extra steps, choices that do not line up) and shows the lab in its own words', async () => {
    await writeFile(path.join(dir, 'words.lab.de.yaml'), DRIFTED_DE);
    const { catalog, files } = await scanCatalog([{ path: dir, origin: 'workspace' }], { language: 'de' });
    assert.equal(files.length, 2);
    assert.equal(catalog.labs[0].title, 'Words');
    assert.equal(catalog.broken.length, 1);
    const broken = catalog.broken[0];
    assert.equal(path.basename(broken.file), 'words.lab.de.yaml');
    assert.deepEqual(
      broken.issues.map((i) => `${i.line}:${i.col}: ${i.message}`),
      [
        "2:1: steps: no translation of step 'one' of the lab",
        "5:16: steps[0].quiz.choices: 1 choices, but the lab's quiz has 2 (the answer is a position in that list)",
        "6:9: steps[1].id: the lab has no step 'three' (removed or renamed there?)",
      ],
    );
  });

  it('validate fails on a drifting translation, and on one without its lab', async () => {
    await writeFile(path.join(dir, 'words.lab.de.yaml'), DRIFTED_DE);
    await writeFile(path.join(dir, 'lonely.lab.es.yaml'), GOOD_ES);
    const out: string[] = [];
    const io: CliIo = { out: (t) => out.push(t), err: () => undefined, cwd: dir, env: {} };
    assert.equal(await main(['validate', '.'], io), 1);
    assert.deepEqual(out, [
      'lonely.lab.es.yaml:1:1: error: no lab file lonely.lab.yaml beside this translation',
      "words.lab.de.yaml:2:1: error: steps: no translation of step 'one' of the lab",
      "words.lab.de.yaml:5:16: error: steps[0].quiz.choices: 1 choices, but the lab's quiz has 2 (the answer is a position in that list)",
      "words.lab.de.yaml:6:9: error: steps[1].id: the lab has no step 'three' (removed or renamed there?)",
      '3 files, 4 errors, 0 warnings',
    ]);
  });

  it('checks a translation file in the editor against its schema (commands do not belong in it)', () => {
    const issues = validateText(`translationOf: cl-test-words\nsteps:\n  - id: one\n    commands: [docker ps]\n`, '/x/words.lab.es.yaml');
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.match(issues[0].message, /commands/);
    assert.equal(issues[0].severity, 'error');
  });

  it('ships lab 1 in Spanish: every step translated, no drift, the commands and checks of the lab', async () => {
    const { catalog } = await scanCatalog([{ path: LABS, origin: 'bundled' }], { language: 'es' });
    assert.deepEqual(catalog.broken, []);
    const english = (await loadCatalog([{ path: LABS, origin: 'bundled' }], { language: 'en' })).labs.find((l) => l.id === 'first-containers');
    const spanish = catalog.labs.find((l) => l.id === 'first-containers');
    assert.ok(english && spanish);
    assert.equal(spanish.title, '1. Tus primeros contenedores');
    assert.equal(spanish.language, 'es');
    spanish.steps.forEach((s, i) => {
      const base = english.steps[i];
      assert.notEqual(s.title, base.title, `step ${s.id}: title translated`);
      assert.notEqual(s.instructions, base.instructions, `step ${s.id}: instructions translated`);
      assert.deepEqual(s.commands, base.commands, `step ${s.id}: the lab's commands`);
      assert.deepEqual(s.check, base.check, `step ${s.id}: the lab's check`);
      assert.equal(s.hints.length, base.hints.length);
      s.hints.forEach((h, k) => assert.notEqual(h, base.hints[k], `step ${s.id}: hint ${k} translated`));
      if (base.quiz) assert.deepEqual(s.quiz?.answer, base.quiz.answer);
      if (base.solution?.text !== undefined) assert.notEqual(s.solution?.text, base.solution.text, `step ${s.id}: solution translated`);
    });
    // The other labs stay in English.
    assert.equal(catalog.labs.find((l) => l.id !== 'first-containers')?.language, undefined);
  });
});
