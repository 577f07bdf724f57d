/**
 * The CLI speaks the language of the POSIX locale variables (src/cli/language.ts): with
 * `LANG=es_ES.UTF-8` its usage and its summary lines are Spanish, with `LANG=C` (or none) they
 * are English, and each `main()` call sets the language again, so one call never leaks its
 * language into the next one in the same process. What the core says (a lab file's problem) and
 * what programs read (`file:line:col: error:`, JSON) stay as they are in every language.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { useCliLanguage } from '../../src/cli/language';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';

const SPANISH = { LANG: 'es_ES.UTF-8' };
const ENGLISH = { LANG: 'C' };


const GOOD_LAB = `id: tiny
title: Tiny
summary: The smallest lab.
minutes: 1
steps:
  - id: one
    title: One
    instructions: Look around.
    commands: [docker ps]
`;

/** `minutes` written as a word: one error, at line 4, col 10. */
const BROKEN_LAB = GOOD_LAB.replace('id: tiny', 'id: broken').replace('minutes: 1', 'minutes: ten');

describe('the CLI in the language of LANG', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-language-'));
    await writeFile(path.join(dir, 'good.lab.yaml'), GOOD_LAB);
    await writeFile(path.join(dir, 'broken.lab.yaml'), BROKEN_LAB);
  });
  after(async () => {
    // Leave the library in English for whatever runs next in this process.
    useCliLanguage({});
    await rm(dir, { recursive: true, force: true });
  });

  async function help(env: NodeJS.ProcessEnv): Promise<string> {
    const c = captureIo(dir, env);
    assert.equal(await main(['help'], c.io), 0);
    assert.deepEqual(c.err, []);
    assert.equal(c.out.length, 1);
    return c.out[0] ?? '';
  }

  async function validate(env: NodeJS.ProcessEnv): Promise<string[]> {
    const c = captureIo(dir, env);
    assert.equal(await main(['validate', '.'], c.io), 1, 'the broken lab file fails the run in every language');
    assert.deepEqual(c.err, []);
    return c.out;
  }

  it('help: Spanish usage with LANG=es_ES.UTF-8; the commands and options you type stay as they are', async () => {
    const text = await help(SPANISH);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Uso: container-labs <command> [options]');
    assert.ok(lines.includes('Órdenes:'), text);
    assert.match(text, /^ {2}validate \[paths\.\.\.\] {8}\S/m, 'the command column is where it is in English');
    assert.match(text, /^Códigos de salida: 0 /m);
    assert.doesNotMatch(text, /Usage:|Commands:|Exit codes|Show this help/);
  });

  it('help of a subcommand and a usage error are Spanish too', async () => {
    const usage = captureIo(dir, SPANISH);
    assert.equal(await main(['validate', '--help'], usage.io), 0);
    assert.match(usage.out[0] ?? '', /^Uso: container-labs validate /);
    assert.match(usage.out[0] ?? '', /^ {2}--json {13}\S/m);
    assert.doesNotMatch(usage.out[0] ?? '', /print the result|Default paths/);

    const unknown = captureIo(dir, SPANISH);
    assert.equal(await main(['nope'], unknown.io), 2);
    const first = (unknown.err[0] ?? '').split('\n')[0] ?? '';
    assert.match(first, /^container-labs: .*'nope'$/);
    assert.doesNotMatch(first, /unknown command/);
  });

  it("validate: Spanish summary with LANG=es_ES.UTF-8; the problem line keeps its machine-readable form", async () => {
    const out = await validate(SPANISH);
    assert.deepEqual(out, ['broken.lab.yaml:4:10: error: minutes must be a number', '2 archivos, 1 error, 0 avisos']);
  });

  it('LANG=C is English, and each call sets the language again: no leak between calls in one process', async () => {
    const englishValidate = ['broken.lab.yaml:4:10: error: minutes must be a number', '2 files, 1 error, 0 warnings'];
    const spanishValidate = ['broken.lab.yaml:4:10: error: minutes must be a number', '2 archivos, 1 error, 0 avisos'];

    // Spanish first, then English in the same process: English again.
    assert.match(await help(SPANISH), /^Uso: /);
    const english = await help(ENGLISH);
    assert.match(english, /^Usage: container-labs <command> \[options\]\n\nCommands:\n/);
    assert.match(english, /^Exit codes: 0 success, /m);
    assert.doesNotMatch(english, /Uso:|Órdenes|Códigos de salida/);
    assert.deepEqual(await validate(ENGLISH), englishValidate);

    // And back: Spanish, then no locale at all (English), then Spanish once more.
    assert.deepEqual(await validate(SPANISH), spanishValidate);
    assert.deepEqual(await validate({}), englishValidate);
    assert.deepEqual(await validate(SPANISH), spanishValidate);
    // LC_ALL outranks LANG, as in every POSIX program.
    assert.deepEqual(await validate({ LC_ALL: 'C', LANG: 'es_ES.UTF-8' }), englishValidate);
  });

  it('health: the report and its fixes are Spanish for an engine that is not there', async () => {
    const host = `unix://${path.join(dir, 'no-engine.sock')}`;
    const report = async (env: NodeJS.ProcessEnv): Promise<string> => {
      const c = captureIo(dir, { ...env, DOCKER_HOST: host });
      assert.equal(await main(['health'], c.io), 2, 'no engine answers');
      return [...c.out, ...c.err].join('\n');
    };
    const spanish = await report(SPANISH);
    const english = await report(ENGLISH);
    // The problem, the heading of the fixes and a fix's title, each in its language only.
    for (const [text, own, other] of [
      [spanish, [/nada escucha en /, /^Cómo arreglarlo:$/m, /Iniciar el servicio de Docker/], [/nothing listens at/, /How to fix it:/, /Start the Docker service/]],
      [english, [/nothing listens at /, /^How to fix it:$/m, /Start the Docker service/], [/nada escucha en/, /Cómo arreglarlo/, /Iniciar el servicio/]],
    ] as const) {
      for (const pattern of own) assert.match(text, pattern, text);
      for (const pattern of other) assert.doesNotMatch(text, pattern, text);
    }
    // The fixes' commands are what you type: the same in both.
    assert.match(spanish, /\$ sudo systemctl start docker/);
    assert.match(english, /\$ sudo systemctl start docker/);
  });

  it('health --json is English in every locale: programs read it', async () => {
    const host = `unix://${path.join(dir, 'no-engine.sock')}`;
    const json = async (env: NodeJS.ProcessEnv): Promise<unknown> => {
      const c = captureIo(dir, { ...env, DOCKER_HOST: host });
      assert.equal(await main(['health', '--json'], c.io), 2);
      // How long it took is the one thing that differs from run to run.
      const report = JSON.parse(c.out.join('\n')) as Record<string, unknown>;
      assert.equal(typeof report.elapsedMs, 'number');
      delete report.elapsedMs;
      return report;
    };
    const english = await json(ENGLISH);
    assert.match(JSON.stringify(english), /nothing listens at/);
    assert.deepEqual(await json(SPANISH), english);
  });

  it('--json is the same in every language', async () => {
    const json = async (env: NodeJS.ProcessEnv): Promise<unknown> => {
      const c = captureIo(dir, env);
      assert.equal(await main(['validate', '--json', '.'], c.io), 1);
      return JSON.parse(c.out.join('\n'));
    };
    assert.deepEqual(await json(SPANISH), await json(ENGLISH));
  });
});
