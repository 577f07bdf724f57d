/**
 * The lab loader: each bad-input case gives one clear issue at the right line:col, a good
 * lab loads into the exact model, and a catalog keeps loading around broken files.
 * Plain Node, real files.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLabFiles, loadCatalog, loadLabFile, parseCourseText, parseLabText, validateText } from '../../src/core/labs/loader';
import { textHolds } from '../../src/core/checks/pattern';
import type { Lab, LabIssue } from '../../src/core/model';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');
const BAD = path.join(FIXTURES, 'bad-labs');
const GOOD = path.join(FIXTURES, 'good-labs');

function summary(issues: LabIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.col}: ${i.severity}: ${i.message}`);
}

async function issuesOf(name: string): Promise<string[]> {
  const file = path.join(BAD, name);
  const result = await loadLabFile(file, 'workspace');
  assert.equal(result.lab, undefined, `${name} must not load`);
  for (const i of result.issues) assert.equal(i.file, file);
  return summary(result.issues);
}

const MINIMAL = `id: tiny
title: Tiny
summary: The smallest lab.
minutes: 1
steps:
  - id: one
    title: One
    instructions: Look around.
`;

describe('lab loader: bad input, one fixture per case', function () {
  this.timeout(30_000);
  const cases: Array<[string, string[]]> = [
    ['malformed-yaml.lab.yaml', ['6:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['unknown-key.lab.yaml', ["9:5: error: steps[0]: unknown key 'comands'; did you mean 'commands'?"]],
    ['wrong-type.lab.yaml', ['4:10: error: minutes must be a number']],
    ['duplicate-step-ids.lab.yaml', ["10:9: error: steps[1].id: duplicate step id 'look'; steps[0] already uses it"]],
    ['duplicate-key.lab.yaml', ["5:1: error: duplicate key 'minutes': each key may appear only once in a mapping"]],
    ['alias-bomb.lab.yaml', ['7:8: error: too many YAML alias expansions (more than 50); this looks like an alias bomb']],
    ['unknown-tag.lab.yaml', ["8:19: error: unknown YAML tag '!!js/function'; lab files use plain YAML without tags"]],
    ['unknown-local-tag.lab.yaml', ["4:10: error: unknown YAML tag '!foo'; lab files use plain YAML without tags"]],
    ['proto-key.lab.yaml', ["9:5: error: key '__proto__' is not allowed"]],
    [
      'unknown-check.lab.yaml',
      [
        "11:7: error: steps[0].check: unknown check 'imagee'; expected one of all, any, not, image, imageAbsent, container, containerAbsent, port, http, mount, file, logs, env, volume, volumeAbsent, network, networkAbsent",
      ],
    ],
    [
      'bad-image-ref.lab.yaml',
      [
        "7:5: error: images[1] must be a Docker image reference such as alpine, alpine:3.19, jupyter/base-notebook:latest or ${registry}/hello:v1 (lower-case name, optional :tag); found 'Jupyter/Base-Notebook:latest'",
      ],
    ],
    ['bad-port.lab.yaml', ['12:75: error: steps[0].check.port.containerPort must be from 1 to 65535; found 88888']],
    [
      'unknown-placeholder.lab.yaml',
      [
        "10:41: error: steps[0].commands[0]: unknown placeholder '${labDir}'; expected one of ${workspaceFolder}, ${userHome}, ${labData}, ${registry} (write shell variables as $NAME)",
      ],
    ],
    ['no-check.lab.yaml', ['15:9: error: steps[1]: `docker run` changes Docker state, so the step needs a check']],
    [
      'destructive-unmarked.lab.yaml',
      ['10:14: error: steps[0].commands[0]: `docker system prune` removes things, so the command must be marked destructive (add destructive: true)'],
    ],
    ['quiz-answer.lab.yaml', ['12:19: error: steps[0].quiz.answer[1]: answer 2 is out of range; choices are numbered 0 to 1']],
    ['deep-nesting.lab.yaml', ['6:72: error: the file nests [ ] or { } more than 64 levels deep; lab files never need that']],
    ['empty.lab.yaml', ['1:1: error: the file is empty; a lab needs id, title, summary, minutes and steps']],
  ];
  for (const [name, expected] of cases) {
    it(name, async () => {
      assert.deepEqual(await issuesOf(name), expected);
    });
  }

  it('a 2 MB file is refused before parsing, at 1:1', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-labs-'));
    try {
      const file = path.join(dir, 'huge.lab.yaml');
      await writeFile(file, MINIMAL + `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
      const result = await loadLabFile(file, 'workspace');
      assert.deepEqual(summary(result.issues), ['1:1: error: file is 2.0 MB; lab and course files are limited to 1 MB']);
      // The text API applies the same limit.
      assert.deepEqual(summary(parseLabText(await readFile(file, 'utf8'), file, 'workspace').issues), [
        '1:1: error: file is 2.0 MB; lab and course files are limited to 1 MB',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // How fast these refusals are is the benchmark's figure; here, that the guard (not the end of a long expansion) refused them.
  it('the alias bomb is refused by the text API too, by the expansion limit', async () => {
    const text = await readFile(path.join(BAD, 'alias-bomb.lab.yaml'), 'utf8');
    const result = parseLabText(text, 'alias-bomb.lab.yaml', 'workspace');
    assert.equal(result.lab, undefined);
    assert.deepEqual(summary(result.issues), ['7:8: error: too many YAML alias expansions (more than 50); this looks like an alias bomb']);
  });

  it('ten thousand nested sequences on one line are refused quickly instead of exhausting memory', () => {
    const text = `${MINIMAL}    hints:\n      ${'- '.repeat(10_000)}deep\n`;
    assert.deepEqual(summary(parseLabText(text, 'x.lab.yaml', 'workspace').issues), [
      '10:1: error: the file is indented or nested more than 200 columns deep; lab files never need that',
    ]);
  });

  it('an unknown placeholder in a check field is reported where it is written', () => {
    const text = `${MINIMAL}    commands: ["docker run -d --name cl-a -v \${labData}:/d alpine sleep 9"]
    check:
      mount:
        container: { name: cl-a }
        source: "\${labdata}"
        destination: /d
`;
    assert.deepEqual(summary(parseLabText(text, 'x.lab.yaml', 'workspace').issues), [
      "13:18: error: steps[0].check.mount.source: unknown placeholder '${labdata}'; expected one of ${workspaceFolder}, ${userHome}, ${labData}, ${registry} (write shell variables as $NAME)",
    ]);
  });

  it('a few anchors and aliases are fine', () => {
    const text = `${MINIMAL}    commands: [docker run -d --name cl-a alpine sleep 9]
    check: { all: [ { container: &a { name: cl-a } }, { logs: { container: *a, contains: x } } ] }
`;
    const { lab, issues } = parseLabText(text, 'x.lab.yaml', 'workspace');
    assert.deepEqual(issues, []);
    assert.deepEqual(lab?.steps[0]?.check, { all: [{ container: { name: 'cl-a' } }, { logs: { container: { name: 'cl-a' }, contains: 'x' } }] });
  });

  it('a file with hundreds of problems reports the first hundred and a count of the rest', () => {
    const text = `${MINIMAL}${Array.from({ length: 300 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
    const issues = parseLabText(text, 'x.lab.yaml', 'workspace').issues;
    assert.equal(issues.length, 101);
    assert.ok(issues.some((i) => i.message === '... and 200 more problems; fix these first'));
  });

  it('a __proto__ key pollutes nothing', () => {
    const text = `${MINIMAL}    check:\n      __proto__: { polluted: true }\n`;
    const result = parseLabText(text, 'x.lab.yaml', 'workspace');
    assert.equal(result.lab, undefined);
    assert.deepEqual(summary(result.issues), ["10:7: error: key '__proto__' is not allowed"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('constructor and prototype keys are refused too', () => {
    const result = parseLabText(`${MINIMAL}constructor: 1\nprototype: 2\n`, 'x.lab.yaml', 'workspace');
    assert.deepEqual(summary(result.issues), ["9:1: error: key 'constructor' is not allowed", "10:1: error: key 'prototype' is not allowed"]);
  });

  it('an interactive command not marked is a warning; the lab still loads', async () => {
    const result = await loadLabFile(path.join(BAD, 'interactive-unmarked.lab.yaml'), 'workspace');
    assert.ok(result.lab);
    assert.deepEqual(summary(result.issues), [
      '10:9: warning: steps[0]: the CLI test runner cannot type into an interactive command; add solution.commands that reach the same state without a terminal',
      '10:9: warning: steps[0].commands[0]: `docker run -it` needs a terminal and a person typing; mark it interactive: true',
    ]);
  });

  it('reports several problems of one file, in position order', () => {
    const text = `id: Bad_Id\ntitle: ""\nsummary: s\nminutes: 0\nextra: 1\nsteps: []\n`;
    assert.deepEqual(summary(parseLabText(text, 'x.lab.yaml', 'workspace').issues), [
      "1:5: error: id must be an id: lower-case letters, digits and dashes, starting with a letter or digit (e.g. first-containers); found 'Bad_Id'",
      '2:8: error: title must not be empty',
      '4:10: error: minutes must be more than 0; found 0',
      "5:1: error: unknown key 'extra'; expected one of id, title, summary, minutes, version, images, steps",
      '6:8: error: steps must list at least 1 item',
    ]);
  });

  it('more error shapes: missing keys, two check kinds, exitCode with another state, solution -it, bad placeholders', () => {
    const text = `${MINIMAL}  - id: two
    commands: [docker run -d --name cl-x alpine sleep 9]
    check: { container: { name: cl-x }, image: { ref: alpine } }
  - id: three
    title: Three
    instructions: Run it.
    commands: [docker run --name cl-y alpine true]
    check: { container: { name: cl-y, state: running, exitCode: 0 } }
    solution:
      commands: ["docker run -it --name cl-y alpine true"]
  - id: four
    title: Four
    instructions: Here-documents cannot take placeholders.
    commands:
      - |
        cat <<EOF
        \${labData}
        EOF
`;
    assert.deepEqual(summary(parseLabText(text, 'x.lab.yaml', 'workspace').issues), [
      "9:5: error: steps[1]: missing required key 'instructions'",
      "9:5: error: steps[1]: missing required key 'title'",
      '11:12: error: steps[1].check: a check names exactly one kind, found container, image; combine several with all: [...]',
      '23:9: error: steps[3].commands[0]: ${labData} cannot stand alone on a line of a here-document',
    ]);
    const fixed = text.replace('  - id: two\n', '  - id: two\n    title: Two\n    instructions: Run.\n').replace('check: { container: { name: cl-x }, image: { ref: alpine } }', 'check: { container: { name: cl-x } }');
    assert.deepEqual(summary(parseLabText(fixed, 'x.lab.yaml', 'workspace').issues), [
      '18:46: error: steps[2].check.container: exitCode means the container has exited, so state must be exited (or left out), not running',
      '20:18: error: steps[2].solution.commands[0]: solution commands run without a terminal, so they cannot use `docker run` with -it; start it detached (-d) instead',
      '25:9: error: steps[3].commands[0]: ${labData} cannot stand alone on a line of a here-document',
    ]);
  });
});

describe('lab loader: patterns of text checks (RE2)', function () {
  it('a pattern RE2 cannot compile, and a logs check with neither contains nor matches, are errors at their place', () => {
    const text = `id: patterns
title: Patterns
summary: s
minutes: 1
steps:
  - id: one
    title: One
    instructions: Look.
    check: { logs: { container: { name: cl-x }, matches: "(a|b" } }
  - id: two
    title: Two
    instructions: Look.
    check: { logs: { container: { name: cl-x } } }
  - id: three
    title: Three
    instructions: Look.
    check: { http: { container: { name: cl-x }, containerPort: 80, bodyMatches: "(?<=x)y" } }
  - id: four
    title: Four
    instructions: Look.
    check: { file: { path: /etc/hostname, matches: "^\\\\w+$" } }
`;
    const issues = summary(parseLabText(text, 'p.lab.yaml', 'workspace').issues);
    assert.equal(issues.length, 3, issues.join('\n'));
    assert.match(issues[0] ?? '', /^9:58: error: steps\[0\]\.check\.logs\.matches: not a valid regular expression \(RE2 syntax\): /);
    assert.equal(issues[1], '13:20: error: steps[1].check.logs: give contains (plain text), matches (a pattern) or both');
    assert.equal(issues[2], '17:81: error: steps[2].check.http.bodyMatches: not a valid regular expression (RE2 syntax): look-ahead and look-behind ((?=, (?!, (?<=, (?<!) are not supported; match the surrounding text instead');
  });

  it('a pattern that backtracks for ages in other engines is answered at once by RE2', () => {
    // A backtracking engine (JavaScript's own) would not come back within the test's timeout.
    const held = textHolds(`${'a'.repeat(50_000)}!`, { matches: '^(a+)+$' });
    assert.deepEqual(held, { ok: false, missing: { matches: '^(a+)+$' } });
  });
});

describe('lab loader: good labs', function () {
  this.timeout(30_000);
  it('loads a lab into the exact model, with defaults filled in', async () => {
    const file = path.join(GOOD, 'basics.lab.yaml');
    const { lab, issues } = await loadLabFile(file, 'bundled');
    assert.deepEqual(issues, []);
    assert.ok(lab);
    const expected: Lab = {
      id: 'basics',
      title: 'First containers',
      summary: 'Pull an image, run a container and read its output.',
      minutes: 15,
      images: ['hello-world:latest', 'alpine:3.19', '${registry}/hello:latest'],
      source: { file, origin: 'bundled' },
      steps: [
        {
          id: 'pull',
          title: 'Pull hello-world',
          instructions: 'Download the **hello-world** image.\n',
          commands: [{ run: 'docker pull hello-world' }],
          check: { image: { ref: 'hello-world' } },
          hints: ['The command starts with `docker pull`.'],
        },
        {
          id: 'run',
          title: 'Run it',
          instructions: 'Run a container from the image.',
          commands: [{ run: 'docker run --name cl-basics-hello hello-world', label: 'Run hello-world' }],
          check: {
            all: [
              { container: { name: 'cl-basics-hello', state: 'exited', exitCode: 0 } },
              { logs: { container: { name: 'cl-basics-hello' }, contains: 'Hello from Docker' } },
            ],
          },
          hints: [],
          solution: { text: 'Run `docker run hello-world`.' },
        },
        {
          id: 'data',
          title: 'Mount your data folder',
          instructions: "Mount the lab's data folder read-only.",
          commands: [{ run: 'docker run -d --name cl-basics-data -v ${labData}:/data:ro alpine:3.19 sleep 600' }],
          check: { mount: { container: { name: 'cl-basics-data' }, type: 'bind', source: '${labData}', destination: '/data', readOnly: true } },
          hints: [],
        },
        {
          id: 'shell',
          title: 'A shell inside',
          instructions: 'Open an interactive shell.',
          commands: [{ run: 'docker run -it --name cl-basics-shell alpine:3.19 sh', interactive: true }],
          check: { container: { name: 'cl-basics-shell', tty: true, interactive: true } },
          hints: [],
          solution: { commands: [{ run: 'docker run -dit --name cl-basics-shell alpine:3.19 sh' }] },
        },
        {
          id: 'clean',
          title: 'Clean up',
          instructions: 'Remove the containers.',
          commands: [{ run: 'docker rm -f cl-basics-hello cl-basics-data cl-basics-shell', destructive: true }],
          check: {
            not: {
              any: [{ containerAbsent: { name: 'cl-basics-hello', since: 'any' } }, { container: { name: 'cl-basics-data', since: 'any' } }],
            },
          },
          hints: [],
        },
        {
          id: 'quiz',
          title: 'Check yourself',
          instructions: 'Answer the question.',
          commands: [{ run: 'docker ps -a' }],
          hints: [],
          quiz: {
            question: 'Which command lists stopped containers too?',
            choices: ['docker ps', 'docker ps -a', 'docker images'],
            answer: [1],
            explanation: 'Without `-a`, `docker ps` shows running containers only.',
          },
        },
      ],
    };
    assert.deepEqual(lab, expected);
  });

  it('loads a course', async () => {
    const file = path.join(GOOD, 'intro.course.yaml');
    const text = await readFile(file, 'utf8');
    assert.deepEqual(parseCourseText(text, file, 'bundled'), {
      course: { id: 'intro', title: 'Introduction to containers', summary: 'The basics, then sharing.', labs: ['basics', 'sharing'], source: { file, origin: 'bundled' } },
      issues: [],
    });
  });

  it('validateText chooses lab or course by the file name', () => {
    assert.deepEqual(summary(validateText('id: x\n', 'a.course.yaml')), [
      "1:1: error: missing required key 'labs'",
      "1:1: error: missing required key 'summary'",
      "1:1: error: missing required key 'title'",
    ]);
    assert.deepEqual(summary(validateText('id: x\nlabs: [a]\n', 'a.lab.yaml')).slice(0, 1), ["1:1: error: missing required key 'minutes'"]);
  });

  it('lists the lab\'s images the way the engine does (one normaliser, src/core/images.ts)', () => {
    const text = [
      'id: imgs', 'title: Images', 'summary: Images.', 'minutes: 1',
      'images: [alpine, docker.io/library/busybox:1.36, localhost:5000/hello, "alpine@sha256:' + 'a'.repeat(64) + '"]',
      'steps:', '  - id: one', '    title: One', '    instructions: Look.',
      '',
    ].join('\n');
    const { lab, issues } = parseLabText(text, '/x/imgs.lab.yaml', 'workspace');
    assert.deepEqual(issues, []);
    assert.deepEqual(lab?.images, ['alpine:latest', 'busybox:1.36', 'localhost:5000/hello:latest', `alpine@sha256:${'a'.repeat(64)}`]);
  });
});

describe('lab loader: catalogs', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-catalog-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a broken file does not stop the others from loading', async () => {
    const catalog = await loadCatalog([{ path: GOOD, origin: 'bundled' }, { path: BAD, origin: 'workspace' }]);
    assert.deepEqual(
      catalog.labs.map((l) => l.id),
      ['basics', 'sharing', 'interactive-unmarked'],
    );
    assert.deepEqual(
      catalog.courses.map((c) => c.id),
      ['intro'],
    );
    // Every bad fixture except the one with warnings only is broken, each with its own issue.
    const brokenNames = catalog.broken.map((b) => path.basename(b.file));
    assert.ok(brokenNames.includes('alias-bomb.lab.yaml'));
    assert.ok(brokenNames.includes('malformed-yaml.lab.yaml'));
    assert.ok(!brokenNames.includes('interactive-unmarked.lab.yaml'));
    const course = catalog.broken.find((b) => path.basename(b.file) === 'unknown-lab.course.yaml');
    assert.ok(course);
    assert.equal(course.kind, 'course');
    assert.deepEqual(summary(course.issues), ["6:5: error: labs[1]: no lab has the id 'no-such-lab'"]);
    assert.equal(catalog.warnings.length, 2);
    // A broken lab that still declares its id says so.
    assert.equal(catalog.broken.find((b) => path.basename(b.file) === 'wrong-type.lab.yaml')?.id, 'wrong-type');
  });

  it('the second file using a lab id is broken, with its id position; courses may name broken labs', async () => {
    await mkdir(path.join(dir, 'a'));
    await writeFile(path.join(dir, 'a', 'one.lab.yaml'), MINIMAL);
    await writeFile(path.join(dir, 'b.lab.yaml'), MINIMAL.replace('title: Tiny', 'title: Tiny again'));
    await writeFile(path.join(dir, 'c.lab.yaml'), MINIMAL.replace('id: tiny', 'id: later').replace('minutes: 1', 'minutes: soon'));
    await writeFile(path.join(dir, 'd.course.yaml'), 'id: d\ntitle: D\nsummary: S\nlabs: [tiny, later]\n');
    const catalog = await loadCatalog([{ path: dir, origin: 'workspace' }]);
    assert.deepEqual(
      catalog.labs.map((l) => l.source.file),
      [path.join(dir, 'a', 'one.lab.yaml')],
    );
    const dup = catalog.broken.find((b) => b.file === path.join(dir, 'b.lab.yaml'));
    assert.ok(dup);
    assert.deepEqual(summary(dup.issues), ["1:5: error: lab id 'tiny' is already used by a/one.lab.yaml"]);
    assert.deepEqual(
      catalog.courses.map((c) => c.labs),
      [['tiny', 'later']],
    );
  });

  it('walks folders in a stable order, skips node_modules, .git and lab data, and stays inside the root', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'cl-test-outside-'));
    try {
      await writeFile(path.join(outside, 'escape.lab.yaml'), MINIMAL.replace('id: tiny', 'id: escape'));
      for (const sub of ['node_modules', '.git', path.join('.container-labs', 'data'), 'z', 'a']) {
        await mkdir(path.join(dir, sub), { recursive: true });
        await writeFile(path.join(dir, sub, 'x.lab.yaml'), MINIMAL.replace('id: tiny', `id: in-${sub.replace(/[^a-z]/g, '')}`));
      }
      await writeFile(path.join(dir, '.container-labs', 'mine.lab.yaml'), MINIMAL.replace('id: tiny', 'id: mine'));
      await writeFile(path.join(dir, 'notes.yaml'), 'not: a lab\n');
      await symlink(path.join(outside, 'escape.lab.yaml'), path.join(dir, 'link.lab.yaml'));
      await symlink(outside, path.join(dir, 'linked-folder'));
      await symlink(path.join(dir, 'a', 'x.lab.yaml'), path.join(dir, 'same.lab.yaml'));
      const files = await findLabFiles(dir);
      assert.deepEqual(
        files.map((f) => path.relative(dir, f)),
        [path.join('.container-labs', 'mine.lab.yaml'), path.join('a', 'x.lab.yaml'), 'same.lab.yaml', path.join('z', 'x.lab.yaml')],
      );
      // The link to a file inside the root is the same file: loaded once.
      const catalog = await loadCatalog([{ path: dir, origin: 'workspace' }]);
      assert.deepEqual(
        catalog.labs.map((l) => l.id),
        ['mine', 'in-a', 'in-z'],
      );
      assert.deepEqual(catalog.broken, []);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('a root may be a single file; a missing root is simply empty', async () => {
    const catalog = await loadCatalog([
      { path: path.join(dir, 'missing'), origin: 'workspace' },
      { path: path.join(GOOD, 'sharing.lab.yaml'), origin: 'bundled' },
    ]);
    assert.deepEqual(
      catalog.labs.map((l) => l.id),
      ['sharing'],
    );
    assert.deepEqual(catalog.broken, []);
  });

  it('a file that is neither a lab nor a course, given directly, is reported', async () => {
    const file = path.join(dir, 'notes.yaml');
    await writeFile(file, MINIMAL);
    const result = await loadLabFile(file, 'workspace');
    assert.deepEqual(summary(result.issues), ['1:1: error: not a lab or course file: name lab files *.lab.yaml, course files *.course.yaml and translations *.lab.<language>.yaml']);
  });

  it('the bundled course in labs/ loads without errors', async () => {
    const labs = path.resolve(FIXTURES, '../../labs');
    const catalog = await loadCatalog([{ path: labs, origin: 'bundled' }]);
    assert.deepEqual(
      catalog.broken.flatMap((b) => summary(b.issues).map((s) => `${path.basename(b.file)}:${s}`)),
      [],
    );
    assert.ok(catalog.labs.length > 0);
  });
});
