/** What the headless lab runner reports. Plain data: the CLI prints it and writes it as JSON. */
import type { CheckResult } from '../model';
import type { CleanupReport } from '../runtime/cleanup';

/**
 * `passed` / `failed`: the check said so after the solution ran. `error`: the check could not
 * be evaluated, or the step's commands could not be prepared. `skipped`: the runner could not
 * solve the step here (needs the internet, only interactive commands). `info` and `quiz`:
 * steps without a check (reading, quizzes): neither passed nor failed.
 */
export type StepRunStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'info' | 'quiz';

export interface CommandRun {
  /** The command text after placeholders were filled (what reached the shell). */
  text: string;
  /** Exit code; null when a signal ended it, or for a foreground command still running. */
  exitCode: number | null;
  signal?: string;
  ms: number;
  timedOut?: boolean;
  /** Started without waiting (a server in the foreground). */
  foreground?: boolean;
  /** Marked `network: true`: a failure is tolerated and reported as needing the internet. */
  network?: boolean;
  /** Last lines of its output, kept when it failed. */
  tail?: string[];
}

export interface StepRunResult {
  id: string;
  title: string;
  status: StepRunStatus;
  /** One sentence: the check's reason, or why the step was skipped / could not run. */
  reason: string;
  /** Time spent running the solution commands. */
  commandsMs: number;
  /** Time from the first evaluation of the check to its final result. */
  checkMs: number;
  commands: CommandRun[];
  /** The final check result, when a check ran. */
  check?: CheckResult;
  /** Extra remarks (a network command failed, a foreground process exited early). */
  notes: string[];
}

export interface LabRunResult {
  id: string;
  title: string;
  file: string;
  steps: StepRunResult[];
  ms: number;
  /** What clean-up removed (the lab's plan, item by item), or undefined with `keep`. */
  cleanup?: CleanupReport;
  /** Problems that are not any one step's (the event stream never connected, cleanup failed). */
  notes: string[];
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
}
