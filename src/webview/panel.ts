/**
 * The walkthrough panel: one webview beside the editor that shows the current step of a lab
 * and turns the page's validated requests into calls on the lab session.
 *
 * The page is untrusted. Every message goes through `parseWebviewMessage`, must name the step
 * the panel shows, and names commands by index only; anything else is ignored and logged.
 */
import * as vscode from 'vscode';
import type { LabSession, QuizFeedback, StepRef } from '../session/types';
import { makeNonce, renderShellHtml } from './html';
import { MarkdownRenderer } from './markdown';
import { WALKTHROUGH_VIEW_TYPE, type HostMessage, type LabSummaryView, type NoticeKind, type StepView, type SummaryAction, type WalkthroughState, type WebviewMessage } from './protocol';
import { parseWebviewMessage } from './validate';
import { buildLabSummary, buildStepView } from './viewModel';
import { Commands } from '../common/commands';
import { openServiceLink } from '../session/openService';
import { offersStop } from '../core/runtime/steps';
import { errorMessage, inert } from '../core/text';
import { runDetached } from '../core/events';
import { logFailure } from '../common/logger';

export interface WalkthroughDeps {
  session: LabSession;
  logger: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** How often a visible page looks for its service when nothing else changed (default SERVICE_POLL_MS; tests turn it off to see what the engine's events do alone). */
  servicePollMs?: number;
}

/** What `handleMessage` did with a message (tests assert on it). */
export type MessageOutcome = 'handled' | 'refused' | 'failed';

const TAG = '[walkthrough]';

/** What the page says when a workspace lab in Restricted Mode is asked to act. */
const RESTRICTED_NOTICE = 'Not done: this lab comes from a workspace you have not trusted, and in Restricted Mode its checks and commands do not run.';

/**
 * Updates of the page are at least this far apart: the first change after a quiet moment is
 * drawn at once (a step that just passed shows without a wait), a burst right after it is
 * gathered into one more update.
 */
const UPDATE_DELAY_MS = 25;
/** Looking for a Jupyter/RStudio container costs engine calls: at most this often. */
const SERVICE_LOOKUP_INTERVAL_MS = 2000;
/** While the page is visible, look for a service this often even when nothing else changed (a token appears in the logs late). */
const SERVICE_POLL_MS = 3000;
/** A container started or stopped: the Open button follows after this (a burst of events is one lookup). */
const CONTAINER_CHANGE_DELAY_MS = 100;

function sameRef(a: StepRef | undefined, b: StepRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.labId === b.labId && a.stepId === b.stepId;
}

/** Options every walkthrough webview gets: scripts on, and only the built assets loadable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export class WalkthroughPanel implements vscode.Disposable {
  /** Opens a new panel beside the editor. */
  static create(deps: WalkthroughDeps, ref: StepRef): WalkthroughPanel {
    const panel = vscode.window.createWebviewPanel(
      WALKTHROUGH_VIEW_TYPE,
      vscode.l10n.t('Lab walkthrough'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { ...webviewOptions(deps.extensionUri), retainContextWhenHidden: false, enableFindWidget: true },
    );
    return new WalkthroughPanel(panel, deps, ref);
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly markdown = new MarkdownRenderer();
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  private readonly onDidPostEmitter = new vscode.EventEmitter<HostMessage>();
  /** Fires when the panel closes. */
  readonly onDidDispose = this.onDidDisposeEmitter.event;
  /** Fires with every message posted to the page (tests watch it). */
  readonly onDidPost = this.onDidPostEmitter.event;

  private current: StepRef;
  private pageReady = false;
  private disposed = false;
  private checking = false;
  private links = new Set<string>();
  private quiz: { ref: StepRef; choices: number[]; feedback: QuizFeedback } | undefined;
  private service: { ref: StepRef; label: string } | undefined;
  /** The lab's own containers from an earlier try in the way of the step's command (looked up with the service). */
  private leftovers: { ref: StepRef; names: string[] } | undefined;
  private serviceLookedUpAt = 0;
  private containersTimer: ReturnType<typeof setTimeout> | undefined;
  /** The lab whose summary the page shows (after Next on its last step), and what it left behind. */
  private summary: { labId: string; leftovers: string[] | undefined } | undefined;
  private lastSummarySent: LabSummaryView | undefined;
  private serviceLookup: Promise<void> | undefined;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the page was last updated from a session change (performance.now()). */
  private updatedAt = -Infinity;
  private readyWaiters: Array<() => void> = [];
  private lastViewSent: StepView | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: WalkthroughDeps,
    ref: StepRef,
  ) {
    this.current = { labId: ref.labId, stepId: ref.stepId };
    const webview = panel.webview;
    webview.options = webviewOptions(deps.extensionUri);
    const iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    panel.iconPath = iconPath;
    this.disposables.push(
      this.onDidDisposeEmitter,
      this.onDidPostEmitter,
      webview.onDidReceiveMessage((raw: unknown) => runDetached(this.handleMessage(raw), logFailure(deps.logger, `${TAG} handling a message`))),
      panel.onDidChangeViewState((e) => {
        // Without retainContextWhenHidden the page is torn down when hidden and loads again
        // (and says `ready` again) when shown.
        if (!e.webviewPanel.visible) this.pageReady = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      deps.session.onDidChange(() => this.onSessionChange()),
      deps.session.onDidChangeContainers(() => this.onContainersChange()),
    );
    const poll = setInterval(() => runDetached(this.pollService(false), logFailure(deps.logger, `${TAG} looking for the step's service`)), deps.servicePollMs ?? SERVICE_POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(poll) }, { dispose: () => clearTimeout(this.containersTimer) });
    this.setHtml();
    this.updateTitle();
  }

  /** A container started, stopped or went: the Open button (and the leftovers) are looked up again at once. */
  private onContainersChange(): void {
    if (this.disposed || this.containersTimer !== undefined) return;
    this.containersTimer = setTimeout(() => {
      this.containersTimer = undefined;
      // The summary's "still there" list follows the engine too.
      const work = this.summary !== undefined ? this.showSummary(this.summary.labId) : this.pollService(true);
      runDetached(work, logFailure(this.deps.logger, `${TAG} looking for the step's service`));
    }, CONTAINER_CHANGE_DELAY_MS);
  }

  /** Redraws when a service of the step appeared or went away since the last lookup. */
  private async pollService(force: boolean): Promise<void> {
    if (this.disposed || !this.pageReady || !this.panel.visible) return;
    const ref = this.ref;
    const shown = (): string => JSON.stringify([sameRef(this.service?.ref, ref) ? this.service?.label : undefined, sameRef(this.leftovers?.ref, ref) ? this.leftovers?.names : undefined]);
    const before = shown();
    // A lookup already under way may have started before the change: wait for it, then look again.
    if (force && this.serviceLookup !== undefined) await this.serviceLookup;
    await this.refreshService(force);
    const after = shown();
    if (before !== after && sameRef(ref, this.current)) this.postView();
  }

  /** The step the panel shows. */
  get ref(): StepRef {
    return { ...this.current };
  }

  /** The HTML of the page shell (tests check its CSP). */
  get html(): string {
    return this.panel.webview.html;
  }

  /** The page has loaded and said `ready`. */
  get isReady(): boolean {
    return this.pageReady;
  }

  /** The last view model sent to the page. */
  get lastView(): StepView | undefined {
    return this.lastViewSent;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Resolves when the page has loaded and said `ready` (or after `timeoutMs`, rejecting). */
  whenReady(timeoutMs = 20000): Promise<void> {
    if (this.pageReady) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the walkthrough page did not say ready within ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside);
  }

  /** Shows a step: makes it the session's current step and redraws. */
  async show(ref: StepRef): Promise<void> {
    if (this.deps.session.getStep(ref) === undefined) {
      this.deps.logger.warn(`${TAG} cannot show ${ref.labId}/${ref.stepId}: no such step`);
      return;
    }
    const changed = !sameRef(ref, this.current);
    this.summary = undefined;
    this.current = { labId: ref.labId, stepId: ref.stepId };
    if (changed) {
      this.checking = false;
      this.serviceLookedUpAt = 0;
    }
    this.updateTitle();
    await this.deps.session.openStep(this.current);
    await this.refreshService(true);
    this.postView();
  }

  /**
   * Handles one message as the page would send it. Public so tests in the extension host can
   * deliver forged messages exactly the way the webview's channel does.
   */
  async handleMessage(raw: unknown): Promise<MessageOutcome> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) return this.refuse(parsed.reason);
    const message = parsed.message;
    if ('labId' in message && !sameRef(message, this.current)) {
      return this.refuse(
        `${message.type}: names ${message.labId}/${message.stepId} but the panel shows ${this.current.labId}/${this.current.stepId}`,
      );
    }
    try {
      return await this.dispatch(message);
    } catch (err) {
      this.deps.logger.error(`${TAG} ${message.type} failed: ${errorMessage(err)}`);
      this.notice('error', vscode.l10n.t('Could not complete that: {0}', errorMessage(err)));
      return 'failed';
    }
  }

  private refuse(reason: string): MessageOutcome {
    this.deps.logger.warn(`${TAG} ignored a message from the webview: ${reason}`);
    return 'refused';
  }

  private async dispatch(message: WebviewMessage): Promise<MessageOutcome> {
    const session = this.deps.session;
    const ref = this.ref;
    switch (message.type) {
      case 'ready':
        this.pageReady = true;
        await this.refreshService(false);
        this.postView();
        for (const waiter of this.readyWaiters.splice(0)) waiter();
        return 'handled';

      case 'run': {
        const opts = message.solution === true ? { solution: true } : undefined;
        if (opts !== undefined && !session.getState(ref).solutionShown) return this.refuse('run: the solution has not been revealed');
        if (session.commandText(ref, message.index, opts) === undefined) return this.refuse(`run: the step has no command ${message.index}`);
        if (!session.canRun(ref.labId)) {
          this.notice('warning', RESTRICTED_NOTICE);
          return 'handled';
        }
        const ran = await session.runCommand(ref, message.index, opts);
        if (!ran) this.notice('info', vscode.l10n.t('The command was not run.'));
        return 'handled';
      }

      case 'copy': {
        const opts = message.solution === true ? { solution: true } : undefined;
        if (opts !== undefined && !session.getState(ref).solutionShown) return this.refuse('copy: the solution has not been revealed');
        const text = session.commandText(ref, message.index, opts);
        if (text === undefined) return this.refuse(`copy: the step has no command ${message.index}`);
        await vscode.env.clipboard.writeText(text);
        this.notice('info', vscode.l10n.t('Copied the command to the clipboard.'));
        return 'handled';
      }

      case 'check':
        // Restricted Mode: nothing is checked (the runtime refuses too); say why.
        if (!session.canRun(ref.labId)) {
          this.notice('warning', RESTRICTED_NOTICE);
          return 'handled';
        }
        this.checking = true;
        this.postView();
        try {
          await session.checkNow(ref);
        } finally {
          this.checking = false;
          this.postView();
        }
        return 'handled';

      case 'hint': {
        const step = session.getStep(ref);
        if (step === undefined || session.getState(ref).hintsShown >= step.hints.length) return this.refuse('hint: no more hints');
        session.revealHint(ref);
        this.postView();
        return 'handled';
      }

      case 'solution':
        if (session.getStep(ref)?.solution === undefined) return this.refuse('solution: the step has no solution');
        await session.revealSolution(ref);
        this.postView();
        return 'handled';

      case 'quiz': {
        const quiz = session.getStep(ref)?.quiz;
        if (quiz === undefined) return this.refuse('quiz: the step has no quiz');
        if (message.choices.length === 0 || message.choices.some((c) => c >= quiz.choices.length)) {
          return this.refuse(`quiz: choices ${JSON.stringify(message.choices)} do not fit ${quiz.choices.length} choices`);
        }
        const feedback = session.answerQuiz(ref, message.choices);
        if (feedback !== undefined) this.quiz = { ref, choices: [...message.choices], feedback };
        this.postView();
        return 'handled';
      }

      case 'navigate': {
        const target = message.direction === 'next' ? session.next(ref) : session.previous(ref);
        if (message.direction === 'next' && (target === undefined || target.labId !== ref.labId)) {
          // Past the lab's last step: how it went, and what to do now (never straight into the next lab).
          await this.showSummary(ref.labId);
          return 'handled';
        }
        if (target === undefined) {
          this.notice('info', vscode.l10n.t('This is the first step of the lab.'));
          return 'handled';
        }
        await this.show(target);
        return 'handled';
      }

      case 'summary':
        return this.summaryAction(message.action, message.stepId);

      case 'openLink':
        if (!this.links.has(message.href)) return this.refuse(`openLink: ${JSON.stringify(message.href.slice(0, 80))} is not a link of this step`);
        await vscode.env.openExternal(vscode.Uri.parse(message.href, true));
        return 'handled';

      case 'openService': {
        if (!session.canRun(ref.labId)) {
          this.notice('warning', RESTRICTED_NOTICE);
          return 'handled';
        }
        const link = await session.findService(ref);
        if (link === undefined) {
          this.service = undefined;
          this.notice('warning', vscode.l10n.t('No running Jupyter or RStudio container of this step was found.'));
          this.postView();
          return 'handled';
        }
        await openServiceLink(link);
        return 'handled';
      }

      case 'removeLeftovers': {
        if (!session.canRun(ref.labId)) {
          this.notice('warning', 'Commands of this lab run only in a trusted workspace.');
          return 'handled';
        }
        const done = await session.removeLeftovers(ref, { rerun: true });
        if (!done) this.notice('info', 'Nothing was removed.');
        await this.refreshService(true);
        this.postView();
        return 'handled';
      }

      case 'interrupt': {
        const step = session.getStep(ref);
        const lab = session.getLab(ref.labId);
        // Ctrl+C only for a step that starts a foreground server or is there to stop one.
        if (step === undefined || lab === undefined || !offersStop(lab, step)) return this.refuse('interrupt: the step neither starts nor stops a foreground server');
        if (!session.canRun(ref.labId)) {
          this.notice('warning', RESTRICTED_NOTICE);
          return 'handled';
        }
        session.interrupt();
        return 'handled';
      }

      case 'manageTrust':
        await vscode.commands.executeCommand('workbench.trust.manage');
        return 'handled';
    }
  }

  private onSessionChange(): void {
    if (this.disposed) return;
    const current = this.deps.session.current;
    if (current !== undefined && !sameRef(current, this.current) && this.deps.session.getStep(current) !== undefined) {
      // The student moved to another step (from the tree): follow it.
      this.summary = undefined;
      this.current = { labId: current.labId, stepId: current.stepId };
      this.checking = false;
      this.serviceLookedUpAt = 0;
      this.updateTitle();
    }
    if (this.updateTimer !== undefined) return;
    // Not inside the session's own event: the changes of this moment are gathered first.
    const wait = Math.max(0, this.updatedAt + UPDATE_DELAY_MS - performance.now());
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.updatedAt = performance.now();
      // The step's result first: a service lookup (engine calls with their own deadlines) must not hold it back.
      this.postView();
      runDetached(this.refreshService(false).then(() => this.postView()), logFailure(this.deps.logger, `${TAG} updating the walkthrough`));
    }, wait);
  }

  /** Looks for a running service of the step, at most every couple of seconds unless forced. */
  private async refreshService(force: boolean): Promise<void> {
    const ref = this.ref;
    if (!force && Date.now() - this.serviceLookedUpAt < SERVICE_LOOKUP_INTERVAL_MS) return;
    if (this.serviceLookup !== undefined) return this.serviceLookup;
    this.serviceLookedUpAt = Date.now();
    this.serviceLookup = (async () => {
      try {
        const link = await this.deps.session.findService(ref);
        this.service = link === undefined ? undefined : { ref, label: link.label };
        const status = this.deps.session.getState(ref).status;
        const left = status === 'passed' ? undefined : await this.deps.session.leftovers(ref);
        this.leftovers = left === undefined || left.items.length === 0 ? undefined : { ref, names: left.items.map((i) => i.name) };
      } catch (err) {
        this.service = undefined;
        this.deps.logger.debug(`${TAG} service lookup failed: ${errorMessage(err)}`);
      } finally {
        this.serviceLookup = undefined;
      }
    })();
    return this.serviceLookup;
  }

  private setHtml(): void {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.deps.extensionUri, 'dist');
    webview.html = renderShellHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
      language: vscode.env.language,
      title: vscode.l10n.t('Lab walkthrough'),
      loading: vscode.l10n.t('Loading the step…'),
      ...(vscode.l10n.bundle === undefined ? {} : { l10nBundle: JSON.stringify(vscode.l10n.bundle) }),
    });
  }

  private updateTitle(): void {
    const lab = this.deps.session.getLab(this.current.labId);
    this.panel.title = lab === undefined ? vscode.l10n.t('Lab walkthrough') : inert(lab.title, 'plain');
  }

  /** Sends the whole view model of the current step (when the page is there to get it). */
  /** Shows the summary of a lab: its clean-up plan is looked up first (only for a lab that may act). */
  private async showSummary(labId: string): Promise<void> {
    this.summary = { labId, leftovers: await this.leftoversOf(labId) };
    this.postView();
  }

  private async leftoversOf(labId: string): Promise<string[] | undefined> {
    if (!this.deps.session.canRun(labId)) return undefined;
    try {
      return (await this.deps.session.cleanupPlan(labId)).items.map((i) => i.name);
    } catch (error) {
      this.deps.logger.warn(`${TAG} the clean-up plan of ${labId} could not be made: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** The summary page's buttons, one handler per action. */
  private async summaryAction(action: SummaryAction, stepId: string | undefined): Promise<MessageOutcome> {
    const labId = this.summary?.labId;
    const lab = labId === undefined ? undefined : this.deps.session.getLab(labId);
    const last = lab?.steps[lab.steps.length - 1];
    if (!lab || !last) return this.refuse(`summary: ${action} while no lab summary is shown`);
    const lastRef = { labId: lab.id, stepId: last.id };
    const handlers: Record<SummaryAction, () => Promise<MessageOutcome>> = {
      cleanup: async () => {
        if (!this.deps.session.canRun(lab.id)) {
          this.notice('warning', RESTRICTED_NOTICE);
          return 'handled';
        }
        await vscode.commands.executeCommand(Commands.cleanupLab, lab.id);
        if (this.summary?.labId === lab.id) await this.showSummary(lab.id);
        return 'handled';
      },
      export: async () => {
        await vscode.commands.executeCommand(Commands.exportReport);
        return 'handled';
      },
      nextLab: async () => {
        const next = this.deps.session.next(lastRef);
        if (next === undefined || next.labId === lab.id) {
          this.notice('info', vscode.l10n.t('No lab comes after this one.'));
          return 'handled';
        }
        await this.show(next);
        return 'handled';
      },
      back: async () => {
        await this.show(lastRef);
        return 'handled';
      },
      step: async () => {
        const step = lab.steps.find((s) => s.id === stepId);
        if (!step) return this.refuse(`summary: ${JSON.stringify(stepId)} is not a step of ${lab.id}`);
        await this.show({ labId: lab.id, stepId: step.id });
        return 'handled';
      },
    };
    return handlers[action]();
  }

  /** The last lab summary sent to the page (tests read it). */
  get lastSummary(): LabSummaryView | undefined {
    return this.summary === undefined ? undefined : this.lastSummarySent;
  }

  private postView(): void {
    if (this.disposed) return;
    if (this.summary !== undefined) {
      const summary = buildLabSummary(this.deps.session, this.summary.labId, this.summary.leftovers);
      if (summary !== undefined) {
        this.links = new Set();
        this.lastSummarySent = summary;
        this.post({ type: 'summary', summary });
        return;
      }
      this.summary = undefined;
    }
    const ref = this.ref;
    const built = buildStepView(this.deps.session, ref, this.markdown, {
      checking: this.checking,
      serviceLabel: sameRef(this.service?.ref, ref) ? this.service?.label : undefined,
      leftovers: sameRef(this.leftovers?.ref, ref) ? this.leftovers?.names : undefined,
      quiz: this.quiz !== undefined && sameRef(this.quiz.ref, ref) ? { choices: this.quiz.choices, feedback: this.quiz.feedback } : undefined,
    });
    if (built === undefined) {
      this.links = new Set();
      this.post({ type: 'empty', text: vscode.l10n.t('The lab step {0} is no longer available.', `${ref.labId}/${ref.stepId}`) });
      return;
    }
    this.links = built.links;
    this.lastViewSent = built.view;
    this.post({ type: 'view', view: built.view });
  }

  private notice(kind: NoticeKind, text: string): void {
    this.post({ type: 'notice', kind, text });
  }

  private post(message: HostMessage): void {
    this.onDidPostEmitter.fire(message);
    if (!this.pageReady || this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (err: unknown) => {
      this.deps.logger.debug(`${TAG} postMessage failed: ${errorMessage(err)}`);
    });
  }

  /** What the serializer stores; the page keeps the same with setState. */
  get state(): WalkthroughState {
    return this.ref;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.updateTimer !== undefined) clearTimeout(this.updateTimer);
    this.onDidDisposeEmitter.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
