import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import type { TestJson } from '../../src/cli/test';
import { BUSYBOX, mainDocker } from '../support/engine';
import { runnerName, useRunnerFixture } from './runner-support';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}

function captureIo(cwd: string, env: NodeJS.ProcessEnv = process.env): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd, env, stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** An environment whose engine does not exist, so health fails as "not running". */
const NO_ENGINE = { ...process.env, DOCKER_HOST: 'unix:///tmp/cl-test-no-engine.sock' };

describe('container-labs health / test / check (real engine)', function () {
  this.timeout(120_000);
  const docker = mainDocker();
  const tag = runnerName('tag:v1');
  const names = {
    containers: ['hello', 'it', 'seven', 'wrong'].map(runnerName),
    volumes: [runnerName('vol')],
    images: [tag],
  };
  let workspace = '';
  let fixtureLabs = '';
  useRunnerFixture(docker, names, (dir, fixtures) => {
    workspace = dir;
    fixtureLabs = fixtures;
  });

  it('health: says the engine answers, as text and JSON (exit 0)', async () => {
    const io = captureIo(workspace);
    assert.equal(await main(['health'], io), 0);
    assert.match(io.stdout.join('\n'), /^Docker Engine \S+ \(API 1\.\d+\) answers at /);
    const json = captureIo(workspace);
    assert.equal(await main(['health', '--json'], json), 0);
    const report = JSON.parse(json.stdout.join('')) as { ok: boolean; apiVersion: string; fixes: unknown[] };
    assert.equal(report.ok, true);
    assert.match(report.apiVersion, /^1\.\d+$/);
    assert.deepEqual(report.fixes, []);
  });

  it('health: an engine that is not there gives the reason and the fixes (exit 2)', async () => {
    const io = captureIo(workspace, NO_ENGINE);
    assert.equal(await main(['health'], io), 2);
    const text = io.stdout.join('\n');
    assert.match(text, /^error: The Docker Engine is not running/);
    assert.match(text, /How to fix it:/);
    assert.match(text, /\$ sudo systemctl start docker/);
  });

  it('test: a lab that passes prints a table and the summary, writes JSON, exits 0', async () => {
    const io = captureIo(workspace);
    const out = path.join(workspace, 'results', 'runner.json');
    const code = await main(['test', path.join(fixtureLabs, 'runner-pass.lab.yaml'), '--json-out', out], io);
    const text = io.stdout.join('\n');
    assert.equal(code, 0, text + io.stderr.join('\n'));
    assert.match(text, /^runner-pass: Runner fixture that passes/m);
    assert.match(text, /^ {2}STEP +STATUS +TIME +REASON$/m);
    assert.match(text, /^ {2}make-volume +PASS +\d/m);
    assert.match(text, /^ {2}read-me +- +/m);
    assert.match(text, /^ {2}self-check +- +/m);
    assert.match(text, /^ {2}cleanup: removed 5, already gone 0$/m);
    assert.match(text, /^6 passed, 0 failed, 0 skipped$/m);
    const json = JSON.parse(await fs.readFile(out, 'utf8')) as TestJson;
    assert.deepEqual([json.passed, json.failed, json.skipped], [6, 0, 0]);
    assert.equal(json.labs[0].id, 'runner-pass');
    assert.deepEqual(
      json.labs[0].steps.map((s) => [s.id, s.status]),
      [
        ['read-me', 'info'],
        ['make-volume', 'passed'],
        ['write-data', 'passed'],
        ['tag-image', 'passed'],
        ['host-file', 'passed'],
        ['keep-running', 'passed'],
        ['exit-seven', 'passed'],
        ['self-check', 'quiz'],
      ],
    );
    assert.ok(json.labs[0].steps.every((s) => typeof s.ms === 'number' && typeof s.reason === 'string'));
  });

  it('test: a wrong solution fails with the reason and the output, exits 1; --json prints the same JSON', async () => {
    const io = captureIo(workspace);
    const code = await main(['test', fixtureLabs, '--lab', 'runner-fail', '--timeout', '1.5'], io);
    const text = io.stdout.join('\n');
    assert.equal(code, 1, text);
    assert.match(text, /^ {2}wrong-exit +FAIL +\S+ \S+ +.*code 3/m);
    assert.match(text, /\| about-to-fail/);
    assert.match(text, /^0 passed, 1 failed, 0 skipped$/m);

    const json = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'runner-network', '--timeout', '1', '--json'], json), 0);
    const report = JSON.parse(json.stdout.join('')) as TestJson;
    assert.deepEqual([report.passed, report.failed, report.skipped], [0, 0, 1]);
    assert.match(report.labs[0].steps[0].reason, /needs the internet/);
  });

  it('test: broken lab files are listed with file:line:col, and with no other lab nothing runs (exit 1)', async () => {
    const dir = path.join(workspace, 'broken-labs');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'bad.lab.yaml'), 'id: bad\ntitle: [unclosed\n');
    const io = captureIo(workspace);
    assert.equal(await main(['test', dir], io), 1);
    assert.match(io.stderr.join('\n'), /^broken-labs\/bad\.lab\.yaml:\d+:\d+: error: /m);
    assert.match(io.stdout.join('\n'), /^0 passed, 0 failed, 0 skipped, 1 lab file\(s\) broken$/m);
    assert.match(io.stdout.join('\n'), /^0 lab\(s\), 0 step\(s\)/m);
  });

  it('test: without an engine prints the health message and fixes, exit 2; bad options exit 2', async () => {
    const io = captureIo(workspace, NO_ENGINE);
    assert.equal(await main(['test', fixtureLabs], io), 2);
    assert.match(io.stderr.join('\n'), /The Docker Engine is not running[\s\S]*How to fix it:/);
    const bad = captureIo(workspace);
    assert.equal(await main(['test', '--timeout', 'soon'], bad), 2);
    assert.match(bad.stderr.join('\n'), /--timeout must be a positive number/);
    const unknown = captureIo(workspace);
    assert.equal(await main(['test', fixtureLabs, '--lab', 'no-such-lab'], unknown), 2);
    assert.match(unknown.stderr.join('\n'), /no lab 'no-such-lab'/);
  });

  it('check: present state only; exit 1 before the step is done, 0 after, 2 when it cannot check', async () => {
    const args = ['check', 'runner-pass', 'tag-image', '--labs', fixtureLabs];
    const before = captureIo(workspace);
    assert.equal(await main(args, before), 1);
    assert.ok(before.stdout.some((line) => line.startsWith('FAIL  ') && line.includes(tag)), before.stdout.join('\n'));

    await docker.getImage(BUSYBOX).tag({ repo: runnerName('tag'), tag: 'v1' });
    const after = captureIo(workspace);
    assert.equal(await main(args, after), 0);
    assert.ok(after.stdout.some((line) => line.startsWith(`PASS  image ${tag} is present`)), after.stdout.join('\n'));
    const json = captureIo(workspace);
    assert.equal(await main([...args, '--json'], json), 0);
    const result = JSON.parse(json.stdout.join('')) as { status: string; lab: string; step: string; reason: string };
    assert.deepEqual([result.status, result.lab, result.step], ['passed', 'runner-pass', 'tag-image']);

    // Children of an all-check are printed under it.
    const all = captureIo(workspace);
    assert.equal(await main(['check', 'runner-pass', 'write-data', '--labs', fixtureLabs], all), 1);
    assert.match(all.stdout.join('\n'), /^FAIL {2}.*\n {2}FAIL {2}/m);

    const down = captureIo(workspace, NO_ENGINE);
    assert.equal(await main(args, down), 2);
    assert.match(down.stderr.join('\n'), /not running/);
    const noStep = captureIo(workspace);
    assert.equal(await main(['check', 'runner-pass', 'nope', '--labs', fixtureLabs], noStep), 2);
    assert.match(noStep.stderr.join('\n'), /has no step 'nope'/);
    const quiz = captureIo(workspace);
    assert.equal(await main(['check', 'runner-pass', 'self-check', '--labs', fixtureLabs], quiz), 2);
    assert.match(quiz.stderr.join('\n'), /has no check/);
    const since = captureIo(workspace);
    assert.equal(await main([...args, '--since', 'yesterday-ish'], since), 2);
    assert.match(since.stderr.join('\n'), /--since must be 0 or a date/);
  });
});
