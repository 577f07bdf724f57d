/**
 * CI reporters: `container-labs validate --reporter junit|tap|github|json` on real lab files,
 * read back by a real XML parser (JUnit), by the TAP 13 grammar, and as GitHub Actions
 * workflow commands with their escaping; untrusted text stays text in each.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';
import { report, type CaseResult } from '../../src/cli/reporters';


const GOOD = 'id: good\ntitle: Good\nsummary: Fine.\nminutes: 1\nsteps:\n  - id: one\n    title: One\n    instructions: Look.\n';
// An unknown key at 9:5, and a title with markup, a line break and an annotation-breaking `::`.
const BAD = 'id: bad\ntitle: "Bad <b>&</b> :: 100%"\nsummary: x\nminutes: 1\nsteps:\n  - id: one\n    title: One\n    instructions: Look.\n    stpes: 1\n';

describe('container-labs validate --reporter', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-reporters-'));
    await writeFile(path.join(dir, 'good.lab.yaml'), GOOD);
    await writeFile(path.join(dir, 'bad.lab.yaml'), BAD);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('junit: well-formed XML a parser reads back, one suite per file, the problem as a failure at its line', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['validate', '.', '--reporter', 'junit', '--output', 'results.xml'], c.io), 1);
    const text = await readFile(path.join(dir, 'results.xml'), 'utf8');
    assert.equal(XMLValidator.validate(text), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text) as {
      testsuites: { tests: string; failures: string; testsuite: Array<{ name: string; tests: string; failures: string; testcase: { name: string; file: string; line?: string; failure?: { message: string } } }> };
    };
    assert.equal(doc.testsuites.tests, '2');
    assert.equal(doc.testsuites.failures, '1');
    const byName = new Map(doc.testsuites.testsuite.map((s) => [s.name, s]));
    assert.deepEqual([...byName.keys()].sort(), ['bad.lab.yaml', 'good.lab.yaml']);
    const bad = byName.get('bad.lab.yaml')?.testcase;
    assert.equal(bad?.line, '9');
    assert.equal(bad?.failure?.message, "steps[0]: unknown key 'stpes'; expected one of id, title, instructions, commands, check, hints, solution, quiz, points");
    assert.equal(byName.get('good.lab.yaml')?.testcase.failure, undefined);
    // With --output, the usual lines are still printed.
    assert.match(c.out.join('\n'), /2 files, 1 error, 0 warnings/);
  });

  it('tap: TAP 13 with a plan, ok / not ok lines and a YAML block for the failure', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['validate', '.', '--reporter', 'tap'], c.io), 1);
    const lines = c.out.join('\n').split('\n');
    assert.equal(lines[0], 'TAP version 13');
    assert.equal(lines[1], '1..2');
    assert.equal(lines[2], 'not ok 1 - bad.lab.yaml / line 9, col 5');
    assert.deepEqual(lines.slice(3, 8), ['  ---', `  message: "steps[0]: unknown key 'stpes'; expected one of id, title, instructions, commands, check, hints, solution, quiz, points"`, '  severity: fail', '  at: "bad.lab.yaml:9:5"', '  ...']);
    assert.equal(lines[8], 'ok 2 - good.lab.yaml / is a valid lab file');
  });

  it('github: one ::error annotation at file, line and col per problem, escaped as the runner expects', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['validate', '.', '--reporter', 'github'], c.io), 1);
    assert.deepEqual(c.out.join('\n').split('\n'), [
      "::error file=bad.lab.yaml,line=9,col=5,title=bad.lab.yaml%3A line 9%2C col 5::steps[0]: unknown key 'stpes'; expected one of id, title, instructions, commands, check, hints, solution, quiz, points",
      '1 passed, 1 failed',
    ]);
  });

  it('json: the cases as data', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['validate', '.', '--reporter', 'json'], c.io), 1);
    const parsed = JSON.parse(c.out.join('\n')) as { tool: string; cases: CaseResult[] };
    assert.equal(parsed.tool, 'container-labs validate');
    assert.deepEqual(parsed.cases.map((x) => [x.suite, x.status, x.line]), [['bad.lab.yaml', 'failed', 9], ['good.lab.yaml', 'passed', undefined]]);
  });

  it('refuses an unknown reporter and --output without --reporter (exit 2)', async () => {
    const a = captureIo(dir);
    assert.equal(await main(['validate', '.', '--reporter', 'xml'], a.io), 2);
    assert.equal(a.err.join('\n'), "container-labs validate: unknown reporter 'xml'; choose one of junit, tap, github, json");
    const b = captureIo(dir);
    assert.equal(await main(['validate', '.', '--output', 'x.xml'], b.io), 2);
    assert.equal(b.err.join('\n'), 'container-labs validate: --output goes with --reporter');
  });
});

describe('reporters: untrusted text stays text', function () {
  const hostile: CaseResult = {
    suite: 'lab <script>',
    name: 'step ]]> & "quote"',
    status: 'failed',
    message: 'line one\nline two :: 100% done, -e PASSWORD=hunter2',
    file: 'a,b:c.lab.yaml',
    line: 3,
    col: 4,
  };

  it('junit escapes markup and control characters, and masks secrets', () => {
    const text = report('junit', [hostile], { tool: 't' });
    assert.equal(XMLValidator.validate(text), true);
    assert.ok(!text.includes('<script>') && !text.includes('hunter2'), text);
  });

  it('github: a message cannot end the annotation or start a second one, and properties are escaped', () => {
    const text = report('github', [hostile], { tool: 't' });
    const [first, ...rest] = text.split('\n');
    assert.equal(first, '::error file=a%2Cb%3Ac.lab.yaml,line=3,col=4,title=lab <script>%3A step ]]> & "quote"::line one\u2424line two :: 100%25 done, -e PASSWORD=***');
    assert.deepEqual(rest, ['0 passed, 1 failed']);
  });

  it('tap: a # in a name cannot become a directive', () => {
    const text = report('tap', [{ suite: 's', name: 'n # SKIP not really', status: 'failed' }], { tool: 't' });
    assert.equal(text.split('\n')[2], 'not ok 1 - s / n \\# SKIP not really');
  });
});
