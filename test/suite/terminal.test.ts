/**
 * The lab terminal in a real VS Code: the lab's commands go one after the other through shell
 * integration, and each one's end is known even where the shell reports the command line in
 * its own words (HISTTIMEFORMAT in a student's ~/.bashrc makes VS Code's bash integration
 * report "2026-12-02 16:30:00 echo …" for `echo …`, and VS Code then never ends the execution
 * it returned).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { createLogger } from '../../src/common/logger';
import { labShell } from '../../src/core/labs/labShell';
import { LabTerminal, TERMINAL_NAME } from '../../src/terminal/labTerminal';
import { RUN_ID } from './helpers';

/** Log lines the terminal wrote, for the assertions and for a failure's message. */
function memoryLog(lines: string[]): Parameters<typeof createLogger>[0] {
  const push = (level: string) => (message: string): void => void lines.push(`${level} ${message}`);
  return { trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

describe('Lab terminal: the lab\'s commands one after the other, their ends known (real shell integration)', function () {
  this.timeout(90_000);
  let dir: string;
  let terminal: LabTerminal | undefined;
  const log: string[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-terminal-'));
    log.length = 0;
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stdout.write(`    the terminal's log:\n${log.map((l) => `      ${l}`).join('\n')}\n`);
    terminal?.dispose();
    terminal = undefined;
    // This test's own terminals: each was opened with this run's marker in its environment.
    for (const t of vscode.window.terminals) {
      const env = (t.creationOptions as vscode.TerminalOptions).env;
      if (env?.CL_TEST_TERMINAL === RUN_ID) t.dispose();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A lab terminal whose bash has reported shell integration: opened here as the lab terminal
   * would open it (its name, shell and environment, so LabTerminal takes it), and waited for.
   * (LabTerminal itself waits 3 s for a new terminal, then types the first command in
   * untracked; on a loaded machine bash can take longer, and these tests are about tracking.)
   */
  async function open(extra: Record<string, string>): Promise<LabTerminal> {
    const env = { CL_TEST_TERMINAL: RUN_ID, ...extra };
    const shell = vscode.window.createTerminal({ name: TERMINAL_NAME, shellPath: labShell().path, cwd: dir, env });
    shell.show(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new Error('the lab terminal\'s bash reported no shell integration within 30 s'));
      }, 30_000);
      const listener = vscode.window.onDidChangeTerminalShellIntegration((event) => {
        if (event.terminal !== shell) return;
        clearTimeout(timer);
        listener.dispose();
        resolve();
      });
    });
    terminal = new LabTerminal(createLogger(memoryLog(log), 'terminal-test'), { cwd: () => dir, env: () => env });
    return terminal;
  }

  it('a command clicked while the one before runs waits for it instead of interrupting it', async () => {
    const t = await open({});
    const file = path.join(dir, 'order.txt');
    const first = await t.run(`sleep 2; echo first >> '${file}'`);
    const second = await t.run(`echo second >> '${file}'`);
    assert.equal(first.via, 'shellIntegration', 'the lab terminal\'s bash has shell integration');
    assert.deepEqual([await first.exitCode, await second.exitCode], [0, 0], 'both commands ended, each with its exit code');
    assert.equal(fs.readFileSync(file, 'utf8'), 'first\nsecond\n', 'the first command was not interrupted, and the second ran after it');
  });

  // Where bash words a command otherwise than it was typed (HISTTIMEFORMAT's time before it;
  // under HISTCONTROL=ignoreboth only the first part of `a && b`), VS Code's report of its start
  // may carry bash's words, the line as VS Code read it off the screen (its newline kept: the
  // logger shows it as ␤), or the line as typed: all three were seen here for ignoreboth, from
  // one run to the next. Whichever it is, each command must end with its own exit code.
  const cases: Array<{ shell: string; env: Record<string, string> }> = [
    { shell: 'HISTTIMEFORMAT set (a student\'s ~/.bashrc)', env: { HISTTIMEFORMAT: '%F %T ' } },
    { shell: 'HISTCONTROL=ignoreboth (the default ~/.bashrc of Debian, Ubuntu, Codespaces)', env: { HISTCONTROL: 'ignoreboth' } },
  ];
  for (const c of cases) {
    it(`with ${c.shell}: whichever words the shell reports a command in, each one ends with its own exit code, and the next ones are not held up`, async () => {
      const t = await open(c.env);
      const file = path.join(dir, 'reported.txt');
      const codes: Array<number | undefined> = [];
      for (const word of ['one', 'two', 'three']) {
        const sent = await t.run(`echo ${word} >> '${file}' && test ${word} != two`);
        assert.equal(sent.via, 'shellIntegration', 'the lab terminal\'s bash has shell integration');
        codes.push(await sent.exitCode);
      }
      assert.deepEqual(codes, [0, 1, 0], 'each command\'s own exit code (the second fails on purpose)');
      assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\nthree\n', 'every command ran, in order');
      // What the shell reported this time, for the reader of the test's output.
      const otherwise = log.filter((l) => l.includes('the shell reports it as: '));
      process.stdout.write(`      reported otherwise: ${otherwise.length} of 3${otherwise.length > 0 ? ` (${otherwise.map((l) => l.replace(/^.*the shell reports it as: /, '')).join(' | ')})` : ''}\n`);
    });
  }

  it('a line the student left half-typed at the prompt is emptied first: the lab\'s command runs as it is', async () => {
    const t = await open({});
    const file = path.join(dir, 'clean.txt');
    // The terminal is open and idle (a first command ended), then the student types without Enter.
    assert.equal(await (await t.run(`true`)).exitCode, 0);
    const shell = vscode.window.terminals.find((x) => (x.creationOptions as vscode.TerminalOptions).env?.CL_TEST_TERMINAL === RUN_ID);
    assert.ok(shell, 'the lab terminal of this test is open');
    shell.sendText(`echo half-typed >> '${file}'; echo `, false);
    const sent = await t.run(`echo clicked >> '${file}'`);
    assert.equal(await sent.exitCode, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), 'clicked\n', 'only the clicked command ran, not glued to the half-typed text');
  });
});
