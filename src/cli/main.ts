/**
 * `container-labs`: the command line for lab authors and CI.
 *
 *   container-labs validate [paths...]      check lab files, print file:line:col errors
 *   container-labs test [paths...]          solve every step against the engine, then check it
 *   container-labs check LAB STEP [--json]  check the present state of one step
 *   container-labs health [--json]          how the Docker engine answers, and how to fix it
 *   container-labs report FILES...          a class's progress from students' progress files
 */
import { type CliIo, processIo, type Subcommand } from './io';
import { runValidate } from './validate';
import { runTest } from './test';
import { runCheck } from './check';
import { runHealth } from './health';
import { runReport } from './report';
import { errorMessage } from '../core/text';

const USAGE = `Usage: container-labs <command> [options]

Commands:
  validate [paths...]        Validate lab files (default: ./labs and ./.container-labs)
  test [paths...]            Run each step's solution against the Docker engine, then its check
  check <lab> <step> [--json]  Check the present state of one step
  health [--json]            Report whether the Docker engine answers, and how to fix it
  report <files/folders...>  A class's progress from progress files (--format markdown|csv|html)
  help                       Show this help

Exit codes: 0 success, 1 a lab or check failed, 2 usage error or engine unreachable.`;

const commands: Record<string, Subcommand> = {
  validate: runValidate,
  test: runTest,
  check: runCheck,
  health: runHealth,
  report: runReport,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`container-labs: unknown command '${name}'\n\n${USAGE}`);
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
