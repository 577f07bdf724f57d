/**
 * The one rule for how a lab command ended: it expects an exit code (`exitCode:` in the lab,
 * 0 by default, or `any`), and a command that ends otherwise fails its step at once, with the
 * command and the line of its output that says why as the step's reason. `container-labs test` stops the step
 * there; the runtime (the extension) shows it as the step's reason instead of the check's.
 */
import * as l10n from '@vscode/l10n';
import type { CheckResult, LabCommand } from '../model';

/** How a command ended, as much as is known (the terminal reports only the exit code). */
export interface CommandEnd {
  /** Exit code; null when a signal ended it; undefined when not known. */
  exitCode: number | null | undefined;
  signal?: string | null;
  timedOut?: boolean;
  /** It could not be started at all. */
  spawnError?: string;
  /** Seconds it ran, for a timeout's message. */
  ms?: number;
  /** Its last lines of output, when they were read. */
  output?: readonly string[];
}

/** The exit code the lab expects of the command. */
export function expectedExitCode(command: LabCommand): number | 'any' {
  return command.exitCode ?? 0;
}

/** Lines that say nothing about why a command failed: the CLI's deprecation notes and warnings. */
const NOISE = /deprecated|^warning\b/i;
/** Lines that usually say why: the engine's or the CLI's error. */
const CAUSE = /error|denied|not found|no such|cannot|can't|failed|invalid|refused|conflict|already in use|unknown/i;

/**
 * The line of the output that says why, shortened; undefined without output. The first line
 * naming a cause, else the first that is not a warning, else the first: Docker 28 prints
 * "Flag --time has been deprecated" before the real error of `docker restart --time`.
 */
function firstLine(output: readonly string[] | undefined): string | undefined {
  const lines = (output ?? []).map((l) => l.trim()).filter((l) => l.length > 0);
  const line = lines.find((l) => CAUSE.test(l) && !NOISE.test(l)) ?? lines.find((l) => !NOISE.test(l)) ?? lines[0];
  if (line === undefined) return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Short enough to read in one line of a reason. */
function shown(text: string): string {
  const one = text.replace(/\s*\n\s*/g, ' ');
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
}

/**
 * The step's failure when the command did not end as the lab expects; undefined when it did,
 * or when how it ended is not known.
 */
export function commandFailure(text: string, command: LabCommand, end: CommandEnd): CheckResult | undefined {
  const cmd = `\`${shown(text)}\``;
  const why = firstLine(end.output);
  // The command's own first line of output, after the sentence.
  const said = (sentence: string): CheckResult => ({ status: 'failed', reason: why === undefined ? sentence : `${sentence}: ${why}` });
  // (Not '{0} could not start: {1}': that key is a container's, whose Spanish has an article.)
  if (end.spawnError !== undefined) return { status: 'failed', reason: `${cmd} ${l10n.t('could not start: {0}', end.spawnError)}` };
  if (end.timedOut) return said(l10n.t('{0} did not finish within {1} s', cmd, Math.round((end.ms ?? 0) / 1000)));
  if (end.exitCode === null) return said(end.signal ? l10n.t('{0} was stopped by {1}', cmd, end.signal) : l10n.t('{0} was stopped by a signal', cmd));
  if (end.exitCode === undefined) return undefined;
  const expected = expectedExitCode(command);
  if (expected === 'any' || expected === end.exitCode) return undefined;
  if (expected === 0) return said(l10n.t('{0} failed with exit code {1}', cmd, end.exitCode));
  return said(l10n.t('{0} ended with exit code {1}, not the {2} the lab expects', cmd, end.exitCode, expected));
}
