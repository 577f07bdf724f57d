/**
 * `container-labs validate` through the CLI dispatcher: output lines, summary, JSON, exit codes.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';

const ROOT = path.resolve(__dirname, '../../..');


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

describe('container-labs validate', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-validate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the good fixtures and prints a summary (exit 0)', async () => {
    const c = captureIo(ROOT);
    assert.equal(await main(['validate', 'test/fixtures/good-labs'], c.io), 0);
    assert.deepEqual(c.out, ['3 files, 0 errors, 0 warnings']);
    assert.deepEqual(c.err, []);
  });

  it('prints file:line:col lines relative to the current directory and exits 1 on errors', async () => {
    const c = captureIo(ROOT);
    assert.equal(await main(['validate', 'test/fixtures/bad-labs/wrong-type.lab.yaml', 'test/fixtures/bad-labs/interactive-unmarked.lab.yaml'], c.io), 1);
    assert.deepEqual(c.out, [
      'test/fixtures/bad-labs/interactive-unmarked.lab.yaml:10:9: warning: steps[0]: the CLI test runner cannot type into an interactive command; add solution.commands that reach the same state without a terminal',
      'test/fixtures/bad-labs/interactive-unmarked.lab.yaml:10:9: warning: steps[0].commands[0]: `docker run -it` needs a terminal and a person typing; mark it interactive: true',
      'test/fixtures/bad-labs/wrong-type.lab.yaml:4:10: error: minutes must be a number',
      '2 files, 1 error, 2 warnings',
    ]);
  });

  it('reports every bad fixture and still counts all files', async () => {
    const c = captureIo(path.join(ROOT, 'test', 'fixtures'));
    assert.equal(await main(['validate', 'bad-labs'], c.io), 1);
    const summaryLine = c.out[c.out.length - 1];
    assert.match(summaryLine ?? '', /^20 files, 19 errors, 2 warnings$/);
    for (const line of c.out.slice(0, -1)) assert.match(line, /^bad-labs\/[a-z-]+\.(lab|course)\.yaml:\d+:\d+: (error|warning): /);
  });

  it('warnings alone exit 0, or 1 with --strict', async () => {
    const c = captureIo(ROOT);
    const file = 'test/fixtures/bad-labs/interactive-unmarked.lab.yaml';
    assert.equal(await main(['validate', file], c.io), 0);
    assert.equal(await main(['validate', '--strict', file], captureIo(ROOT).io), 1);
  });

  it('--json gives the same facts for machines', async () => {
    const c = captureIo(ROOT);
    assert.equal(await main(['validate', '--json', 'test/fixtures/bad-labs/wrong-type.lab.yaml', 'test/fixtures/good-labs'], c.io), 1);
    assert.equal(c.out.length, 1);
    assert.deepEqual(JSON.parse(c.out[0] ?? ''), {
      files: 4,
      errors: 1,
      warnings: 0,
      labs: ['basics', 'sharing'],
      courses: ['intro'],
      issues: [{ file: 'test/fixtures/bad-labs/wrong-type.lab.yaml', line: 4, col: 10, severity: 'error', message: 'minutes must be a number' }],
    });
  });

  it('defaults to ./labs and ./.container-labs', async () => {
    await mkdir(path.join(dir, 'labs'));
    await mkdir(path.join(dir, '.container-labs'));
    await writeFile(path.join(dir, 'labs', 'tiny.lab.yaml'), GOOD_LAB);
    await writeFile(path.join(dir, '.container-labs', 'mine.lab.yaml'), GOOD_LAB.replace('id: tiny', 'id: tiny'));
    const c = captureIo(dir);
    assert.equal(await main(['validate'], c.io), 1);
    assert.deepEqual(c.out, [
      ".container-labs/mine.lab.yaml:1:5: error: lab id 'tiny' is already used by ../labs/tiny.lab.yaml",
      '2 files, 1 error, 0 warnings',
    ]);
  });

  it('usage errors exit 2: unknown option, missing path, nothing to validate', async () => {
    const a = captureIo(dir);
    assert.equal(await main(['validate', '--bogus'], a.io), 2);
    assert.match(a.err.join('\n'), /unknown option '--bogus'/);
    const b = captureIo(dir);
    assert.equal(await main(['validate', 'nope'], b.io), 2);
    assert.deepEqual(b.err, ['container-labs validate: nope: no such file or folder']);
    const c = captureIo(dir);
    assert.equal(await main(['validate'], c.io), 2);
    assert.match(c.err.join('\n'), /nothing to validate/);
  });

  it('a folder without lab files is an error (exit 1), so CI notices a wrong path', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['validate', '.'], c.io), 1);
    assert.deepEqual(c.out, ['0 files, 0 errors, 0 warnings']);
    assert.match(c.err.join('\n'), /no \*\.lab\.yaml or \*\.course\.yaml files/);
  });

  it('the bundled labs validate cleanly', async () => {
    const c = captureIo(ROOT);
    assert.equal(await main(['validate', 'labs'], c.io), 0, c.out.join('\n'));
    assert.match(c.out[c.out.length - 1] ?? '', /^\d+ files, 0 errors, 0 warnings$/);
  });
});
