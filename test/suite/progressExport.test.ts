/**
 * "Container Labs: Export Progress File" in VS Code: the progress file and its Markdown report
 * are written into the folder, the file is one `container-labs report` reads.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseProgressFile } from '../../src/core/classroom/progressFile';
import { activateExtension, EXTENSION_ID, TEST_LAB } from './helpers';

describe('Export Progress File', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-export-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes container-labs-progress.json (valid, with the name and versions) and its Markdown report', async () => {
    await activateExtension();
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('containerLabs.exportProgressFile', { student: 'Ada <Lovelace>', folder: dir });
    assert.ok(uri, 'the command gave the file it wrote');
    assert.strictEqual(uri.fsPath, path.join(dir, 'container-labs-progress.json'));
    const read = parseProgressFile(fs.readFileSync(uri.fsPath, 'utf8'));
    assert.ok(read.ok, JSON.stringify(read));
    assert.strictEqual(read.file.student, 'Ada <Lovelace>');
    const version = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { version: string }).version;
    assert.strictEqual(read.file.extension, version);
    const lab = read.file.labs.find((l) => l.id === TEST_LAB);
    assert.ok(lab, `labs: ${read.file.labs.map((l) => l.id).join(', ')}`);
    assert.ok(lab.steps.length > 0);
    const md = fs.readFileSync(path.join(dir, 'container-labs-progress.md'), 'utf8');
    assert.match(md, /^# Container Labs progress report/);
    assert.match(md, /for Ada \\<Lovelace\\>/);
  });
});
