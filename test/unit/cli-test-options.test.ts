/**
 * `container-labs test` for CI and for authors, on the real engine: --reporter junit/tap/github/
 * json (annotations at the step's line), --grep (a step with the steps before it), --bail,
 * --watch (driven by editing the lab file), a broken file reported while the other labs run,
 * the table's columns under their headers, and `${workspaceFolder}` as the folder holding
 * `.container-labs` (or --workspace).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import type { CaseResult } from '../../src/cli/reporters';
import type { TestJson } from '../../src/cli/test';
import { BUSYBOX, mainDocker } from '../support/engine';
import { uniqueName } from '../support/run';
import { waitFor } from '../support/wait';
import { removeNamed, runnerName, useRunnerFixture } from './runner-support';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}

function captureIo(cwd: string, signal?: AbortSignal): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Captured = { cwd, env: process.env, stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
  if (signal) io.signal = signal;
  return io;
}

/** A lab of two steps: each runs a busybox container named `name-N` that exits with `codes[N]`, checked for exit code 0. */
function twoStepLab(id: string, names: [string, string], codes: [number, number]): string {
  return `id: ${id}
title: Two containers
summary: Two steps, each one container.
minutes: 1
images: [${BUSYBOX}]
steps:
${names
  .map(
    (name, i) => `  - id: step-${i + 1}
    title: Container ${i + 1}
    instructions: Run it.
    commands:
      - run: docker run --name ${name} ${BUSYBOX} sh -c 'echo said-${i + 1}; exit ${codes[i]}'
    check:
      container: { name: ${name}, exitCode: 0 }
`,
  )
  .join('')}`;
}

describe('container-labs test: reporters, --grep, --bail, --watch (real engine)', function () {
  this.timeout(180_000);
  const docker = mainDocker();
  const created: string[] = [];
  const name = (what: string): string => {
    const n = uniqueName(what);
    created.push(n);
    return n;
  };
  let workspace = '';
  let fixtureLabs = '';
  const fixtureNames = { containers: ['hello', 'it', 'seven', 'wrong'].map(runnerName), volumes: [runnerName('vol')], images: [runnerName('tag:v1')] };
  useRunnerFixture(docker, fixtureNames, (dir, fixtures) => {
    workspace = dir;
    fixtureLabs = fixtures;
  });
  afterEach(async () => {
    await removeNamed(docker, { containers: created.splice(0) });
  });

  it('--reporter junit: valid XML a parser reads back, a case per step, the failure with its reason and output', async () => {
    const io = captureIo(workspace);
    const code = await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '2', '--reporter', 'junit', '--output', 'out/junit.xml'], io);
    assert.equal(code, 1, io.stdout.join('\n'));
    const text = await fs.readFile(path.join(workspace, 'out', 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(text), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text) as {
      testsuites: { name: string; tests: string; failures: string; testsuite: { name: string; testcase: { name: string; line: string; file: string; failure?: { message: string; '#text': string } } } };
    };
    assert.equal(doc.testsuites.name, 'container-labs test');
    assert.equal(doc.testsuites.tests, '1');
    assert.equal(doc.testsuites.failures, '1');
    const tc = doc.testsuites.testsuite.testcase;
    assert.equal(doc.testsuites.testsuite.name, 'runner-fail');
    assert.equal(tc.name, 'wrong-exit');
    assert.equal(tc.line, '9');
    assert.equal(tc.file, path.join('runner-labs', 'runner-fail.lab.yaml'));
    assert.match(tc.failure?.message ?? '', /code 3/);
    assert.match(tc.failure?.['#text'] ?? '', /about-to-fail/);
    // With --output the usual table is still printed.
    assert.match(io.stdout.join('\n'), /^ {2}wrong-exit +FAIL/m);
  });

  it('--reporter github: an ::error annotation at the failed step\'s line in the lab file; tap and json read the same cases', async () => {
    const io = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '2', '--reporter', 'github'], io), 1);
    const lines = io.stdout.join('\n').split('\n');
    const file = path.join('runner-labs', 'runner-fail.lab.yaml');
    const annotation = lines.find((l) => l.startsWith('::error '));
    assert.ok(annotation, lines.join('\n'));
    assert.ok(annotation.startsWith(`::error file=${file},line=9,col=9,title=runner-fail%3A wrong-exit::`), annotation);
    assert.match(annotation, /code 3/);
    // The report is the output: no table.
    assert.equal(lines.filter((l) => l.includes('STATUS')).length, 0);

    const tap = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '2', '--reporter', 'tap'], tap), 1);
    const tapLines = tap.stdout.join('\n').split('\n');
    assert.deepEqual(tapLines.slice(0, 3), ['TAP version 13', '1..1', 'not ok 1 - runner-fail / wrong-exit']);
    assert.ok(tapLines.includes(`  at: "${file}:9:9"`), tapLines.join('\n'));

    const json = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '2', '--reporter', 'json'], json), 1);
    const parsed = JSON.parse(json.stdout.join('\n')) as { tool: string; cases: CaseResult[] };
    assert.deepEqual(parsed.cases.map((c) => [c.suite, c.name, c.status, c.line]), [['runner-fail', 'wrong-exit', 'failed', 9]]);
  });

  it('--grep picks one step, which runs with the steps before it and none after', async () => {
    const io = captureIo(workspace);
    const code = await main(['test', fixtureLabs, '--grep', '^runner-pass/tag-image$', '--json'], io);
    const report = JSON.parse(io.stdout.join('')) as TestJson;
    assert.equal(code, 0, io.stdout.join('\n'));
    assert.deepEqual(report.labs.map((l) => l.id), ['runner-pass']);
    assert.deepEqual(report.labs[0].steps.map((s) => [s.id, s.status]), [['read-me', 'info'], ['make-volume', 'passed'], ['write-data', 'passed'], ['tag-image', 'passed']]);

    const none = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--grep', 'no-such-thing-anywhere'], none), 2);
    assert.match(none.stderr.join('\n'), /--grep no-such-thing-anywhere matches no lab or step/);
    const bad = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--grep', '(unclosed'], bad), 2);
    assert.match(bad.stderr.join('\n'), /--grep: not a valid regular expression \(RE2 syntax\): missing closing \)/);
  });

  it('--bail stops at the first failed step and skips the rest of the run; without it every step runs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-bail-'));
    try {
      await fs.writeFile(path.join(dir, 'a.lab.yaml'), twoStepLab('bail-a', [name('bail'), name('bail')], [4, 0]));
      await fs.writeFile(path.join(dir, 'b.lab.yaml'), twoStepLab('bail-b', [name('bail'), name('bail')], [0, 0]));
      const bail = captureIo(dir);
      assert.equal(await main(['test', '.', '--bail', '--timeout', '2', '--json'], bail), 1);
      const stopped = JSON.parse(bail.stdout.join('')) as TestJson;
      assert.deepEqual(stopped.labs.map((l) => [l.id, l.steps.map((s) => s.status)]), [['bail-a', ['failed']]]);

      const all = captureIo(dir);
      assert.equal(await main(['test', '.', '--timeout', '2', '--json'], all), 1);
      const full = JSON.parse(all.stdout.join('')) as TestJson;
      assert.deepEqual(full.labs.map((l) => [l.id, l.steps.map((s) => s.status)]), [['bail-a', ['failed', 'passed']], ['bail-b', ['passed', 'passed']]]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a broken lab file is reported at its line, and the other labs still run (exit 1)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-broken-'));
    try {
      await fs.writeFile(path.join(dir, 'bad.lab.yaml'), 'id: bad\ntitle: Bad\nsummary: x\nminutes: 1\nsteps:\n  - id: a\n    title: A\n    instructions: B\n    stpes: 1\n');
      await fs.writeFile(path.join(dir, 'good.lab.yaml'), twoStepLab('good', [name('good'), name('good')], [0, 0]));
      const io = captureIo(dir);
      assert.equal(await main(['test', '.', '--timeout', '5'], io), 1);
      assert.match(io.stderr.join('\n'), /^bad\.lab\.yaml:9:5: error: steps\[0\]: unknown key 'stpes'/m);
      const text = io.stdout.join('\n');
      assert.match(text, /^ {2}step-1 +PASS/m);
      assert.match(text, /^ {2}step-2 +PASS/m);
      assert.match(text, /^2 passed, 0 failed, 0 skipped, 1 lab file\(s\) broken$/m);
      const gh = captureIo(dir);
      assert.equal(await main(['test', '.', '--timeout', '5', '--reporter', 'github'], gh), 1);
      assert.ok(gh.stdout.some((l) => l.startsWith('::error file=bad.lab.yaml,line=9,col=5,')), gh.stdout.join('\n'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('the table: TIME and REASON start where their headers do', async () => {
    const io = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '2'], io), 1);
    const header = io.stdout.find((l) => l.includes('STATUS')) ?? '';
    const row = io.stdout.find((l) => l.startsWith('  wrong-exit')) ?? '';
    assert.ok(header && row, io.stdout.join('\n'));
    const column = (line: string, n: number): number => {
      // Start of the n-th column: after a run of two or more spaces.
      const starts = [...line.matchAll(/ {2,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length);
      return starts[n] ?? -1;
    };
    assert.equal(header.indexOf('STATUS'), row.indexOf('FAIL'));
    assert.equal(header.indexOf('TIME'), column(row, 2));
    assert.equal(header.indexOf('REASON'), column(row, 3));
  });

  it('${workspaceFolder} is the folder that holds .container-labs, wherever test runs from; --workspace overrides it', async () => {
    const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-wsf-'));
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-elsewhere-'));
    try {
      await fs.mkdir(path.join(repo, '.container-labs'));
      await fs.writeFile(
        path.join(repo, '.container-labs', 'ws.lab.yaml'),
        'id: wsf\ntitle: Workspace folder\nsummary: x\nminutes: 1\nsteps:\n  - id: write\n    title: Write\n    instructions: Write a file.\n    commands:\n      - run: pwd > ${workspaceFolder}/where.txt\n    check:\n      file: { path: "${workspaceFolder}/where.txt", contains: cl-test }\n',
      );
      const io = captureIo(elsewhere);
      assert.equal(await main(['test', path.join(repo, '.container-labs')], io), 0, io.stdout.join('\n') + io.stderr.join('\n'));
      // Commands run there too, as in the extension's terminal.
      assert.equal((await fs.readFile(path.join(repo, 'where.txt'), 'utf8')).trim(), await fs.realpath(repo));
      await fs.rm(path.join(repo, 'where.txt'));

      const other = captureIo(repo);
      assert.equal(await main(['test', '.container-labs', '--workspace', elsewhere], other), 0, other.stdout.join('\n'));
      assert.equal((await fs.readFile(path.join(elsewhere, 'where.txt'), 'utf8')).trim(), await fs.realpath(elsewhere));
      await assert.rejects(fs.stat(path.join(repo, 'where.txt')));

      const missing = captureIo(repo);
      assert.equal(await main(['test', '.container-labs', '--workspace', 'nope'], missing), 2);
      assert.match(missing.stderr.join('\n'), /--workspace nope: no such folder/);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('--watch runs the lab again when its file changes, until stopped', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cl-test-watch-'));
    const file = path.join(dir, 'w.lab.yaml');
    const first = name('watch');
    const second = name('watch');
    try {
      await fs.writeFile(file, twoStepLab('watched', [first, second], [0, 5]));
      const stop = new AbortController();
      const io = captureIo(dir, stop.signal);
      const summaries = (): string[] => io.stdout.filter((l) => /^\d+ passed, \d+ failed/.test(l));
      const running = main(['test', '.', '--watch', '--timeout', '2'], io);
      await waitFor('the first run', () => summaries().length === 1, 60_000);
      assert.equal(summaries()[0], '1 passed, 1 failed, 0 skipped');
      await waitFor('the watch to start', () => io.stderr.some((l) => l.includes('watching')), 10_000);

      // The author fixes the second step: the lab runs again by itself.
      await fs.writeFile(file, twoStepLab('watched', [first, second], [0, 0]));
      await waitFor('the run after the edit', () => summaries().length === 2, 60_000);
      assert.equal(summaries()[1], '2 passed, 0 failed, 0 skipped');
      assert.ok(io.stdout.some((l) => l === 'changed: w.lab.yaml'), io.stdout.join('\n'));

      stop.abort();
      assert.equal(await running, 0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
