/**
 * The one argument parser of the CLI's subcommands: node:util's parseArgs (strict), with its
 * errors turned into a usage message and exit code 2, and `--help`/`-h` into the usage and
 * exit code 0, so that no subcommand throws a stack trace at a user who mistyped an option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../core/text';
import type { CliIo } from './io';

/** parseArgs' messages said the way the rest of the CLI says them. */
const REWORDED: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Option '(-\S+)(?: <value>)?' argument missing/, (m) => `${m[1] ?? 'the option'} needs a value`],
  [/^Option '(-\S+)' does not take an argument/, (m) => `${m[1] ?? 'the option'} takes no value`],
];

/** The first sentence of parseArgs' message, starting in lower case (it goes after a colon). */
function shortMessage(error: unknown): string {
  const text = errorMessage(error);
  for (const [pattern, say] of REWORDED) {
    const m = text.match(pattern);
    if (m) return say(m);
  }
  const first = text.split(/\.\s/)[0] ?? text;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * The parsed arguments, or the exit code when the command ends here: 0 after printing the usage
 * for --help, 2 after printing the problem and the usage. The options must include `help`.
 */
export function parseCommandLine<T extends ParseArgsConfig & { options: { help: { type: 'boolean'; short: 'h' } } }>(
  command: string,
  config: T,
  io: CliIo,
  usage: string,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    io.err(`container-labs ${command}: ${shortMessage(error)}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.out(usage);
    return 0;
  }
  return parsed;
}
