/**
 * The messages between the walkthrough webview (webview/main.ts) and the extension
 * (src/webview/panel.ts), and the view model the extension sends.
 *
 * Shared by both sides: this file imports nothing, so the webview's tsconfig (DOM lib,
 * no node, no vscode) can include it. The webview is untrusted input: every message it
 * sends is checked by `parseWebviewMessage` (src/webview/validate.ts) before it is used.
 */

/** The view type of the panel, also used by the serializer and `onWebviewPanel:` activation. */
export const WALKTHROUGH_VIEW_TYPE = 'containerLabs.walkthrough';

/** The command that opens (or reveals) the walkthrough: args `labId`, optional `stepId`. */
export const OPEN_WALKTHROUGH_COMMAND = 'containerLabs.openWalkthrough';

// ---------------------------------------------------------------------------------------------
// Webview -> extension
// ---------------------------------------------------------------------------------------------

/** Names the step a message is about; it must be the step the panel shows. */
export interface StepAddress {
  labId: string;
  stepId: string;
}

export type NavigateDirection = 'previous' | 'next';

/**
 * Everything the page may ask for. Commands are named by their index in the step, never by
 * their text: the extension runs only the lab's own command text.
 */
export type WebviewMessage =
  | { type: 'ready' }
  | ({ type: 'run'; index: number; solution?: boolean } & StepAddress)
  | ({ type: 'copy'; index: number; solution?: boolean } & StepAddress)
  | ({ type: 'check' } & StepAddress)
  | ({ type: 'hint' } & StepAddress)
  | ({ type: 'solution' } & StepAddress)
  | ({ type: 'quiz'; choices: number[] } & StepAddress)
  | { type: 'navigate'; direction: NavigateDirection }
  | { type: 'openLink'; href: string }
  | ({ type: 'openService' } & StepAddress)
  /** "Remove it and run again": the lab's own container from an earlier try is in the way. */
  | ({ type: 'removeLeftovers' } & StepAddress)
  | { type: 'interrupt' }
  /** The Restricted Mode line's button: opens VS Code's workspace trust editor. */
  | { type: 'manageTrust' }
  /** A button of the lab's summary page (the lab is the one the summary shows; `step` names one of its steps). */
  | { type: 'summary'; action: SummaryAction; stepId?: string };

/** What the summary page of a finished lab can ask for. */
export type SummaryAction = 'cleanup' | 'export' | 'nextLab' | 'back' | 'step';
export const SUMMARY_ACTIONS: readonly SummaryAction[] = ['cleanup', 'export', 'nextLab', 'back', 'step'];


// ---------------------------------------------------------------------------------------------
// Extension -> webview
// ---------------------------------------------------------------------------------------------

/** The status of the step's check as the panel shows it (mirrors the session's StepStatus). */
export type ViewCheckStatus = 'not-started' | 'current' | 'passed' | 'failed' | 'error';

export interface CommandView {
  /** The command text with placeholders filled in: what Run sends and Copy copies. */
  text: string;
  /** A short label from the lab, when it has one. */
  label?: string;
  destructive: boolean;
  /** Keeps the terminal busy (a server in the foreground): the panel offers Stop (Ctrl+C). */
  foreground: boolean;
  /** Needs a person typing (`-it`). */
  interactive: boolean;
}

export interface CheckPartView {
  status: 'passed' | 'failed' | 'error';
  reason: string;
}

export interface CheckView {
  status: ViewCheckStatus;
  /** One sentence from the last check, if one ran. */
  reason?: string;
  /** Reasons of the parts of an all/any/not check (flattened, depth-first). */
  parts: CheckPartView[];
  /** Part way through a multi-command step: "1 of 3 commands done" (shown instead of a failure). */
  progress?: string;
  /** A check is running right now (Check now was pressed). */
  checking: boolean;
}

export interface QuizView {
  /** Safe HTML rendered by the extension from the question's Markdown. */
  questionHtml: string;
  choices: string[];
  /** More than one right answer: checkboxes instead of radio buttons. */
  multiple: boolean;
  /** The choices submitted last, if any. */
  submitted?: number[];
  /** Feedback for the last submission. */
  feedback?: { correct: boolean; explanationHtml: string };
}

export interface SolutionView {
  /** The lab has a solution for this step. */
  available: boolean;
  /** The student confirmed and may see it. */
  shown: boolean;
  /** Safe HTML, only when shown. */
  html?: string;
  /** Solution commands, only when shown. */
  commands: CommandView[];
}

/** Everything the page needs to draw one step. Sent whole after `ready` and on every change. */
export interface StepView {
  labId: string;
  stepId: string;
  labTitle: string;
  stepTitle: string;
  /** 0-based position of the step in the lab. */
  stepIndex: number;
  stepCount: number;
  /** Checked steps passed in this lab. */
  passed: number;
  /** Steps without a check read (or their command run) in this lab. */
  read: number;
  /** Safe HTML rendered by the extension from the step's Markdown. */
  instructionsHtml: string;
  commands: CommandView[];
  /** Commands may run (workspace labs need a trusted workspace). */
  canRun: boolean;
  /** The step has a check; when false, `check` only carries the step's status. */
  hasCheck: boolean;
  check: CheckView;
  /** Safe HTML of the hints revealed so far, in order. */
  hints: string[];
  hintCount: number;
  solution: SolutionView;
  quiz?: QuizView;
  hasPrevious: boolean;
  hasNext: boolean;
  /** The lab's last step: Next shows the lab's summary. */
  lastOfLab: boolean;
  /** The lab's own containers from an earlier try that are in the way of the step's `docker run --name`. */
  leftover?: { names: string[]; reason: string };
  /** The step is there to stop a foreground server a step before started: the panel offers Stop (Ctrl+C). */
  stopsServer: boolean;
  /** A running Jupyter/RStudio container of this step can be opened. */
  service?: { label: string };
}

/** The page shown after Next on a lab's last step: how the lab went and what to do now. */
export interface LabSummaryView {
  labId: string;
  labTitle: string;
  /** Checked steps passed, of all checked steps (a check or a quiz). */
  passed: number;
  total: number;
  /** Steps without a check that were read, of all such steps. */
  read: number;
  unchecked: number;
  /** Every step, with its status (the ones not passed get a button to go back to them). */
  steps: Array<{ stepId: string; title: string; status: ViewCheckStatus }>;
  /** Whole minutes from the first step opened to the last step passed, when both are known. */
  minutes?: number;
  /** What the lab created that is still there (names), or undefined when it could not be looked up. */
  leftovers?: string[];
  canRun: boolean;
  /** The next lab of the course, if there is one. */
  nextLab?: { labId: string; title: string };
}

export type NoticeKind = 'info' | 'warning' | 'error';

export type HostMessage =
  | { type: 'view'; view: StepView }
  /** The summary of a finished lab (after Next on its last step). */
  | { type: 'summary'; summary: LabSummaryView }
  /** A short, polite announcement ("Copied", "Not run: the workspace is not trusted"). */
  | { type: 'notice'; kind: NoticeKind; text: string }
  /** Nothing to show (the lab is gone after a reload). */
  | { type: 'empty'; text: string };

/** What the page keeps with `setState` so the serializer can restore the panel. */
export interface WalkthroughState {
  labId: string;
  stepId: string;
}

// ---------------------------------------------------------------------------------------------
// Limits shared by the guard and the page
// ---------------------------------------------------------------------------------------------

export const LIMITS = {
  /** Longest lab or step id accepted in a message. */
  idLength: 200,
  /** Longest link accepted in `openLink`. */
  hrefLength: 2048,
  /** Highest command index accepted. */
  maxIndex: 999,
  /** Most quiz choices accepted in one answer. */
  maxChoices: 64,
} as const;
