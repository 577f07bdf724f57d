/**
 * The installable CLI as a workshop repository gets it: `npm run package:cli` builds
 * packages/cli and packs it; the tarball is installed into a fresh temporary repository that
 * holds only `.container-labs/`, and `npx container-labs validate` and `test` run there against
 * the real engine, passing on good labs and failing on bad ones. These are the commands the
 * README and docs/authoring.md give to instructors.
 */
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mainDocker } from '../support/engine';
import { uniqueName } from '../support/run';

const repoRoot = path.resolve(__dirname, '../../..');

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}

describe('the installable CLI, from its tarball, in a workshop repository', function () {
  this.timeout(600_000);
  let tarball: string;
  let repo: string;
  const container = uniqueName('pkg');

  before(() => {
    const pack = sh('npm', ['run', '-s', 'package:cli'], repoRoot);
    assert.equal(pack.status, 0, `npm run package:cli: ${pack.stderr}`);
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    tarball = path.join(repoRoot, 'dist', `container-labs-cli-${version}.tgz`);
    assert.ok(fs.existsSync(tarball), `${tarball} was not written`);
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-workshop-'));
    fs.mkdirSync(path.join(repo, '.container-labs'));
    fs.writeFileSync(
      path.join(repo, '.container-labs', 'hello.lab.yaml'),
      `id: workshop-hello
title: Hello from the workshop
summary: One container that says hello.
minutes: 5
images: [alpine:latest]
steps:
  - id: hello
    title: Say hello
    instructions: Run a container that prints hello.
    commands:
      - run: docker run --name ${container} alpine echo "hello workshop"
    check:
      all:
        - container: { name: ${container}, exitCode: 0 }
        - logs: { container: { name: ${container} }, contains: hello workshop }
`,
    );
    assert.equal(sh('npm', ['init', '-y'], repo).status, 0);
  });

  after(async () => {
    await mainDocker()
      .getContainer(container)
      .remove({ force: true })
      .catch(() => undefined);
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
  });

  it('is a small package: the bundled CLI, its schemas, README and LICENSE, and no dependencies', () => {
    const list = sh('tar', ['tzf', tarball], repoRoot);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), ['package/LICENSE', 'package/README.md', 'package/dist/cli.js', 'package/package.json', 'package/schemas/course.schema.json', 'package/schemas/lab-translation.schema.json', 'package/schemas/lab.schema.json', 'package/schemas/progress.schema.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.dependencies, undefined);
    assert.ok(fs.statSync(tarball).size < 1024 * 1024, `${fs.statSync(tarball).size} bytes`);
  });

  it('installs from the tarball and validates the workshop labs; a broken lab fails with file:line:col', () => {
    const install = sh('npm', ['install', '--save-dev', '--offline', tarball], repo);
    assert.equal(install.status, 0, `npm install: ${install.stderr}`);
    const ok = sh('npx', ['--no-install', 'container-labs', 'validate', '.container-labs'], repo);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /1 file, 0 errors, 0 warnings/);
    fs.writeFileSync(path.join(repo, '.container-labs', 'broken.lab.yaml'), 'id: broken\ntitle: Broken\nsummary: x\nminutes: 5\nsteps:\n  - id: a\n    title: A\n    instructions: B\n    stpes: 1\n');
    try {
      const bad = sh('npx', ['--no-install', 'container-labs', 'validate', '.container-labs'], repo);
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout + bad.stderr, /broken\.lab\.yaml:9:5: error: .*stpes/);
    } finally {
      fs.rmSync(path.join(repo, '.container-labs', 'broken.lab.yaml'));
    }
  });

  it('solves the workshop lab against the real engine (exit 0), and fails a lab whose check cannot pass (exit 1)', () => {
    const pass = sh('npx', ['--no-install', 'container-labs', 'test', '.container-labs'], repo);
    assert.equal(pass.status, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /hello\s+PASS/);
    const lab = path.join(repo, '.container-labs', 'hello.lab.yaml');
    fs.writeFileSync(lab, fs.readFileSync(lab, 'utf8').replace('contains: hello workshop', 'contains: goodbye'));
    // A short deadline: the check cannot pass, and the run should say so without waiting a minute.
    const fail = sh('npx', ['--no-install', 'container-labs', 'test', '.container-labs', '--timeout', '5'], repo);
    assert.equal(fail.status, 1, fail.stdout + fail.stderr);
    assert.match(fail.stdout, /hello\s+FAIL/);
  });
});
