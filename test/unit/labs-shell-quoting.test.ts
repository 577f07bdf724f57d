/**
 * Placeholder quoting against real shells: every command below is filled with hostile values
 * (a workspace folder named `wsx-$(touch${IFS}pwned)`, quotes of every kind, globs, `#`, `;`)
 * and run by bash and by sh (dash on Debian). The shell must print exactly what it prints for a
 * harmless value, with the hostile text in its place, and must create no file.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fillCommand, PlaceholderError } from '../../src/core/labs/placeholders';
import { labShell } from '../../src/core/labs/labShell';
import { placeholderSites } from '../../src/core/labs/shellContext';
import type { PlaceholderValues } from '../../src/core/model';

const SAFE = '/safe/MARK';

const HOSTILE = [
  '/tmp/wsx-$(touch${IFS}pwned)',
  "/x/it's \"quoted\" `touch pwned` \\back",
  '/x/ a;touch pwned|b&&c',
  "/x/$'it\\'s' $(touch pwned)",
  '/x/#not-a-comment ${IFS} $HOME',
  '/x/*?[ab] ~root %s%n',
  '/x/-n -e',
];

/** Commands as lab authors write them, one per quoting context (and a few mixed). */
const COMMANDS: Array<{ what: string; text: string; bashOnly?: true }> = [
  { what: 'outside quotes', text: "printf '%s\\n' ${labData}" },
  { what: 'inside double quotes', text: "printf '%s\\n' \"${labData}/notes.txt\"" },
  { what: 'inside single quotes', text: "printf '%s\\n' '${labData}'" },
  { what: 'inside $\'...\'', text: "printf '%s\\n' $'a\\tb ${labData} c'" },
  { what: 'after a comment with an apostrophe', text: "# don't worry\nprintf '%s\\n' ${labData}" },
  { what: "after $'it\\'s'", text: "printf '%s\\n' $'it\\'s' ${labData}", bashOnly: true },
  { what: 'in a comment after the command', text: "printf '%s\\n' ${labData} # see ${labData}, don't" },
  { what: 'inside $(...)', text: "printf '%s\\n' \"$(printf '%s' ${labData})\"" },
  { what: 'inside quotes inside $(...) inside quotes', text: "printf '%s\\n' \"$(printf '%s' \"${labData}\")\"" },
  { what: 'after $((...))', text: "x=$(( (1 + 2) * 3 )); printf '%s\\n' \"$x\" ${labData}" },
  { what: 'glued to other text', text: "printf '%s\\n' a${labData}b" },
  { what: 'after a double-quoted apostrophe', text: "printf '%s\\n' \"a'b\" ${labData}" },
  { what: 'in a here-document', text: 'cat <<EOF\nline ${labData} $((1 + 1))\nEOF' },
  { what: 'in a quoted here-document', text: "cat <<'EOF'\nline ${labData} $HOME\nEOF" },
  { what: 'in a <<- here-document', text: 'cat <<-EOF\n\tline ${labData}\n\tEOF' },
  { what: 'after a here-document', text: "cat <<EOF\ndon't\nEOF\nprintf '%s\\n' ${labData}" },
  { what: 'in a here-string', text: 'cat <<<${labData}', bashOnly: true },
  { what: 'in a function', text: "f() { printf '%s\\n' ${labData}; }; f" },
  { what: 'in a case pattern list', text: "case x in (x) printf '%s\\n' ${labData};; esac" },
  { what: 'in a test', text: "[ -n ${labData} ] && printf '%s\\n' ok ${labData}" },
  { what: 'twice in one word', text: "printf '%s\\n' ${labData}:${labData}" },
];

/** bash reads $'...' and here-strings; sh (dash) is read as plain POSIX. */
const SHELLS = [
  { shell: 'bash', dialect: 'bash' as const },
  { shell: 'sh', dialect: 'posix' as const },
].filter(({ shell }) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0);

function values(labData: string): PlaceholderValues {
  return { workspaceFolder: '/w', userHome: '/home/student', labData, registry: 'localhost:5000' };
}

function runIn(shell: string, cwd: string, text: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(shell, ['-c', text], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/home/student' }, timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('placeholders: quoting proven on real shells', function () {
  this.timeout(60_000);
  let cwd: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-quoting-'));
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('finds bash and sh on this machine', () => {
    assert.deepEqual(SHELLS.map((s) => s.shell), ['bash', 'sh']);
  });

  for (const { what, text, bashOnly } of COMMANDS) {
    const shells = SHELLS.filter((s) => !bashOnly || s.dialect === 'bash');
    it(`${what}: every hostile value is one literal piece, in ${shells.map((s) => s.shell).join(' and ')}`, () => {
      for (const { shell, dialect } of shells) {
        const reference = runIn(shell, cwd, fillCommand(text, values(SAFE), dialect));
        assert.equal(reference.status, 0, `${shell} ran the harmless form of ${JSON.stringify(text)}: ${reference.stderr}`);
        assert.ok(reference.stdout.length > 0, `${shell} printed nothing for ${JSON.stringify(text)}`);
        for (const hostile of HOSTILE) {
          const filled = fillCommand(text, values(hostile), dialect);
          const r = runIn(shell, cwd, filled);
          assert.equal(r.status, 0, `${shell} -c ${JSON.stringify(filled)}: ${r.stderr}`);
          assert.equal(r.stdout, reference.stdout.split(SAFE).join(hostile), `${shell} -c ${JSON.stringify(filled)}`);
          assert.deepEqual(fs.readdirSync(cwd), [], `${shell} -c ${JSON.stringify(filled)} created a file`);
        }
      }
    });
  }

  it('runs lab commands in bash where there is one, else in POSIX sh with its own quoting', () => {
    assert.deepEqual(labShell((f) => f === '/usr/bin/bash'), { path: '/usr/bin/bash', dialect: 'bash' });
    assert.deepEqual(labShell(() => false), { path: '/bin/sh', dialect: 'posix' });
    // This machine has bash: the CLI runner and the lab terminal use it.
    assert.equal(labShell().dialect, 'bash');
  });

  it("reads $'...' as plain POSIX sh does when the shell is not bash", () => {
    assert.deepEqual(placeholderSites("echo $'x' ${labData}", 'posix').map((s) => s.context), ['plain']);
    assert.deepEqual(placeholderSites("echo $'${labData}'", 'posix').map((s) => s.context), ['single']);
  });

  it('names each context the lexer sees', () => {
    const contexts = (text: string): string[] => placeholderSites(text).map((s) => s.context);
    assert.deepEqual(contexts("a ${labData} \"${labData}\" '${labData}' $'${labData}' # ${labData}"), ['plain', 'double', 'single', 'ansi', 'comment']);
    assert.deepEqual(contexts('cat <<E\n${labData}x\nE\ncat <<"E"\n${labData}x\nE\necho ${labData}'), ['heredoc', 'heredoc-literal', 'plain']);
    assert.deepEqual(contexts('echo `echo ${labData}` "$(echo `x ${labData}`)"'), ['backtick', 'backtick']);
    assert.deepEqual(contexts('echo a#${labData} $#${labData}'), ['plain', 'plain']);
  });

  it('refuses placeholders it cannot quote: backticks, after an unclosed quote, alone on a here-document line', () => {
    const refused = (text: string): string => {
      try {
        fillCommand(text, values(SAFE));
      } catch (error) {
        assert.ok(error instanceof PlaceholderError, String(error));
        return error.message;
      }
      return assert.fail(`${JSON.stringify(text)} was filled`);
    };
    assert.equal(refused('echo `ls ${labData}`'), '${labData} cannot be used inside backticks; use $(...) instead');
    assert.equal(refused('echo "unclosed ${labData}'), '${labData} comes after a quote or $( that is never closed');
    assert.equal(refused("echo 'unclosed ${labData}"), '${labData} comes after a quote or $( that is never closed');
    assert.equal(refused('echo $(ls ${labData}'), '${labData} comes after a quote or $( that is never closed');
    assert.equal(refused('cat <<EOF\n${labData}\nEOF'), '${labData} cannot stand alone on a line of a here-document');
  });

  it('refuses values with control characters', () => {
    for (const bad of ['/x/a\nb', '/x/a\rb', '/x/a\tb', '/x/\u001b[31m', '/x/\u0085']) {
      assert.throws(() => fillCommand('ls ${labData}', values(bad)), (e: unknown) => e instanceof PlaceholderError && /control characters/.test(e.message), JSON.stringify(bad));
    }
  });
});
