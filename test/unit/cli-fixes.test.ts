/**
 * Fixes from issue 14, each on real files (and the real engine where a check runs): the tab in
 * the indentation is the first error; a course file validates with the labs beside it and
 * reports each of its errors at its own line; `check` describes what it checks with its
 * default (`--since 0`, any time); the advice for a missing image that a step builds names
 * `docker build`.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';
import { evaluateCheck } from '../../src/core/checks/evaluate';
import { mainDocker, requireEngine } from '../support/engine';
import { uniqueName } from '../support/run';


const LAB = (id: string): string => `id: ${id}\ntitle: A\nsummary: s\nminutes: 1\nsteps:\n  - id: a\n    title: A\n    instructions: B\n`;

describe('issue 14 fixes: validate and check', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-fixes-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('a tab in the indentation is the first (and from its line on the only) error printed', async () => {
    await fs.writeFile(path.join(dir, 't.lab.yaml'), `${LAB('tabby')}  - id: b\n  \ttitle: B\n    instructions: B\n`);
    const c = captureIo(dir, process.env);
    assert.equal(await main(['validate', '.'], c.io), 1);
    assert.deepEqual(c.out, ['t.lab.yaml:10:3: error: a tab in the indentation: YAML indents with spaces only; replace the tab with spaces', '1 file, 1 error, 0 warnings']);
  });

  it('a course file validates with the labs beside it, each error at its own line', async () => {
    await fs.writeFile(path.join(dir, 'a.lab.yaml'), LAB('a-lab'));
    await fs.writeFile(path.join(dir, 'good.course.yaml'), 'id: good\ntitle: C\nsummary: s\nlabs: [a-lab]\n');
    const alone = captureIo(dir, process.env);
    assert.equal(await main(['validate', 'good.course.yaml'], alone.io), 0, alone.out.join('\n'));
    assert.deepEqual(alone.out, ['1 file, 0 errors, 0 warnings']);

    await fs.writeFile(path.join(dir, 'bad.course.yaml'), 'id: bad\ntitle: C\nsummary: s\nlabs:\n  - a-lab\n  - nope\n  - a-lab\n');
    const bad = captureIo(dir, process.env);
    assert.equal(await main(['validate', 'bad.course.yaml'], bad.io), 1);
    assert.deepEqual(bad.out, [
      "bad.course.yaml:6:5: error: labs[1]: no lab has the id 'nope'",
      "bad.course.yaml:7:5: error: labs[2]: 'a-lab' is listed again; labs[0] already lists it",
      '1 file, 2 errors, 0 warnings',
    ]);
  });

  it('ids of the bundled course are errors in a workshop (lab and course), at the id', async () => {
    await fs.mkdir(path.join(dir, '.container-labs'));
    await fs.writeFile(path.join(dir, '.container-labs', 'mine.lab.yaml'), LAB('first-containers'));
    await fs.writeFile(path.join(dir, '.container-labs', 'mine.course.yaml'), 'id: containers\ntitle: C\nsummary: s\nlabs: [first-containers]\n');
    const c = captureIo(dir, process.env);
    assert.equal(await main(['validate', '.container-labs'], c.io), 1);
    assert.deepEqual(c.out, [
      `${path.join('.container-labs', 'mine.course.yaml')}:1:5: error: course id 'containers' is already used by the bundled course (containers.course.yaml): pick another id`,
      `${path.join('.container-labs', 'mine.lab.yaml')}:1:5: error: lab id 'first-containers' is already used by the bundled course (01-first-containers.lab.yaml); students would see two labs with one id: pick another id`,
      '2 files, 2 errors, 0 warnings',
    ]);
    // The bundled course itself is not a clash with itself.
    const own = captureIo(path.resolve(__dirname, '../../..'), process.env);
    assert.equal(await main(['validate', 'labs'], own.io), 0, own.out.join('\n'));
  });

  it("check: says what it checks with its default, any time, and 'since this step opened' only with --since", async function () {
    await requireEngine(mainDocker());
    const name = uniqueName('fix-check');
    await fs.writeFile(path.join(dir, 'c.lab.yaml'), `${LAB('checked').replace('    instructions: B\n', `    instructions: B\n    check: { container: { name: ${name} } }\n`)}`);
    const c = captureIo(dir, process.env);
    assert.equal(await main(['check', 'checked', 'a', '--labs', '.'], c.io), 1);
    assert.ok(!c.out.join('\n').includes('since this step opened'), c.out.join('\n'));
    const later = captureIo(dir, process.env);
    assert.equal(await main(['check', 'checked', 'a', '--labs', '.', '--since', '2024-05-01T10:00:00Z'], later.io), 1);
    assert.match(later.out[0] ?? '', /created since this step opened/);
  });

  it('the advice for a missing image that a step of the lab builds is docker build, not docker pull', async function () {
    const docker = mainDocker();
    await requireEngine(docker);
    const ref = `${uniqueName('fix-built')}:v1`;
    const built = await evaluateCheck({ image: { ref } }, { docker, builtImages: [ref] });
    assert.equal(built.reason, `image ${ref} is not present: build it with docker build -t ${ref} (a step of this lab builds it)`);
    const pulled = await evaluateCheck({ image: { ref } }, { docker });
    assert.equal(pulled.reason, `image ${ref} is not present: pull it with docker pull ${ref}`);
  });
});

describe('every subcommand parses its arguments the same way (src/cli/args.ts)', function () {
  this.timeout(30_000);
  const SUBCOMMANDS = ['validate', 'test', 'check', 'health', 'report'];

  it('--help and -h print the usage and exit 0; nothing else runs', async () => {
    for (const name of SUBCOMMANDS) {
      for (const flag of ['--help', '-h']) {
        const c = captureIo(os.tmpdir(), process.env);
        assert.equal(await main([name, flag], c.io), 0, `${name} ${flag}`);
        assert.equal(c.out.length, 1, `${name} ${flag}: one text`);
        assert.match(c.out[0] ?? '', new RegExp(`^Usage: container-labs ${name}\\b`));
        assert.deepEqual(c.err, []);
      }
    }
  });

  it('an unknown option, a missing value and a value where none is taken: exit 2, one plain line, then the usage', async () => {
    const cases: Array<[string[], string]> = [
      [['validate', '--bogus'], "container-labs validate: unknown option '--bogus'"],
      [['validate', '--reporter'], 'container-labs validate: --reporter needs a value'],
      [['test', '--timeout'], 'container-labs test: --timeout needs a value'],
      [['report', '--json=yes'], "container-labs report: unknown option '--json'"],
      [['health', '--json=yes'], 'container-labs health: --json takes no value'],
      [['health', 'extra'], "container-labs health: unexpected argument 'extra'"],
      [['check', '--since'], 'container-labs check: --since needs a value'],
    ];
    for (const [argv, first] of cases) {
      const c = captureIo(os.tmpdir(), process.env);
      assert.equal(await main(argv, c.io), 2, argv.join(' '));
      const text = c.err.join('\n');
      assert.equal(text.split('\n')[0], first, argv.join(' '));
      assert.match(text, /\n\nUsage: container-labs /, `${argv.join(' ')}: the usage follows`);
      assert.doesNotMatch(text, /\n\s+at /, `${argv.join(' ')}: no stack trace`);
      assert.deepEqual(c.out, []);
    }
  });
});

describe('test: the images a lab lists are there before it runs', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    await requireEngine(mainDocker());
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-images-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('an image that is missing and cannot be pulled fails the lab at once, in the registry\'s words, and none of its commands runs', async () => {
    const missing = `${uniqueName('never')}:1`;
    const marker = path.join(dir, 'ran');
    await fs.writeFile(path.join(dir, 'needs.lab.yaml'), [
      'id: needs-an-image', 'title: Needs an image', 'summary: s', 'minutes: 1', `images: [${missing}]`, 'steps:',
      '  - id: first', '    title: First', '    instructions: Run it.', `    commands: ["touch ${marker}"]`, '    check: { file: { path: "${workspaceFolder}/ran" } }',
      '  - id: second', '    title: Second', '    instructions: Run it.', `    commands: ["docker run --rm ${missing}"]`, `    check: { image: { ref: ${missing} } }`, '',
    ].join('\n'));
    const c = captureIo(dir, process.env);
    const code = await main(['test', '.', '--json', '--workspace', dir], c.io);
    assert.equal(code, 1, c.err.join('\n'));
    const report = JSON.parse(c.out.join('')) as { labs: Array<{ steps: Array<{ id: string; status: string; reason: string; commands: unknown[] }> }>; errors: number };
    const steps = report.labs[0]?.steps ?? [];
    assert.deepEqual(steps.map((s) => [s.id, s.status, s.commands.length]), [['first', 'error', 0], ['second', 'error', 0]]);
    assert.match(steps[0]?.reason ?? '', new RegExp(`^not run: image ${missing.replace(/[.:]/g, '\\$&')} is not on the engine and could not be pulled \\(.+\\): pull it where a registry answers \\(docker pull ${missing.replace(/[.:]/g, '\\$&')}\\), or load it from a file \\(docker load -i FILE\\.tar\\)$`));
    assert.equal(report.errors, 2);
    await assert.rejects(fs.access(marker), 'the first step\'s command did not run');
  });
});
