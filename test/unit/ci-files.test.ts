/**
 * The GitHub Action (action.yml) and this repository's workflows cannot run here: they are
 * validated against GitHub's action and workflow schemas instead (@action-validator/core), and
 * the action's commands are checked to be the ones the installable-CLI test runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const repoRoot = path.resolve(__dirname, '../../..');
const read = (file: string): string => fs.readFileSync(path.join(repoRoot, file), 'utf8');

describe('GitHub Action and workflows', function () {
  const workflows = fs.readdirSync(path.join(repoRoot, '.github', 'workflows')).filter((f) => /\.ya?ml$/.test(f));

  it('action.yml is a valid action, and the validator does reject a broken one', () => {
    assert.deepEqual(validateAction(read('action.yml')).errors, []);
    const broken = read('action.yml').replace('using: composite', 'using: compost');
    assert.notDeepEqual(validateAction(broken).errors, []);
  });

  it('every workflow is valid (ci and release exist), and the validator does reject a broken one', () => {
    assert.deepEqual(workflows.sort(), ['ci.yml', 'release.yml']);
    for (const file of workflows) assert.deepEqual(validateWorkflow(read(path.join('.github', 'workflows', file))).errors, [], file);
    assert.notDeepEqual(validateWorkflow(read('.github/workflows/ci.yml').replace('runs-on:', 'runs-onn:')).errors, []);
  });

  it('the action installs the CLI and runs validate and test, the commands the workshop test runs', () => {
    const action = parse(read('action.yml')) as { inputs: Record<string, { default?: string }>; runs: { steps: Array<{ run?: string; env?: Record<string, string> }> } };
    const runs = action.runs.steps.map((s) => s.run ?? '').join('\n');
    assert.match(runs, /npm install --no-save --no-package-lock "\$CL_CLI"/);
    assert.match(runs, /npx --no-install container-labs validate \$CL_LABS --reporter github/);
    assert.match(runs, /npx --no-install container-labs test \$CL_LABS/);
    const version = (JSON.parse(read('packages/cli/package.json')) as { version: string }).version;
    assert.equal(action.inputs.cli?.default, `@container-labs/cli@${version}`);
    // Inputs reach the shell only through environment variables, never pasted into the script.
    assert.doesNotMatch(runs, /\$\{\{/);
  });

  it('the CI workflow runs the README test command, and the release packages the VSIX and the CLI', () => {
    assert.match(read('.github/workflows/ci.yml'), /npm ci[\s\S]*npm test/);
    const release = read('.github/workflows/release.yml');
    assert.match(release, /npm run package\n/);
    assert.match(release, /npm run package:cli/);
    // Published where its users install from: the Marketplace, Open VSX (code-server, VSCodium, Gitpod), npm; secrets only through env.
    assert.match(release, /vsce publish --packagePath dist\/container-labs\.vsix/);
    assert.match(release, /ovsx@[\d.]+ publish dist\/container-labs\.vsix/);
    assert.match(release, /npm publish dist\/container-labs-cli-\*\.tgz --access public/);
    assert.doesNotMatch(release.split('\n').filter((l) => /^\s+(if|npx|npm)/.test(l)).join('\n'), /\$\{\{/);
  });

  it('the extension\'s metadata is what the Marketplace and Open VSX need: publisher, license file, repository, icon, categories', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, unknown> & { repository?: { url?: string }; icon?: string; engines?: { vscode?: string } };
    for (const key of ['publisher', 'name', 'displayName', 'description', 'version', 'license', 'categories', 'keywords']) assert.ok(pkg[key], key);
    assert.match(pkg.repository?.url ?? '', /^https:\/\/github\.com\//);
    assert.ok(fs.existsSync(path.join(repoRoot, pkg.icon ?? 'none')), 'the icon file exists');
    assert.ok(fs.existsSync(path.join(repoRoot, 'LICENSE')), 'Open VSX refuses an extension without a license file');
    assert.match(pkg.engines?.vscode ?? '', /^\^1\.\d+\.\d+$/);
  });
});
