/**
 * The one argument parser of the CLI's subcommands: node:util's parseArgs (strict), with its
 * errors turned into a usage message and exit code 2, and `--help`/`-h` into the usage and
 * exit code 0, so that no subcommand throws a stack trace at a user who mistyped an option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as l10n from '@vscode/l10n';
import { errorMessage } from '../core/text';
import type { CliIo } from './io';

/** parseArgs' messages said the way the rest of the CLI says them, in the CLI's language. */
const REWORDED: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Option '(-\S+)(?: <value>)?' argument missing/, (m) => l10n.t('{0} needs a value', m[1] ?? l10n.t('the option'))],
  [/^Option '(-\S+)' does not take an argument/, (m) => l10n.t('{0} takes no value', m[1] ?? l10n.t('the option'))],
];

/** The first sentences of parseArgs' other messages that the CLI says in its own language. */
const FIRST_SENTENCES: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^unknown option '(.*)'$/s, (m) => l10n.t("unknown option '{0}'", m[1] ?? '')],
  [/^unexpected argument '(.*)'$/s, (m) => l10n.t("unexpected argument '{0}'", m[1] ?? '')],
];

/**
 * The option lines of a usage text: each term (what one types, never translated) indented by
 * two, its description at `column` (or `gap` spaces after a longer term); a description of
 * several lines goes on at that column.
 */
export function usageRows(column: number, rows: ReadonlyArray<readonly [string, string]>, gap = 2): string {
  const indent = '\n' + ' '.repeat(column);
  return rows
    .map(([term, text]) => `  ${term}${' '.repeat(Math.max(gap, column - 2 - term.length))}${text.split('\n').join(indent)}`)
    .join('\n');
}

/** The first sentence of parseArgs' message, starting in lower case (it goes after a colon). */
function shortMessage(error: unknown): string {
  const text = errorMessage(error);
  for (const [pattern, say] of REWORDED) {
    const m = text.match(pattern);
    if (m) return say(m);
  }
  const first = text.split(/\.\s/)[0] ?? text;
  const short = first.charAt(0).toLowerCase() + first.slice(1);
  for (const [pattern, say] of FIRST_SENTENCES) {
    const m = short.match(pattern);
    if (m) return say(m);
  }
  return short;
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
