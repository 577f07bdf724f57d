/**
 * A status-bar item with the current lab step and its state; a click opens the walkthrough.
 */
import * as vscode from 'vscode';
import { Commands } from '../common/commands';
import { Disposable } from '../common/lifecycle';
import type { LabSession } from '../session/types';
import { shownStatus, type ShownStatus } from '../core/runtime/steps';
import { inert } from '../core/text';

const ICONS: Record<ShownStatus, string> = {
  'not-started': '$(circle-large-outline)',
  current: '$(beaker)',
  passed: '$(pass-filled)',
  read: '$(book)',
  failed: '$(error)',
  error: '$(warning)',
};

/** The status in words, in the display language. */
function words(status: ShownStatus): string {
  switch (status) {
    case 'read':
      return vscode.l10n.t('read');
    case 'not-started':
      return vscode.l10n.t('not started');
    case 'current':
      return vscode.l10n.t('in progress');
    case 'passed':
      return vscode.l10n.t('passed');
    case 'failed':
      return vscode.l10n.t('not passed yet');
    case 'error':
      return vscode.l10n.t('cannot check');
  }
}

export class LabStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(private readonly session: LabSession) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('containerLabs.step', vscode.StatusBarAlignment.Left, 50));
    this.item.name = vscode.l10n.t('Container Labs: Current Step');
    this._register(session.onDidChange(() => this.update()));
    this.update();
  }

  update(): void {
    const ref = this.session.current;
    const lab = ref ? this.session.getLab(ref.labId) : undefined;
    const step = ref ? this.session.getStep(ref) : undefined;
    if (!ref || !lab || !step) {
      this.item.hide();
      return;
    }
    const state = this.session.getState(ref);
    const shown = shownStatus(step, state.status);
    const index = lab.steps.indexOf(step) + 1;
    const progress = this.session.getProgress(lab.id);
    // The lab's count is the tree's (steps passed of all); the step's place is a word apart, so
    // that "6/9" never reads as a count of passed steps.
    this.item.text = `${ICONS[shown]} ${inert(lab.title, 'statusBar')} · ${vscode.l10n.t('step {0} · {1}/{2} passed', index, progress.passed, progress.total)}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Container Labs**\n\n`);
    tooltip.appendMarkdown(inert(vscode.l10n.t('{0}: step {1}, {2}: {3}', lab.title, index, step.title, words(shown)), 'markdown'));
    if (state.reason && state.status !== 'passed') {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendMarkdown(inert(state.reason, 'markdown'));
    }
    const counts = progress.unchecked > 0 ? vscode.l10n.t('{0}/{1} checked steps passed, {2}/{3} other steps read.', progress.passed, progress.total, progress.read, progress.unchecked) : vscode.l10n.t('{0}/{1} steps passed.', progress.passed, progress.total);
    tooltip.appendMarkdown(`\n\n${counts} ${vscode.l10n.t('Click to open the walkthrough.')}`);
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = {
      label: inert(vscode.l10n.t('Container Labs: {0}, step {1} of {2}, {3}, {4}', lab.title, index, lab.steps.length, step.title, words(shown)), 'plain'),
      role: 'button',
    };
    this.item.backgroundColor =
      state.status === 'failed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = { command: Commands.openWalkthrough, title: vscode.l10n.t('Open Walkthrough'), arguments: [ref.labId, ref.stepId] };
    this.item.show();
  }
}

export function registerStatusBar(context: vscode.ExtensionContext, deps: { session: LabSession }): LabStatusBar {
  const bar = new LabStatusBar(deps.session);
  context.subscriptions.push(bar);
  return bar;
}
