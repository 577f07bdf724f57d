/**
 * `container-labs`: the command line for lab authors and CI.
 *
 *   container-labs validate [paths...]      check lab files, print file:line:col errors
 *   container-labs test [paths...]          solve every step against the engine, then check it
 *   container-labs check LAB STEP [--json]  check the present state of one step
 *   container-labs health [--json]          how the Docker engine answers, and how to fix it
 *   container-labs report FILES...          a class's progress from students' progress files
 */
import * as l10n from '@vscode/l10n';
import { type CliIo, processIo, type Subcommand } from './io';
import { runValidate } from './validate';
import { runTest } from './test';
import { runCheck } from './check';
import { runHealth } from './health';
import { runReport } from './report';
import { errorMessage } from '../core/text';
import { useCliLanguage } from './language';
import { usageRows } from './args';

/** The usage, in the language `main` set (never at load time: the language is not known then). */
function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs <command> [options]'),
    '',
    l10n.t('Commands:'),
    usageRows(29, [
      ['validate [paths...]', l10n.t('Validate lab files (default: ./labs and ./.container-labs)')],
      ['test [paths...]', l10n.t("Run each step's solution against the Docker engine, then its check")],
      ['check <lab> <step> [--json]', l10n.t('Check the present state of one step')],
      ['health [--json]', l10n.t('Report whether the Docker engine answers, and how to fix it')],
      ['report <files/folders...>', l10n.t("A class's progress from progress files (--format markdown|csv|html)")],
      ['help', l10n.t('Show this help')],
    ]),
    '',
    l10n.t('Exit codes: 0 success, 1 a lab or check failed, 2 usage error or engine unreachable.'),
  ].join('\n');
}

const commands: Record<string, Subcommand> = {
  validate: runValidate,
  test: runTest,
  check: runCheck,
  health: runHealth,
  report: runReport,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  // What programs read (--json, --json-out, --reporter junit|tap|github|json) is in English, whatever the
  // locale: its texts (a check's reason too) are data, compared from run to run.
  useCliLanguage(argv.includes('--json') || argv.some((a) => /^--(reporter|json-out)(=|$)/.test(a)) ? {} : io.env);
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`container-labs: ${l10n.t("unknown command '{0}'", name)}\n\n${usage()}`);
    return 2;
  }
  return command(rest, io);
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`container-labs: ${errorMessage(error)}\n`);
      process.exitCode = 2;
    },
  );
}
