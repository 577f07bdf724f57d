/**
 * The walkthrough page. It draws the view model the extension sends and asks the extension
 * to act (run, copy, check, ...) by message. It never runs or sends command text: commands
 * are named by index. HTML from the extension (instructions, hints, solution, quiz) was
 * rendered and made safe there; everything else is built with DOM calls and textContent.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import './style.css';
import * as l10n from '@vscode/l10n';
import type { CheckView, CommandView, HostMessage, LabSummaryView, QuizView, StepView, WalkthroughState, WebviewMessage } from '../src/webview/protocol';
import { ANNOUNCE_DELAY_MS, type Announcement, announcementFor, resultKey } from '../src/webview/announce';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: WalkthroughState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

// The page's strings in VS Code's display language: the extension puts its l10n bundle in the
// page (<meta name="container-labs-l10n">); without one (English) l10n.t gives the string itself.
const bundle = document.querySelector('meta[name="container-labs-l10n"]')?.getAttribute('content');
if (bundle !== null && bundle !== undefined && bundle !== '') l10n.config({ contents: bundle });

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage): void => vscode.postMessage(message);

// ---------------------------------------------------------------------------------------------
// DOM helpers
// ---------------------------------------------------------------------------------------------

type Attrs = Record<string, string | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) el.append(child);
  return el;
}

/** Puts HTML that the extension rendered and made safe (markdown-it, raw HTML escaped). */
function trustedHtml(el: HTMLElement, html: string): HTMLElement {
  el.innerHTML = html;
  return el;
}

function button(label: string, testId: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; ariaLabel?: string } = {}): HTMLElement {
  const el = h('vscode-button', {
    'data-testid': testId,
    secondary: opts.secondary === true,
    disabled: opts.disabled === true,
    'aria-label': opts.ariaLabel,
  }, label);
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) onClick();
  });
  return el;
}

function section(id: string, title: string, hiddenTitle = false): { root: HTMLElement; body: HTMLElement } {
  const headingId = `${id}-heading`;
  const body = h('div', { class: 'section-body' });
  const root = h('section', { id, 'aria-labelledby': headingId }, h('h2', { id: headingId, class: hiddenTitle ? 'visually-hidden' : undefined }, title), body);
  return { root, body };
}

// ---------------------------------------------------------------------------------------------
// The page skeleton: built once, so live regions exist before their content changes
// ---------------------------------------------------------------------------------------------

const app = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));

const labTitle = h('p', { class: 'lab-title' });
const stepTitle = h('h1', { tabindex: '-1' });
const stepCount = h('p', { class: 'step-count' });
const progress = h('progress', { class: 'lab-progress', max: '1', value: '0' });
const trustNote = h(
  'p',
  { class: 'trust-note', hidden: true, 'data-testid': 'trust-note' },
  l10n.t('This lab comes from a workspace you have not trusted: in Restricted Mode it shows its text only, and its checks and commands do not run.'),
  ' ',
  button(l10n.t('Manage Workspace Trust'), 'manage-trust', () => post({ type: 'manageTrust' }), { secondary: true }),
);
const header = h('header', {}, labTitle, stepTitle, stepCount, progress, trustNote);

const instructions = section('instructions', l10n.t('Instructions'), true);
const commands = section('commands', l10n.t('Commands'));
const quiz = section('quiz', l10n.t('Quiz'));
const check = section('check', l10n.t('Check'));
// Not a live region itself: the announcer below says one sentence per change of the result.
const checkStatus = h('div', { id: 'check-status', 'data-testid': 'check-status' });
const checkActions = h('div', { class: 'actions' });
check.body.append(checkStatus, checkActions);
const hints = section('hints', l10n.t('Hints'));
const solution = section('solution', l10n.t('Solution'));
const nav = h('nav', { 'aria-label': l10n.t('Step navigation'), class: 'step-nav' });
const notice = h('div', { id: 'notice', role: 'status', 'aria-live': 'polite', class: 'notice' });
/** The step's result, one short sentence at a time: polite for good news, assertive for failures and a lost engine. */
const announcePolite = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'announce-polite' });
const announceUrgent = h('div', { class: 'visually-hidden', role: 'alert', 'aria-live': 'assertive', 'aria-atomic': 'true', 'data-testid': 'announce-assertive' });

/** Puts the skeleton in place (again, after an `empty` message replaced it). */
function mountSkeleton(): void {
  if (app.contains(header)) return;
  app.replaceChildren(header, instructions.root, commands.root, quiz.root, check.root, hints.root, solution.root, nav, notice, announcePolite, announceUrgent);
  app.removeAttribute('aria-busy');
}
mountSkeleton();

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

let view: StepView | undefined;
/** The summary page was shown: the step drawn next takes the focus like any new step. */
let leftSummary = false;
/** What each part was last drawn from, so unchanged parts keep their DOM (and focus). */
const drawn = new Map<string, string>();
let focusNewHint = false;
/** Submit was pressed: the feedback that comes back takes the focus. */
let focusFeedback = false;

function changed(part: string, data: unknown): boolean {
  const key = JSON.stringify(data);
  if (drawn.get(part) === key) return false;
  drawn.set(part, key);
  return true;
}

function commandBlock(cmd: CommandView, index: number, v: StepView, solutionCommand: boolean): HTMLElement {
  const prefix = solutionCommand ? 'solution-' : '';
  const n = index + 1;
  // The name of this command in the accessible names of its buttons: the visible label of each
  // button comes first, so a voice user saying "click Run in terminal" reaches it (WCAG 2.5.3).
  const what = cmd.label ?? (solutionCommand ? l10n.t('solution command {0}', n) : l10n.t('command {0}', n));
  const groupName = cmd.label ?? (solutionCommand ? l10n.t('Solution command {0}', n) : l10n.t('Command {0}', n));
  const address = { labId: v.labId, stepId: v.stepId, index };
  const extra = solutionCommand ? { solution: true } : {};
  const head = h('div', { class: 'command-head' }, h('span', { class: 'command-label' }, groupName));
  if (cmd.destructive) head.append(h('vscode-badge', { class: 'destructive', 'data-testid': `destructive-${prefix}${index}` }, l10n.t('destructive')));
  if (cmd.interactive) head.append(h('vscode-badge', { class: 'interactive' }, l10n.t('interactive')));
  const actions = h(
    'div',
    { class: 'actions' },
    button(l10n.t('Run in terminal'), `run-${prefix}${index}`, () => post({ type: 'run', ...address, ...extra }), {
      disabled: !v.canRun,
      ariaLabel: cmd.destructive ? l10n.t('Run in terminal: {0} (destructive, asks first)', what) : l10n.t('Run in terminal: {0}', what),
    }),
    button(l10n.t('Copy'), `copy-${prefix}${index}`, () => post({ type: 'copy', ...address, ...extra }), { secondary: true, ariaLabel: l10n.t('Copy {0}', what) }),
  );
  if (cmd.foreground) {
    actions.append(
      button(l10n.t('Stop (Ctrl+C)'), `stop-${prefix}${index}`, () => post({ type: 'interrupt' }), {
        secondary: true,
        ariaLabel: l10n.t('Stop (Ctrl+C): {0}', what),
      }),
    );
  }
  const block = h('div', { class: 'command', role: 'group', 'aria-label': groupName }, head, h('pre', {}, h('code', {}, cmd.text)), actions);
  if (cmd.interactive) block.append(h('p', { class: 'note' }, l10n.t('This command waits for your typing in the terminal.')));
  return block;
}

const STATUS_TEXT: Record<CheckView['status'], string> = {
  'not-started': l10n.t('Not checked yet'),
  current: l10n.t('Not done yet'),
  passed: l10n.t('Passed'),
  failed: l10n.t('Not yet'),
  error: l10n.t('Cannot check'),
};

const STATUS_ICON: Record<CheckView['status'], string> = {
  'not-started': '○',
  current: '○',
  passed: '✓',
  failed: '✗',
  error: '⚠',
};

function drawHeader(v: StepView): void {
  labTitle.textContent = v.labTitle;
  stepTitle.textContent = v.stepTitle;
  // Steps without a check are read, not passed: counted apart.
  stepCount.textContent = v.read > 0 ? l10n.t('Step {0} of {1} · {2} passed · {3} read', v.stepIndex + 1, v.stepCount, v.passed, v.read) : l10n.t('Step {0} of {1} · {2} passed', v.stepIndex + 1, v.stepCount, v.passed);
  progress.max = Math.max(1, v.stepCount);
  progress.value = v.passed + v.read;
  progress.setAttribute('aria-label', l10n.t('Lab progress: {0} of {1} steps done', v.passed + v.read, v.stepCount));
  trustNote.hidden = v.canRun;
}

function drawCommands(v: StepView): void {
  commands.root.hidden = v.commands.length === 0;
  commands.body.replaceChildren(...v.commands.map((c, i) => commandBlock(c, i, v, false)));
}

function drawCheck(v: StepView): void {
  const c = v.check;
  checkStatus.dataset.status = c.status;
  const parts: Array<Node | string> = [];
  if (!v.hasCheck && v.quiz === undefined) {
    parts.push(h('span', { class: 'reason' }, l10n.t('This step has no automatic check; go on when you are ready.')));
  } else {
    parts.push(h('span', { class: 'status-icon', 'aria-hidden': 'true' }, STATUS_ICON[c.status]), ' ', h('strong', { class: 'status-text' }, c.progress ?? STATUS_TEXT[c.status]));
    if (c.reason !== undefined) parts.push(': ', h('span', { class: 'reason' }, c.reason));
    if (c.checking) parts.push(' ', h('span', { class: 'checking' }, l10n.t('(checking…)')));
    if (v.leftover !== undefined) parts.push(h('p', { class: 'reason leftover', 'data-testid': 'leftover' }, v.leftover.reason));
    if (c.parts.length > 0) {
      parts.push(
        h('ul', { class: 'parts' }, ...c.parts.map((p) => h('li', { 'data-status': p.status }, h('span', { class: 'status-icon', 'aria-hidden': 'true' }, STATUS_ICON[p.status]), ' ', h('span', { class: 'visually-hidden' }, `${STATUS_TEXT[p.status]}: `), p.reason))),
      );
    }
  }
  checkStatus.replaceChildren(...parts);
}

function drawCheckActions(v: StepView): void {
  const items: HTMLElement[] = [];
  if (v.hasCheck) {
    items.push(button(v.check.checking ? l10n.t('Checking…') : l10n.t('Check now'), 'check-now', () => post({ type: 'check', labId: v.labId, stepId: v.stepId }), { disabled: v.check.checking || !v.canRun }));
  }
  if (v.leftover !== undefined) {
    const names = v.leftover.names.join(', ');
    items.push(button(l10n.t('Remove it and run again'), 'remove-leftovers', () => post({ type: 'removeLeftovers', labId: v.labId, stepId: v.stepId }), { ariaLabel: l10n.t('Remove it and run again: {0} (asks first), then run the command again', names) }));
  }
  if (v.stopsServer) {
    items.push(button(l10n.t('Stop the server (Ctrl+C)'), 'stop-server', () => post({ type: 'interrupt' }), { secondary: true, ariaLabel: l10n.t('Stop the server (Ctrl+C): send Ctrl+C to the terminal where it runs') }));
  }
  if (v.service !== undefined) {
    const label = v.service.label;
    items.push(button(l10n.t('Open {0}', label), 'open-service', () => post({ type: 'openService', labId: v.labId, stepId: v.stepId }), { secondary: true, ariaLabel: l10n.t('Open {0} in the browser', label) }));
  }
  checkActions.replaceChildren(...items);
  check.root.hidden = !v.hasCheck && v.quiz === undefined && v.service === undefined && !v.stopsServer;
}

function drawQuiz(v: StepView): void {
  const q: QuizView | undefined = v.quiz;
  quiz.root.hidden = q === undefined;
  if (q === undefined) {
    quiz.body.replaceChildren();
    return;
  }
  const questionId = 'quiz-question';
  const question = trustedHtml(h('div', { id: questionId, class: 'markdown question' }), q.questionHtml);
  const submitted = new Set(q.submitted ?? []);
  let choices: HTMLElement;
  if (q.multiple) {
    choices = h('div', { role: 'group', 'aria-labelledby': questionId, class: 'choices' });
    q.choices.forEach((text, i) => choices.append(h('vscode-checkbox', { value: String(i), label: text, checked: submitted.has(i), 'data-testid': `quiz-choice-${i}` })));
    choices.prepend(h('p', { class: 'note' }, l10n.t('Pick all that apply.')));
  } else {
    choices = h('vscode-radio-group', { variant: 'vertical', 'aria-labelledby': questionId, class: 'choices' });
    q.choices.forEach((text, i) => choices.append(h('vscode-radio', { name: 'quiz', value: String(i), label: text, checked: submitted.has(i), 'data-testid': `quiz-choice-${i}` })));
  }
  const submit = button(l10n.t('Submit answer'), 'quiz-submit', () => {
    const picked: number[] = [];
    choices.querySelectorAll<HTMLElement & { checked: boolean; value: string }>('vscode-checkbox, vscode-radio').forEach((el) => {
      if (el.checked) picked.push(Number(el.value));
    });
    if (picked.length === 0) {
      showNotice(l10n.t('Choose an answer first.'));
      return;
    }
    focusFeedback = true;
    post({ type: 'quiz', labId: v.labId, stepId: v.stepId, choices: picked });
  });
  // The verdict is announced by the announcer; the explanation is read from here (focus moves to it after Submit).
  const feedback = h('div', { class: 'quiz-feedback', tabindex: '-1', 'data-testid': 'quiz-feedback' });
  if (q.feedback !== undefined) {
    feedback.dataset.correct = String(q.feedback.correct);
    feedback.append(
      h('strong', {}, h('span', { class: 'status-icon', 'aria-hidden': 'true' }, q.feedback.correct ? '✓' : '✗'), ' ', q.feedback.correct ? l10n.t('Correct.') : l10n.t('Not quite.')),
      trustedHtml(h('div', { class: 'markdown' }), q.feedback.explanationHtml),
    );
  } else {
    feedback.hidden = true;
  }
  quiz.body.replaceChildren(question, choices, h('div', { class: 'actions' }, submit), feedback);
  if (focusFeedback && q.feedback !== undefined) {
    focusFeedback = false;
    feedback.focus();
  }
}

function drawHints(v: StepView): void {
  hints.root.hidden = v.hintCount === 0;
  const list = h('ol', { class: 'hint-list' }, ...v.hints.map((html, i) => trustedHtml(h('li', { tabindex: '-1', 'data-testid': `hint-${i}`, class: 'markdown' }), html)));
  const remaining = v.hintCount - v.hints.length;
  const items: HTMLElement[] = [list];
  if (remaining > 0) {
    const label = v.hints.length === 0 ? l10n.t('Show a hint ({0} available)', v.hintCount) : l10n.t('Show the next hint ({0} left)', remaining);
    items.push(h('div', { class: 'actions' }, button(label, 'hint', () => {
      focusNewHint = true;
      post({ type: 'hint', labId: v.labId, stepId: v.stepId });
    }, { secondary: true })));
  }
  hints.body.replaceChildren(...items);
  if (focusNewHint && v.hints.length > 0) {
    focusNewHint = false;
    const newest = list.lastElementChild;
    if (newest instanceof HTMLElement) newest.focus();
  }
}

function drawSolution(v: StepView): void {
  const s = v.solution;
  solution.root.hidden = !s.available;
  if (!s.available) {
    solution.body.replaceChildren();
    return;
  }
  if (!s.shown) {
    solution.body.replaceChildren(
      h('p', { class: 'note' }, l10n.t('Try the hints first. You will be asked to confirm.')),
      h('div', { class: 'actions' }, button(l10n.t('Show the solution…'), 'solution', () => post({ type: 'solution', labId: v.labId, stepId: v.stepId }), { secondary: true })),
    );
    return;
  }
  const content: HTMLElement[] = [];
  if (s.html !== undefined) content.push(trustedHtml(h('div', { class: 'markdown', tabindex: '-1', 'data-testid': 'solution-text' }), s.html));
  content.push(...s.commands.map((c, i) => commandBlock(c, i, v, true)));
  solution.body.replaceChildren(...content);
}

function drawNav(v: StepView): void {
  nav.replaceChildren(
    button(l10n.t('Previous'), 'prev', () => post({ type: 'navigate', direction: 'previous' }), { secondary: true, disabled: !v.hasPrevious, ariaLabel: l10n.t('Previous step') }),
    v.lastOfLab
      ? button(l10n.t('Finish the lab'), 'next', () => post({ type: 'navigate', direction: 'next' }), { secondary: v.check.status !== 'passed', ariaLabel: l10n.t('Finish the lab: see how it went and what to do next') })
      : button(l10n.t('Next'), 'next', () => post({ type: 'navigate', direction: 'next' }), { secondary: v.check.status !== 'passed', disabled: !v.hasNext, ariaLabel: l10n.t('Next step') }),
  );
}

/** The page after a lab's last step: how it went, and what to do now. Built whole each time (it changes rarely). */
function drawSummary(s: LabSummaryView): void {
  // The host sends the summary again after every engine event: the same one is not drawn again,
  // and a changed one (what the lab left) keeps the keyboard where it was.
  const redraw = view === undefined && leftSummary;
  if (redraw && !changed('summary', s)) return;
  const focusedId = redraw ? focusedTestId() : undefined;
  view = undefined;
  leftSummary = true;
  resetAnnouncer(undefined);
  drawn.clear();
  changed('summary', s);
  const complete = s.passed === s.total && s.read === s.unchecked;
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'summary-heading' }, complete ? l10n.t('Lab complete') : l10n.t('End of the lab'));
  const facts = h(
    'p',
    { 'data-testid': 'summary-counts' },
    s.unchecked > 0 ? l10n.t('{0} of {1} checked steps passed · {2} of {3} other steps read', s.passed, s.total, s.read, s.unchecked) : l10n.t('{0} of {1} steps passed', s.passed, s.total),
  );
  if (s.minutes !== undefined) facts.append(' · ', s.minutes === 1 ? l10n.t('about 1 minute') : l10n.t('about {0} minutes', s.minutes));
  const parts: HTMLElement[] = [h('p', { class: 'lab-title' }, s.labTitle), heading, facts];

  const open = s.steps.filter((step) => step.status !== 'passed');
  if (open.length > 0) {
    const list = section('summary-open', l10n.t('Steps not done yet'));
    list.body.append(
      h('ul', { class: 'summary-steps' }, ...open.map((step) => h('li', {}, h('span', {}, step.title, ' '), button(l10n.t('Go to step'), `summary-step-${step.stepId}`, () => post({ type: 'summary', action: 'step', stepId: step.stepId }), { secondary: true, ariaLabel: l10n.t('Go to step: {0}', step.title) })))),
    );
    parts.push(list.root);
  }

  const cleanup = section('summary-cleanup', l10n.t('Clean up'));
  if (!s.canRun) cleanup.body.append(h('p', {}, l10n.t('This lab comes from a workspace you have not trusted: it ran nothing, so there is nothing to clean up.')));
  else if (s.leftovers === undefined) cleanup.body.append(h('p', {}, l10n.t('What this lab left could not be looked up (is the engine running?).')));
  else if (s.leftovers.length === 0) cleanup.body.append(h('p', { 'data-testid': 'summary-nothing-left' }, l10n.t('Nothing this lab created is left on the engine.')));
  else {
    cleanup.body.append(
      h('p', { 'data-testid': 'summary-leftovers' }, l10n.t('Still there from this lab: {0}', s.leftovers.join(', '))),
      h('div', { class: 'actions' }, button(l10n.t('Clean up this lab'), 'summary-cleanup-button', () => post({ type: 'summary', action: 'cleanup' }), { ariaLabel: l10n.t('Clean up this lab: remove what it created (asks first)') })),
    );
  }
  parts.push(cleanup.root);

  const nextActions = h(
    'div',
    { class: 'actions' },
    button(l10n.t('Export progress report'), 'summary-export', () => post({ type: 'summary', action: 'export' }), { secondary: true }),
    button(l10n.t('Back to the last step'), 'summary-back', () => post({ type: 'summary', action: 'back' }), { secondary: true }),
  );
  if (s.nextLab !== undefined) {
    const title = s.nextLab.title;
    nextActions.prepend(button(l10n.t('Next lab: {0}', title), 'summary-next-lab', () => post({ type: 'summary', action: 'nextLab' })));
  }
  const after = section('summary-next', l10n.t('What next'));
  if (s.nextLab === undefined) after.body.append(h('p', {}, l10n.t('No lab comes after this one.')));
  after.body.append(nextActions);
  parts.push(after.root);

  app.replaceChildren(h('div', { class: 'summary', 'data-testid': 'summary' }, ...parts), notice, announcePolite, announceUrgent);
  if (redraw) {
    refocus(focusedId, heading);
    return;
  }
  if (document.hasFocus()) heading.focus();
  window.scrollTo(0, 0);
  // Announced once: where the student is now.
  announcePolite.textContent = `${heading.textContent ?? ''}. ${facts.textContent ?? ''}`;
}

function draw(v: StepView): void {
  mountSkeleton();
  const previous = view;
  view = v;
  const newStep = previous === undefined || previous.labId !== v.labId || previous.stepId !== v.stepId;
  if (newStep) drawn.clear();
  // Keep the focus on the same control when a part is redrawn.
  const focusedId = focusedTestId();

  if (changed('header', [v.labTitle, v.stepTitle, v.stepIndex, v.stepCount, v.passed, v.read, v.canRun])) drawHeader(v);
  if (changed('instructions', v.instructionsHtml)) trustedHtml(instructions.body, v.instructionsHtml).classList.add('markdown');
  if (changed('commands', [v.commands, v.canRun])) drawCommands(v);
  if (changed('quiz', v.quiz ?? null)) drawQuiz(v);
  // Each part's key holds everything its draw function reads (a leftover alone changing must redraw both).
  if (changed('check', [v.check, v.hasCheck, v.quiz !== undefined, v.leftover ?? null])) drawCheck(v);
  if (changed('check-actions', [v.hasCheck, v.check.checking, v.service ?? null, v.quiz !== undefined, v.canRun, v.leftover ?? null, v.stopsServer ?? null])) drawCheckActions(v);
  if (changed('hints', [v.hints, v.hintCount])) drawHints(v);
  if (changed('solution', [v.solution, v.canRun])) drawSolution(v);
  if (changed('nav', [v.hasPrevious, v.hasNext, v.check.status === 'passed', v.lastOfLab])) drawNav(v);

  vscode.setState({ labId: v.labId, stepId: v.stepId });
  if (newStep) resetAnnouncer(v);
  else scheduleAnnouncement();
  if (newStep) {
    if (previous !== undefined || leftSummary) stepTitle.focus();
    leftSummary = false;
    window.scrollTo(0, 0);
  } else {
    refocus(focusedId);
  }
}

/** The `data-testid` of the control that has the focus, if any. */
function focusedTestId(): string | undefined {
  const active = document.activeElement;
  return active instanceof HTMLElement ? active.dataset.testid : undefined;
}

/**
 * After a redraw: the focused control was replaced (and nothing else took the focus on
 * purpose), so its new copy gets the focus, or `fallback` when it is gone. Only while the page
 * has the focus: a redraw the engine caused (a container started, a check passed) must never
 * take the keyboard from the editor, the tree or an open quick pick, which closes when it loses it.
 */
function refocus(focusedId: string | undefined, fallback?: HTMLElement): void {
  if (focusedId === undefined || !document.hasFocus()) return;
  if (document.activeElement !== null && document.activeElement !== document.body) return;
  (document.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusedId)}"]`) ?? fallback)?.focus();
}

// ---------------------------------------------------------------------------------------------
// Announcements: one sentence per change of the step's result, after a short pause
// ---------------------------------------------------------------------------------------------

/** The result last announced (or found when the step was shown). */
let announcedKey: string | undefined;
let announceTimer: ReturnType<typeof setTimeout> | undefined;

/** A new step: its result is on the page (and its title takes the focus), nothing to announce. */
function resetAnnouncer(v: StepView | undefined): void {
  if (announceTimer !== undefined) clearTimeout(announceTimer);
  announceTimer = undefined;
  announcedKey = v === undefined ? undefined : resultKey(v);
}

/** Speaks the result of the step shown once the results stop changing for a moment. */
function scheduleAnnouncement(): void {
  if (announceTimer !== undefined) clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    announceTimer = undefined;
    if (view === undefined) return;
    const said: Announcement | undefined = announcementFor(announcedKey, view);
    announcedKey = resultKey(view);
    if (said === undefined) return;
    const [region, other] = said.urgent ? [announceUrgent, announcePolite] : [announcePolite, announceUrgent];
    other.textContent = '';
    region.textContent = said.text;
  }, ANNOUNCE_DELAY_MS);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function showNotice(text: string, kind = 'info'): void {
  notice.dataset.kind = kind;
  notice.textContent = text;
  if (noticeTimer !== undefined) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    notice.textContent = '';
  }, 6000);
}

// ---------------------------------------------------------------------------------------------
// Messages and links
// ---------------------------------------------------------------------------------------------

function isHostMessage(data: unknown): data is HostMessage {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case 'view':
      draw(message.view);
      break;
    case 'summary':
      drawSummary(message.summary);
      break;
    case 'notice':
      showNotice(message.text, message.kind);
      break;
    case 'empty':
      view = undefined;
      resetAnnouncer(undefined);
      drawn.clear();
      app.replaceChildren(h('p', { class: 'empty' }, message.text));
      break;
  }
});

/**
 * Links open through the extension (which checks them) instead of the webview's own
 * navigation. Listening on window in the capture phase runs before VS Code's own handler.
 */
function onLinkActivation(event: MouseEvent): void {
  if (event.type === 'auxclick' && event.button !== 1) return;
  const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
  if (anchor === undefined) return;
  event.preventDefault();
  event.stopPropagation();
  const href = anchor.getAttribute('href');
  if (href !== null && href !== '') post({ type: 'openLink', href });
}
window.addEventListener('click', onLinkActivation, true);
window.addEventListener('auxclick', onLinkActivation, true);

post({ type: 'ready' });
