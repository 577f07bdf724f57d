/**
 * The class report (`container-labs report`) on a generated class of 30 progress files: 24
 * students, and files that must each be reported without breaking the run (2 malformed, 2
 * duplicates, 1 of an old format version, 1 of a foreign lab). Exact numbers in Markdown, CSV
 * (parsed back) and HTML; and the progress file a student exports (masked, valid).
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';
import { classReport } from '../../src/core/classroom/classReport';
import { buildProgressFile, parseProgressFile, type ProgressFileLab, type ProgressFileStep, type ProgressFileV1 } from '../../src/core/classroom/progressFile';
import { parseLabText } from '../../src/core/labs/loader';
import type { StepState } from '../../src/core/runtime/types';

const ALPHA = `id: alpha
title: Alpha containers
summary: Run things.
minutes: 20
steps:
  - id: pull
    title: Pull the image
    instructions: Pull it.
    points: 2
  - id: serve
    title: Serve <b>web</b>
    instructions: Serve it.
    points: 3
  - id: clean
    title: Clean up
    instructions: Clean.
    points: 5
`;
const BETA = `id: beta
title: Beta volumes
summary: Keep data.
minutes: 10
version: "2"
steps:
  - id: create
    title: Create a volume
    instructions: Create.
  - id: use
    title: Use it
    instructions: Use.
`;

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function step(id: string, title: string, points: number, s: Partial<ProgressFileStep>): ProgressFileStep {
  return { id, title, points, state: 'not-started', attempts: 0, hintsShown: 0, solutionShown: false, ...s };
}

const REASON_WEB = 'No container named web is running.';
const REASON_PORT = 'Port 8080 is not published.';
const REASON_IMAGE = 'Image alpine:3.19 is not there.';

/** Student i (1..24) as the generator makes them. */
function studentFile(i: number, exportedMinutes = 600): ProgressFileV1 {
  const alpha: ProgressFileStep[] = [step('pull', 'Pull the image', 2, {}), step('serve', 'Serve web', 3, {}), step('clean', 'Clean up', 5, {})];
  const [pull, serve, clean] = alpha as [ProgressFileStep, ProgressFileStep, ProgressFileStep];
  if (i <= 12) {
    // Complete, in 10 + i minutes (11..22).
    Object.assign(pull, { state: 'passed', openedAt: at(0), passedAt: at(2), attempts: 1 });
    Object.assign(serve, { state: 'passed', openedAt: at(2), passedAt: at(5), attempts: 2 });
    Object.assign(clean, { state: 'passed', openedAt: at(5), passedAt: at(10 + i), attempts: 1 });
  } else if (i <= 18) {
    Object.assign(pull, { state: 'passed', openedAt: at(0), passedAt: at(3), attempts: 1 });
    Object.assign(serve, { state: 'failed', openedAt: at(3), attempts: 4, reason: i <= 16 ? REASON_WEB : REASON_PORT });
  } else if (i <= 21) {
    Object.assign(pull, { state: 'failed', openedAt: at(0), attempts: 2, reason: REASON_IMAGE });
  }
  const beta: ProgressFileStep[] = [step('create', 'Create a volume', 1, {}), step('use', 'Use it', 1, {})];
  if (i <= 6) {
    Object.assign(beta[0] ?? {}, { state: 'passed', openedAt: at(30), passedAt: at(31), attempts: 1 });
    Object.assign(beta[1] ?? {}, { state: 'passed', openedAt: at(31), passedAt: at(35), attempts: 1 });
  }
  const labs: ProgressFileLab[] = [
    { id: 'alpha', title: 'Alpha containers', steps: alpha },
    { id: 'beta', title: 'Beta volumes', version: i <= 3 ? '1' : '2', steps: beta },
  ];
  const file: ProgressFileV1 = { format: 'container-labs-progress', version: 1, exportedAt: at(exportedMinutes), extension: '0.1.0', labs };
  const names: Record<number, string> = { 5: '<script>alert(1)</script> Eve', 6: '=HYPERLINK("http://x")' };
  if (i !== 24) file.student = names[i] ?? `Student ${String(i).padStart(2, '0')}`;
  return file;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The 30 files of the class, by path under the class folder. */
function classFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 24; i++) files[`s${String(i).padStart(2, '0')}/container-labs-progress.json`] = json(studentFile(i));
  // An older export of student 2 (nothing passed yet), found before the newer one.
  const older = studentFile(2, 60);
  for (const lab of older.labs) for (const s of lab.steps) Object.assign(s, { state: 'not-started', attempts: 0, passedAt: undefined, openedAt: undefined });
  files['a-s02-old/container-labs-progress.json'] = JSON.stringify(older);
  // The very same file as student 1's, handed in twice.
  files['zz-copy/s01.progress.json'] = json(studentFile(1));
  files['broken/container-labs-progress.json'] = '{"format": "container-labs-progress", "version": 1, "labs": [';
  const badState = studentFile(7) as unknown as { labs: Array<{ steps: Array<{ state: string }> }> };
  const first = badState.labs[0]?.steps[0];
  if (first) first.state = 'done';
  files['bad-state/container-labs-progress.json'] = json(badState);
  files['old/container-labs-progress.json'] = json({ format: 'container-labs-progress', version: 0, student: 'Old Timer', labs: {} });
  files['foreign/container-labs-progress.json'] = json({
    format: 'container-labs-progress', version: 1, exportedAt: at(0), extension: '0.1.0', student: 'Visitor',
    labs: [{ id: 'gamma', title: 'Another course', steps: [step('x', 'X', 1, { state: 'passed', passedAt: at(1) })] }],
  });
  return files;
}


/** RFC 4180 CSV back into rows (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(cell, '', 'the CSV ends with a line break');
  return rows;
}

describe('class report (container-labs report)', function () {
  this.timeout(30_000);
  let dir: string;
  let classDir: string;
  let labsDir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cl-test-class-'));
    classDir = path.join(dir, 'class');
    labsDir = path.join(dir, 'labs');
    await mkdir(labsDir, { recursive: true });
    await writeFile(path.join(labsDir, 'alpha.lab.yaml'), ALPHA);
    await writeFile(path.join(labsDir, 'beta.lab.yaml'), BETA);
    const files = classFiles();
    assert.equal(Object.keys(files).length, 30);
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(classDir, name)), { recursive: true });
      await writeFile(path.join(classDir, name), text);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every file it cannot count, and counts the rest', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['report', 'class', '--labs', 'labs'], c.io), 0);
    const problems = c.err.filter((l) => l.includes('not counted'));
    assert.deepEqual(problems, [
      'container-labs report: class/a-s02-old/container-labs-progress.json: not counted (duplicate): another export of Student 02: class/s02/container-labs-progress.json is newer and counts',
      'container-labs report: class/bad-state/container-labs-progress.json: not counted (malformed): labs.0.steps.0.state must be equal to one of the allowed values',
      'container-labs report: class/broken/container-labs-progress.json: not counted (malformed): not JSON: ' + errorOf('{"format": "container-labs-progress", "version": 1, "labs": ['),
      'container-labs report: class/foreign/container-labs-progress.json: not counted (foreign-lab): only labs this class does not have: gamma',
      'container-labs report: class/old/container-labs-progress.json: not counted (old-version): format version 0 is from an older Container Labs; ask the student to update it and export again',
      'container-labs report: class/zz-copy/s01.progress.json: not counted (duplicate): the same file as class/s01/container-labs-progress.json',
    ]);
  });

  it('gives the expected Markdown tables', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['report', 'class', '--labs', 'labs', '--format', 'markdown'], c.io), 0);
    const md = c.out.join('\n');
    const lines = md.split('\n');
    const after = (heading: string, count: number): string[] => {
      const k = lines.indexOf(heading);
      assert.ok(k >= 0, `no ${heading} in\n${md}`);
      return lines.slice(k + 2, k + 2 + count);
    };
    assert.match(lines[2] ?? '', /^Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC\. 30 files read: 24 students counted, 6 files not counted\.$/);
    assert.deepEqual(after('## Labs', 4), [
      '| Lab | Started | Completed | Median time | Average score |',
      '|---|---|---|---|---|',
      '| Alpha containers | 21/24 | 12/24 | 17 min (11–22) | 5.5 / 10 |',
      '| Beta volumes v2 (3 on another version) | 6/24 | 6/24 | 5 min | 0.5 / 2 |',
    ]);
    assert.deepEqual(after('## Where students are stuck', 4), [
      '| Lab | Step | Students | Most common reasons |',
      '|---|---|---|---|',
      '| Alpha containers | Serve \\<b\\>web\\</b\\> | 6 | No container named web is running\\. (4); Port 8080 is not published\\. (2) |',
      '| Alpha containers | Pull the image | 3 | Image alpine:3\\.19 is not there\\. (3) |',
    ]);
    assert.deepEqual(after('## Alpha containers', 5), [
      '| # | Step | Points | Passed | Stuck here |',
      '|---|---|---|---|---|',
      '| 1 | Pull the image | 2 | 18/24 | 3 |',
      '| 2 | Serve \\<b\\>web\\</b\\> | 3 | 12/24 | 6 |',
      '| 3 | Clean up | 5 | 12/24 | 0 |',
    ]);
    assert.deepEqual(after('## Beta volumes', 4).slice(2), ['| 1 | Create a volume | 1 | 6/24 | 0 |', '| 2 | Use it | 1 | 6/24 | 0 |']);
    const students = after('## Students', 26);
    assert.equal(students[0], '| Student | Alpha containers | Beta volumes | Total |');
    assert.equal(students[2], '| Student 01 | 10/10 | 2/2 | 12/12 (100%) |');
    assert.equal(students[3], '| Student 02 | 10/10 | 2/2 | 12/12 (100%) |', 'the newer export of student 2 counts');
    assert.equal(students[6], '| \\<script\\>alert\\(1\\)\\</script\\> Eve | 10/10 | 2/2 | 12/12 (100%) |');
    assert.equal(students[14], '| Student 13 | 2/10 | 0/2 | 2/12 (17%) |');
    assert.equal(students[20], '| Student 19 | 0/10 | 0/2 | 0/12 (0%) |');
    assert.equal(students[25], '| s24 | 0/10 | 0/2 | 0/12 (0%) |', 'a file without a name is named by its folder');
    assert.equal(after('## Files not counted', 8).length, 8);
    assert.ok(!md.includes('<script>'), 'no raw HTML from a file reaches the Markdown');
  });

  it('gives a CSV grade book that parses back with the same numbers', async () => {
    const out = path.join(dir, 'grades.csv');
    const c = captureIo(dir);
    assert.equal(await main(['report', 'class', '--labs', 'labs', '--format', 'csv', '--output', 'grades.csv'], c.io), 0);
    assert.deepEqual(c.out, []);
    const rows = parseCsv(await readFile(out, 'utf8'));
    assert.deepEqual(rows[0], ['student', 'file', 'exported_at', 'alpha score (of 10)', 'alpha steps passed (of 3)', 'beta score (of 2)', 'beta steps passed (of 2)', 'total score', 'total max', 'percent']);
    assert.equal(rows.length, 25);
    const by = new Map(rows.slice(1).map((r) => [r[0], r.slice(3)]));
    assert.deepEqual(by.get('Student 01'), ['10', '3', '2', '2', '12', '12', '100']);
    assert.deepEqual(by.get('Student 13'), ['2', '1', '0', '0', '2', '12', '17']);
    assert.deepEqual(by.get('Student 20'), ['0', '0', '0', '0', '0', '12', '0']);
    assert.deepEqual(by.get("'=HYPERLINK(\"http://x\")"), ['10', '3', '2', '2', '12', '12', '100'], 'a formula is kept as text');
    assert.equal(rows.find((r) => r[0] === 's24')?.[1], 'class/s24/container-labs-progress.json');
    const total = rows.slice(1).reduce((n, r) => n + Number(r[7]), 0);
    assert.equal(total, 12 * 10 + 6 * 2 + 6 * 2, 'scores add up: 12 finished alpha (10), 6 of them beta (2), 6 are stuck with 2 points');
  });

  it('gives a self-contained HTML page with a chart and every text escaped', async () => {
    const c = captureIo(dir);
    assert.equal(await main(['report', 'class', '--labs', 'labs', '--format', 'html'], c.io), 0);
    const html = c.out.join('\n');
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.equal((html.match(/<svg /g) ?? []).length, 2, 'one chart per lab');
    assert.ok(!/<script/i.test(html), 'no script (not even the student name\'s)');
    assert.ok(!/\b(src|href)=/.test(html), 'nothing loaded from outside');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; Eve'));
    assert.ok(html.includes('Serve &lt;b&gt;web&lt;/b&gt;'));
    assert.ok(html.includes('<td>Alpha containers</td><td>Serve &lt;b&gt;web&lt;/b&gt;</td><td>6</td><td><ul><li>No container named web is running. (4)</li><li>Port 8080 is not published. (2)</li></ul></td>'));
    assert.ok(html.includes('<tr><td>Alpha containers</td><td>21/24</td><td>12/24</td><td>17 min (11–22)</td><td>5.5 / 10</td></tr>'));
    // The chart's bars: pull passed by 18 of 24 -> 270 of 360 px, stuck 3 -> 45 px after it.
    assert.ok(html.includes('width="270" height="16" class="passed"/><rect x="530" y="4" width="45" height="16" class="stuck"/>'), html);
    assert.ok(html.includes('<td>class/old/container-labs-progress.json</td><td>old-version: format version 0'));
  });

  it('without lab files takes the labs from the files; exits 1 when nothing counts, 2 on bad usage', async () => {
    const report = classReport([{ name: 'a.progress.json', text: json(studentFile(1)) }, { name: 'b.progress.json', text: '[]' }]);
    assert.deepEqual(report.labs.map((l) => [l.id, l.maxPoints, l.completed]), [['alpha', 10, 1], ['beta', 2, 1]]);
    assert.deepEqual(report.problems.map((p) => p.kind), ['malformed']);
    // With the class's labs given, the other labs of counted files are one note, not a problem.
    const alphaOnly = parseLabText(ALPHA, '/labs/alpha.lab.yaml', 'workspace').lab;
    assert.ok(alphaOnly);
    const narrowed = classReport([{ name: 'a.progress.json', text: json(studentFile(1)) }, { name: 'c.progress.json', text: json(studentFile(2)) }], { labs: [alphaOnly] });
    assert.deepEqual([narrowed.students.length, narrowed.problems, narrowed.notes], [2, [], ['labs not in this class were left out: beta (2 files)']]);
    const c = captureIo(dir);
    assert.equal(await main(['report', 'class/old'], c.io), 1);
    assert.equal(await main(['report', 'class', '--format', 'pdf'], c.io), 2);
    assert.equal(await main(['report', 'nowhere'], c.io), 2);
    assert.equal(await main(['report'], c.io), 2);
    assert.ok(c.err.some((l) => l.includes("unknown format 'pdf'")));
  });

  it('exports a student\'s progress as a valid file: secrets masked, versions and name kept', () => {
    const parsed = parseLabText(BETA, '/labs/beta.lab.yaml', 'workspace');
    const lab = parsed.lab;
    assert.ok(lab, JSON.stringify(parsed.issues));
    const states: Record<string, StepState> = {
      create: { status: 'passed', reason: 'Volume data exists.', openedAt: T0, passedAt: T0 + 60_000, hintsShown: 1, solutionShown: false, attempts: 2 },
      use: { status: 'failed', reason: 'docker run -e DB_PASSWORD=hunter2 failed:\n exit 1', openedAt: T0 + 60_000, hintsShown: 0, solutionShown: true, attempts: 3 },
    };
    const file = buildProgressFile({ labs: [lab], state: (ref) => states[ref.stepId] ?? { status: 'not-started', hintsShown: 0, solutionShown: false }, extensionVersion: '9.9.9', student: '  Ada   Lovelace ', now: new Date(T0 + 120_000) });
    assert.deepEqual(file, {
      format: 'container-labs-progress',
      version: 1,
      exportedAt: '2026-03-02T09:02:00.000Z',
      extension: '9.9.9',
      student: 'Ada Lovelace',
      labs: [{
        id: 'beta', title: 'Beta volumes', version: '2',
        steps: [
          { id: 'create', title: 'Create a volume', points: 1, state: 'passed', openedAt: '2026-03-02T09:00:00.000Z', passedAt: '2026-03-02T09:01:00.000Z', attempts: 2, reason: 'Volume data exists.', hintsShown: 1, solutionShown: false },
          { id: 'use', title: 'Use it', points: 1, state: 'failed', openedAt: '2026-03-02T09:01:00.000Z', attempts: 3, reason: 'docker run -e DB_PASSWORD=*** failed: exit 1', hintsShown: 0, solutionShown: true },
        ],
      }],
    });
    const read = parseProgressFile(JSON.stringify(file));
    assert.equal(read.ok, true, JSON.stringify(read));
  });
});

function errorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected invalid JSON');
}
