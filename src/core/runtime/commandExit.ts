/**
 * The one rule for how a lab command ended: it expects an exit code (`exitCode:` in the lab,
 * 0 by default, or `any`), and a command that ends otherwise fails its step at once, with the
 * command and the line of its output that says why as the step's reason. `container-labs test` stops the step
 * there; the runtime (the extension) shows it as the step's reason instead of the check's.
 */
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
  const tail = why === undefined ? '' : `: ${why}`;
  if (end.spawnError !== undefined) return { status: 'failed', reason: `${cmd} could not start: ${end.spawnError}` };
  if (end.timedOut) return { status: 'failed', reason: `${cmd} did not finish within ${Math.round((end.ms ?? 0) / 1000)} s${tail}` };
  if (end.exitCode === null) return { status: 'failed', reason: `${cmd} was stopped by ${end.signal ?? 'a signal'}${tail}` };
  if (end.exitCode === undefined) return undefined;
  const expected = expectedExitCode(command);
  if (expected === 'any' || expected === end.exitCode) return undefined;
  if (expected === 0) return { status: 'failed', reason: `${cmd} failed with exit code ${end.exitCode}${tail}` };
  return { status: 'failed', reason: `${cmd} ended with exit code ${end.exitCode}, not the ${expected} the lab expects${tail}` };
}
