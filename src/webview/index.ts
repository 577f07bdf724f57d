/**
 * The walkthrough feature: the `containerLabs.openWalkthrough` command, the one panel it
 * opens beside the editor, and the serializer that restores that panel after a reload.
 */
import * as vscode from 'vscode';
import type { LabSession, StepRef } from '../session/types';
import { WalkthroughPanel, webviewOptions, type WalkthroughDeps } from './panel';
import { inert } from '../core/text';
import { LIMITS, OPEN_WALKTHROUGH_COMMAND, WALKTHROUGH_VIEW_TYPE, type WalkthroughState } from './protocol';

export { WalkthroughPanel } from './panel';
export type { WalkthroughDeps } from './panel';

const TAG = '[walkthrough]';
/** How long a restored panel waits for the catalog to load before giving up. */
const RESTORE_WAIT_MS = 10000;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLength;
}

/** Validates the state VS Code hands back to the serializer (it came from the page). */
export function isWalkthroughState(value: unknown): value is WalkthroughState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 2) return false;
  const record = value as Record<string, unknown>;
  return isId(record.labId) && isId(record.stepId);
}

/** Reads the command's arguments: (labId, stepId?) or one object with those fields (a tree node). */
export function parseOpenArgs(args: readonly unknown[]): { labId: string; stepId?: string } | undefined {
  const [first, second] = args;
  if (isId(first)) return isId(second) ? { labId: first, stepId: second } : { labId: first };
  if (typeof first === 'object' && first !== null) {
    const record = first as Record<string, unknown>;
    if (isId(record.labId)) return isId(record.stepId) ? { labId: record.labId, stepId: record.stepId } : { labId: record.labId };
  }
  return undefined;
}

/** Which step to open when the command names only a lab: the current one, else the first not passed. */
function pickStep(session: LabSession, labId: string, stepId: string | undefined): StepRef | undefined {
  const lab = session.getLab(labId);
  if (lab === undefined || lab.steps.length === 0) return undefined;
  if (stepId !== undefined) return lab.steps.some((s) => s.id === stepId) ? { labId, stepId } : undefined;
  const current = session.current;
  if (current !== undefined && current.labId === labId && session.getStep(current) !== undefined) return current;
  const open = lab.steps.find((s) => session.getState({ labId, stepId: s.id }).status !== 'passed');
  return { labId, stepId: (open ?? lab.steps[0]).id };
}

/** Resolves when `find` returns something, re-trying on session changes, or undefined after `ms`. */
function waitFor<T>(session: LabSession, find: () => T | undefined, ms: number): Promise<T | undefined> {
  const found = find();
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolve) => {
    const done = (value: T | undefined): void => {
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), ms);
    const sub = session.onDidChange(() => {
      const value = find();
      if (value !== undefined) done(value);
    });
  });
}

/** A quick pick of the loaded labs with their progress; resolves the chosen lab's id. */
async function pickLab(session: LabSession): Promise<string | undefined> {
  const items = session.catalog.labs.map((lab) => {
    const progress = session.getProgress(lab.id);
    return { label: inert(lab.title, 'plain'), description: progress.unchecked > 0 ? `${progress.passed}/${progress.total} · ${vscode.l10n.t('{0}/{1} read', progress.read, progress.unchecked)}` : `${progress.passed}/${progress.total}`, detail: inert(lab.summary, 'plain'), labId: lab.id };
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Container Labs: no labs are loaded.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Open a lab'), placeHolder: vscode.l10n.t('Choose a lab to open in the walkthrough'), matchOnDetail: true });
  return picked?.labId;
}

/** Keeps the one walkthrough panel. */
export class WalkthroughController implements vscode.Disposable {
  private panel: WalkthroughPanel | undefined;

  constructor(
    private readonly deps: WalkthroughDeps,
    private readonly options: { restoreWaitMs?: number } = {},
  ) {}

  get activePanel(): WalkthroughPanel | undefined {
    return this.panel;
  }

  /** Opens or reveals the panel on a step. Resolves false when the lab or step does not exist. */
  async open(labId: string, stepId?: string): Promise<boolean> {
    const ref = pickStep(this.deps.session, labId, stepId);
    if (ref === undefined) {
      this.deps.logger.warn(`${TAG} cannot open ${labId}${stepId === undefined ? '' : `/${stepId}`}: no such lab or step`);
      // The ids come from the caller (a command's arguments): inert like any lab text.
      void vscode.window.showErrorMessage(vscode.l10n.t('Container Labs: there is no lab step {0}.', inert(`${labId}${stepId === undefined ? '' : `/${stepId}`}`, 'notification')));
      return false;
    }
    let panel = this.panel;
    if (panel === undefined) {
      panel = WalkthroughPanel.create(this.deps, ref);
      this.adopt(panel);
    } else {
      panel.reveal();
    }
    await panel.show(ref);
    return true;
  }

  /** Restores a panel VS Code kept over a reload. */
  async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const session = this.deps.session;
    webviewPanel.webview.options = webviewOptions(this.deps.extensionUri);
    if (this.panel !== undefined) {
      // One panel only: the command already opened one.
      webviewPanel.dispose();
      return;
    }
    let wanted: StepRef | undefined;
    if (isWalkthroughState(state)) {
      wanted = { labId: state.labId, stepId: state.stepId };
    } else {
      this.deps.logger.warn(`${TAG} the saved walkthrough state is not {labId, stepId}; showing the current step instead`);
    }
    // The catalog may still be loading right after a reload.
    const ref = await waitFor(
      session,
      () => {
        if (wanted !== undefined) return session.getStep(wanted) !== undefined ? wanted : undefined;
        const current = session.current;
        return current !== undefined && session.getStep(current) !== undefined ? current : undefined;
      },
      this.options.restoreWaitMs ?? RESTORE_WAIT_MS,
    );
    if (ref === undefined || this.panel !== undefined) {
      if (ref === undefined) this.deps.logger.info(`${TAG} closed a restored walkthrough: its lab step is no longer available`);
      webviewPanel.dispose();
      return;
    }
    const panel = new WalkthroughPanel(webviewPanel, this.deps, ref);
    this.adopt(panel);
    await panel.show(ref);
  }

  private adopt(panel: WalkthroughPanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
  }
}

/**
 * Registers the walkthrough: the open command and the serializer. The extension calls this
 * once from `activate`; package.json needs the command and `onWebviewPanel:containerLabs.walkthrough`.
 */
export function registerWalkthrough(
  context: vscode.ExtensionContext,
  deps: { session: LabSession; logger: vscode.LogOutputChannel; extensionUri: vscode.Uri },
): void {
  const controller = new WalkthroughController(deps);
  context.subscriptions.push(
    controller,
    vscode.commands.registerCommand(OPEN_WALKTHROUGH_COMMAND, async (...args: unknown[]) => {
      if (args.length === 0 || args[0] === undefined) {
        // From the Command Palette: let the student pick a lab.
        const labId = await pickLab(deps.session);
        return labId === undefined ? false : controller.open(labId);
      }
      const parsed = parseOpenArgs(args);
      if (parsed === undefined) {
        deps.logger.warn(`${TAG} ${OPEN_WALKTHROUGH_COMMAND} needs a lab id (and optionally a step id)`);
        return false;
      }
      return controller.open(parsed.labId, parsed.stepId);
    }),
    vscode.window.registerWebviewPanelSerializer(WALKTHROUGH_VIEW_TYPE, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => controller.restore(panel, state),
    }),
  );
}
