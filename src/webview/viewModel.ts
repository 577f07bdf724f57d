/**
 * Builds the `StepView` the walkthrough page draws from the session's state. Only types come
 * from `vscode` (through the session contract), so this is cheap to call on every change.
 */
import * as l10n from '@vscode/l10n';
import type { CheckResult, LabCommand, Quiz } from '../core/model';
import { commandProgress, leftoverReason, shownCheck, stopsForegroundServer } from '../core/runtime/steps';
import type { LabSession, QuizFeedback, StepRef } from '../session/types';
import type { MarkdownRenderer, RenderOptions } from './markdown';
import type { CheckPartView, CommandView, LabSummaryView, QuizView, StepView } from './protocol';

export interface ViewExtras {
  /** Check now is running. */
  checking: boolean;
  /** Names of the lab's own containers from an earlier try in the way of the step's command. */
  leftovers?: string[];
  /** Label of a service found for this step, if any. */
  serviceLabel?: string;
  /** The last quiz answer given in this panel for this step, with the session's feedback. */
  quiz?: { choices: number[]; feedback: QuizFeedback };
}

export interface BuiltView {
  view: StepView;
  /** Links the rendered HTML contains: the only ones `openLink` may open. */
  links: Set<string>;
}

function commandView(session: LabSession, ref: StepRef, cmd: LabCommand, index: number, solution: boolean): CommandView {
  const view: CommandView = {
    text: session.commandText(ref, index, solution ? { solution: true } : undefined) ?? cmd.run,
    destructive: cmd.destructive === true,
    foreground: cmd.foreground === true,
    interactive: cmd.interactive === true,
  };
  if (cmd.label !== undefined && cmd.label !== '') view.label = cmd.label;
  return view;
}

/**
 * The parts of an all/any/not check, depth-first, without the root itself and without
 * repeating a reason already shown (an all-check often fails for the same cause in each part).
 */
function flattenParts(result: CheckResult | undefined): CheckPartView[] {
  const out: CheckPartView[] = [];
  const seen = new Set<string>(result === undefined ? [] : [result.reason]);
  const walk = (node: CheckResult, depth: number): void => {
    if (node.children === undefined || depth > 8) return;
    for (const child of node.children) {
      if (out.length >= 50) return;
      if (!seen.has(child.reason)) {
        seen.add(child.reason);
        out.push({ status: child.status, reason: child.reason });
      }
      walk(child, depth + 1);
    }
  };
  if (result !== undefined) walk(result, 0);
  return out;
}

function sameChoices(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function quizView(quiz: Quiz, submitted: number[] | undefined, feedback: QuizFeedback | undefined, md: MarkdownRenderer, links: Set<string>, opts: RenderOptions): QuizView {
  const question = md.render(quiz.question, opts);
  question.links.forEach((l) => links.add(l));
  const view: QuizView = {
    questionHtml: question.html,
    // Inline Markdown read as text: no backticks on one choice to give it away.
    choices: quiz.choices.map((c) => md.inlineText(c)),
    multiple: quiz.answer.length > 1,
  };
  if (submitted !== undefined) {
    view.submitted = [...submitted];
    const correct = feedback?.correct ?? sameChoices(submitted, quiz.answer);
    const explanation = md.render(feedback?.explanation ?? quiz.explanation, opts);
    explanation.links.forEach((l) => links.add(l));
    view.feedback = { correct, explanationHtml: explanation.html };
  }
  return view;
}

/** Returns undefined when the lab or step no longer exists. */
export function buildStepView(session: LabSession, ref: StepRef, md: MarkdownRenderer, extras: ViewExtras): BuiltView | undefined {
  const lab = session.getLab(ref.labId);
  const step = session.getStep(ref);
  if (lab === undefined || step === undefined) return undefined;
  const state = session.getState(ref);
  // One result: the status, the reason and the parts all come from the same evaluation.
  const shown = shownCheck(state);
  const progress = session.getProgress(ref.labId);
  const links = new Set<string>();
  // A workspace lab in Restricted Mode shows its text, but loads nothing from elsewhere.
  const renderOptions: RenderOptions = { remoteImages: session.canRun(lab.id), fill: (text, code) => session.readableText(lab.id, text, code) };
  const render = (text: string): string => {
    const out = md.render(text, renderOptions);
    out.links.forEach((l) => links.add(l));
    return out.html;
  };

  const hintsShown = Math.max(0, Math.min(state.hintsShown, step.hints.length));
  const solutionShown = state.solutionShown && step.solution !== undefined;
  const view: StepView = {
    labId: lab.id,
    stepId: step.id,
    labTitle: lab.title,
    stepTitle: step.title,
    stepIndex: Math.max(0, lab.steps.findIndex((s) => s.id === step.id)),
    stepCount: lab.steps.length,
    passed: progress.passed,
    read: progress.read,
    instructionsHtml: render(step.instructions),
    commands: step.commands.map((c, i) => commandView(session, ref, c, i, false)),
    canRun: session.canRun(lab.id),
    hasCheck: step.check !== undefined,
    check: {
      status: shown.status,
      parts: flattenParts(shown.result),
      checking: extras.checking,
    },
    hints: step.hints.slice(0, hintsShown).map(render),
    hintCount: step.hints.length,
    solution: {
      available: step.solution !== undefined,
      shown: solutionShown,
      commands: solutionShown ? (step.solution?.commands ?? []).map((c, i) => commandView(session, ref, c, i, true)) : [],
    },
    hasPrevious: session.previous(ref) !== undefined,
    hasNext: session.next(ref) !== undefined,
    lastOfLab: lab.steps[lab.steps.length - 1]?.id === ref.stepId,
    stopsServer: stopsForegroundServer(lab, step),
  };
  // The status already says "Cannot check": the reason does not say it again (in any language).
  const reason = shown.status === 'error' ? withoutCannotCheck(shown.reason) : shown.reason;
  if (reason !== undefined && reason !== '') view.check.reason = reason;
  const partWay = commandProgress(step, state);
  if (partWay !== undefined && shown.status !== 'failed' && shown.status !== 'error') view.check.progress = partWay;
  if (solutionShown && step.solution?.text !== undefined) view.solution.html = render(step.solution.text);
  if (step.quiz !== undefined) {
    const submitted = state.answer ?? extras.quiz?.choices;
    const feedback = submitted !== undefined && extras.quiz !== undefined && sameChoices(submitted, extras.quiz.choices) ? extras.quiz.feedback : undefined;
    view.quiz = quizView(step.quiz, submitted, feedback, md, links, renderOptions);
  }
  if (extras.serviceLabel !== undefined) view.service = { label: extras.serviceLabel };
  // A step that has not passed, with the lab's own container of its --name in the way: say so, and how to get out.
  if (extras.leftovers !== undefined && extras.leftovers.length > 0 && shown.status !== 'passed') {
    view.leftover = { names: [...extras.leftovers], reason: leftoverReason(extras.leftovers) };
  }
  return { view, links };
}

/**
 * The summary page of a lab (after Next on its last step): its steps' statuses, the time from
 * the first step opened to the last one passed, what it left behind, the next lab.
 * `leftovers`: names from the lab's clean-up plan (undefined when it was not looked up).
 */
export function buildLabSummary(session: LabSession, labId: string, leftovers: string[] | undefined): LabSummaryView | undefined {
  const lab = session.getLab(labId);
  const last = lab?.steps[lab.steps.length - 1];
  if (!lab || !last) return undefined;
  const states = lab.steps.map((s) => ({ step: s, state: session.getState({ labId, stepId: s.id }) }));
  const progress = session.getProgress(labId);
  const summary: LabSummaryView = {
    labId,
    labTitle: lab.title,
    passed: progress.passed,
    total: progress.total,
    read: progress.read,
    unchecked: progress.unchecked,
    steps: states.map(({ step, state }) => ({ stepId: step.id, title: step.title, status: state.status })),
    canRun: session.canRun(labId),
  };
  const opened = states.flatMap(({ state }) => (state.openedAt === undefined ? [] : [state.openedAt]));
  const passedAt = states.flatMap(({ state }) => (state.passedAt === undefined ? [] : [state.passedAt]));
  if (opened.length > 0 && passedAt.length > 0) {
    const ms = Math.max(...passedAt) - Math.min(...opened);
    if (ms >= 0) summary.minutes = Math.max(1, Math.round(ms / 60_000));
  }
  if (leftovers !== undefined) summary.leftovers = [...leftovers];
  const next = session.next({ labId, stepId: last.id });
  const nextLab = next && next.labId !== labId ? session.getLab(next.labId) : undefined;
  if (nextLab) summary.nextLab = { labId: nextLab.id, title: nextLab.title };
  return summary;
}

/** A reason without the check's own "cannot check: " in front (src/core/checks/evaluate.ts says it so). */
function withoutCannotCheck(reason: string | undefined): string | undefined {
  const prefix = l10n.t('cannot check: {0}', '');
  return reason?.startsWith(prefix) === true ? reason.slice(prefix.length) : reason;
}
