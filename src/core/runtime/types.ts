/**
 * The lab runtime's vocabulary, shared by the extension (its views read these) and the CLI.
 * No `vscode` import.
 */
import type { CheckResult, LabCommand } from '../model';

export type StepStatus = 'not-started' | 'current' | 'passed' | 'failed' | 'error';

export interface StepRef {
  labId: string;
  stepId: string;
}

export interface StepState {
  /**
   * Progress: `passed` once the step's check held (kept when the engine changes later, until a
   * reset or a Check now that fails); `failed` / `error` once a result counts (after the grace
   * period of a command, or Check now); `current` / `not-started` before that.
   */
  status: StepStatus;
  /** The reason to show: the latest result's (see `shownCheck`), or why a step without a check passed. */
  reason?: string;
  /** The latest check result, exactly as the engine gave it: the one result shown. */
  result?: CheckResult;
  /** Unix ms when the step was first opened (checks with `since: step` count from here). */
  openedAt?: number;
  /** Unix ms when it passed. */
  passedAt?: number;
  /** Quiz: the choices the student submitted last. */
  answer?: number[];
  /** Indexes of the step's commands the student ran from the lab (a multi-command step shows "1 of 3 done" until all ran). */
  commandsRun?: number[];
  /** How many hints the student has revealed. */
  hintsShown: number;
  solutionShown: boolean;
  /** How many times the student ran one of the step's commands or asked for a check (Check now). */
  attempts?: number;
}

/**
 * A lab's progress, its checked steps (a check or a quiz) and its other steps counted apart: a
 * step without a check is read (or its command was run), never "passed".
 */
export interface LabProgress {
  /** Checked steps that passed. */
  passed: number;
  /** Checked steps. */
  total: number;
  /** Steps without a check that are done (read, or their command ran). */
  read: number;
  /** Steps without a check. */
  unchecked: number;
}

export interface QuizFeedback {
  correct: boolean;
  explanation: string;
  /** Indexes of the right answers. */
  answer: number[];
}

/** Key-value state that survives a restart (the extension's Memento; a Map in the CLI). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** A store in memory (the CLI, tests). */
export class MemoryStore implements StateStore {
  private readonly data = new Map<string, string>();

  get<T>(key: string): T | undefined {
    const value = this.data.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

/** What running a command started. */
export interface CommandExecution {
  /** Resolves when the command ended, with its exit code when known; undefined: its end is never reported. */
  ended?: PromiseLike<number | undefined>;
}

/**
 * Runs a lab command's text (placeholders already filled): the real shell in the CLI, the
 * lab's terminal in the extension. The runtime opens the command's ownership window before
 * it calls `run` and closes it when `ended` resolves.
 */
export interface CommandExecutor<E extends CommandExecution = CommandExecution> {
  run(text: string, command: LabCommand): Promise<E>;
}

/** Where the runtime writes what it does (the extension's log channel; nothing in the CLI). */
export interface RuntimeLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const SILENT_LOG: RuntimeLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Keys of the runtime's state; the suffix is the version of the stored shape. */
export const STATE_KEYS = {
  progress: 'containerLabs.progress.v1',
  /** v2: ledgers under the exact-name ownership rule (v1 ledgers matched substrings and are not read). */
  ledger: 'containerLabs.ledger.v2',
} as const;

export function sameRef(a: StepRef | undefined, b: StepRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.labId === b.labId && a.stepId === b.stepId;
}

export function isStepRef(value: unknown): value is StepRef {
  return typeof value === 'object' && value !== null && typeof (value as StepRef).labId === 'string' && typeof (value as StepRef).stepId === 'string';
}
