/**
 * The contract between the lab session and the views that show it (Labs tree, walkthrough
 * webview, status bar). The state itself lives in the core lab runtime
 * (`src/core/runtime/`); views only read it through the session and call its methods.
 */
import type * as vscode from 'vscode';
import type { Catalog, CheckResult, Lab, Step } from '../core/model';
import type { CleanupPlan } from '../core/runtime/cleanup';
import type { LabProgress, QuizFeedback, StepRef, StepState } from '../core/runtime/types';

export type { LabProgress, QuizFeedback, StepRef, StepState, StepStatus } from '../core/runtime/types';

/** Where the service a step started can be opened. */
export interface ServiceLink {
  /** What to open, e.g. http://127.0.0.1:8888/?token=abc (already through asExternalUri). */
  uri: vscode.Uri;
  /** For the button label, e.g. "Jupyter on port 8888". */
  label: string;
  /** The editor's address for it goes through a path proxy the service cannot work behind (see core/runtime/serviceUrl.ts). */
  pathProxied?: { direct: string; proxied: string };
}

export interface LabSession extends vscode.Disposable {
  readonly catalog: Catalog;
  /** The step the student is on (the walkthrough shows it), if any. */
  readonly current: StepRef | undefined;
  /** Fires when the catalog, the current step or any step state changes. */
  readonly onDidChange: vscode.Event<StepRef | undefined>;
  /** Fires when the engine says a container started, stopped or went (an Open button may come or go). */
  readonly onDidChangeContainers: vscode.Event<void>;

  getLab(labId: string): Lab | undefined;
  getStep(ref: StepRef): Step | undefined;
  getState(ref: StepRef): StepState;
  getProgress(labId: string): LabProgress;
  /** Whether commands of this lab may run (workspace labs need a trusted workspace). */
  canRun(labId: string): boolean;

  /** Make this the current step: records openedAt, starts live checking. */
  openStep(ref: StepRef): Promise<void>;
  /** Check now (the Check button). */
  checkNow(ref: StepRef): Promise<CheckResult>;
  /**
   * Run the step's command number `index` (or a solution command when `solution` is set)
   * in the Container Labs terminal. The text is always the lab's own, never a caller's string.
   * Destructive commands ask first. Resolves false when not run (refused, cancelled, untrusted).
   */
  runCommand(ref: StepRef, index: number, opts?: { solution?: boolean }): Promise<boolean>;
  /** Text the student reads, placeholders filled (code as the commands are filled). */
  readableText(labId: string, text: string, code: boolean): string;
  /** The command text after filling placeholders (for Copy), or undefined for a bad index. */
  commandText(ref: StepRef, index: number, opts?: { solution?: boolean }): string | undefined;
  /** Send Ctrl+C to the terminal (stop a foreground container). */
  interrupt(): void;
  revealHint(ref: StepRef): number;
  /** Asks for confirmation; resolves true when the solution may be shown. */
  revealSolution(ref: StepRef): Promise<boolean>;
  answerQuiz(ref: StepRef, choices: number[]): QuizFeedback | undefined;
  /** Host port + token of a running Jupyter/RStudio container of this step, if any. */
  findService(ref: StepRef): Promise<ServiceLink | undefined>;
  next(ref: StepRef): StepRef | undefined;
  previous(ref: StepRef): StepRef | undefined;
  resetStep(ref: StepRef): Promise<void>;
  /** What the lab created that is still there (what "Clean Up Lab" would remove). */
  cleanupPlan(labId: string): Promise<CleanupPlan>;
  /** The lab's own containers from an earlier try in the way of the step's `docker run --name`. */
  leftovers(ref: StepRef): Promise<CleanupPlan>;
  /** Asks, removes the step's leftovers (only the lab's own), and with `rerun` runs the step's command again. */
  removeLeftovers(ref: StepRef, opts: { rerun: boolean }): Promise<boolean>;
  resetLab(labId: string): Promise<void>;
  reload(): Promise<void>;
}
