/**
 * Entry point of the integration suite inside a real VS Code extension host: the `run()` that
 * @vscode/test-electron and code-server's test runner (scripts/run-integration.mjs) call.
 *
 * Runs every out/test/suite/**\/*.test.js with mocha (BDD, 60 s per test) and the project's
 * reporter (test/reporter.js), and rejects when any test fails or when there is no test file.
 *
 * Restricted Mode: files named *.restricted.test.js run only in the second pass that
 * run-integration.mjs opens WITHOUT --disable-workspace-trust (env
 * CONTAINER_LABS_TRUST=restricted); every other *.test.js runs only in the trusted pass.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

const RESTRICTED = /\.restricted\.test\.js$/;

function testFiles(root: string, restricted: boolean): string[] {
  const entries = fs.readdirSync(root, { recursive: true, encoding: 'utf8' });
  return entries
    .filter((rel) => rel.endsWith('.test.js'))
    .filter((rel) => RESTRICTED.test(rel) === restricted)
    .map((rel) => path.join(root, rel))
    .sort();
}

export function run(): Promise<void> {
  const restricted = process.env.CONTAINER_LABS_TRUST === 'restricted';
  const layer = process.env.CONTAINER_LABS_LAYER ?? (restricted ? 'integration-restricted' : 'integration');
  // out/test/suite -> the repository root, where test/reporter.js lives (plain JS, not compiled).
  const reporter = path.resolve(__dirname, '..', '..', '..', 'test', 'reporter.js');
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter,
    reporterOptions: { layer },
  });
  // scripts/run-integration.mjs --grep: a developer's run of some tests only, said so at the start.
  const grep = process.env.CONTAINER_LABS_GREP;
  if (grep) {
    mocha.grep(grep);
    process.stdout.write(`only the tests whose title contains "${grep}" (--grep)\n`);
  }
  const files = testFiles(__dirname, restricted);
  if (files.length === 0) {
    return Promise.reject(new Error(`no ${restricted ? '*.restricted.test.js' : '*.test.js'} files under ${__dirname}: was \`npx tsc -p test\` run?`));
  }
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
