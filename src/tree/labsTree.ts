/**
 * The Labs tree (`containerLabs.labs`): courses > labs > steps with a status icon per
 * step, "3/8" on each lab, inline actions through dotted contextValues, lazy Markdown
 * tooltips, and broken lab files shown with their first error (never a crash).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Catalog, Lab } from '../core/model';
import { firstHttpCheck } from '../core/checks/kind';
import { Commands } from '../common/commands';
import { Disposable } from '../common/lifecycle';
import type { Logger } from '../common/logger';
import type { LabSession, StepRef, StepState, StepStatus } from '../session/types';
import { isComplete, shownStatus, type ShownStatus } from '../core/runtime/steps';
import { type BrokenNode, type CourseNode, type LabNode, type LabsNode, type StepNode, nodeId } from './nodes';
import { errorMessage, inert } from '../core/text';

export const LABS_VIEW_ID = 'containerLabs.labs';

interface StatusLook {
  icon: string;
  color?: string;
  label: string;
}

/** How a step status looks (a function: its words are in the display language, read when asked). */
function lookOf(status: ShownStatus): StatusLook {
  switch (status) {
    case 'read':
      return { icon: 'book', label: vscode.l10n.t('Read') };
    case 'not-started':
      return { icon: 'circle-large-outline', label: vscode.l10n.t('Not started') };
    case 'current':
      return { icon: 'arrow-circle-right', color: 'charts.blue', label: vscode.l10n.t('In progress') };
    case 'passed':
      return { icon: 'pass-filled', color: 'testing.iconPassed', label: vscode.l10n.t('Passed') };
    case 'failed':
      return { icon: 'error', color: 'testing.iconFailed', label: vscode.l10n.t('Not passed yet') };
    case 'error':
      return { icon: 'warning', color: 'list.warningForeground', label: vscode.l10n.t('Cannot check') };
  }
}

/** The look of a step in the tree: the current step shows as current until it passes or fails. */
export function displayStatus(state: StepState, isCurrent: boolean): StepStatus {
  if (isCurrent && state.status === 'not-started') {
    return 'current';
  }
  return state.status;
}

export class LabsTreeProvider extends Disposable implements vscode.TreeDataProvider<LabsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<LabsNode | LabsNode[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  private roots: LabsNode[] = [];
  private readonly labNodes = new Map<string, LabNode>();
  private readonly stepNodes = new Map<string, StepNode[]>();
  private built = false;
  /** The catalog the nodes were built from: a new one (a reload) rebuilds them. */
  private builtFrom: Catalog | undefined;
  /** What each node looked like when VS Code last asked for it (see `look`). */
  private readonly shown = new Map<LabsNode, string>();

  constructor(
    private readonly session: LabSession,
    private readonly logger: Logger,
  ) {
    super();
    this._register(session.onDidChange(() => this.sessionChanged()));
  }

  refresh(): void {
    this.built = false;
    this.shown.clear();
    this.changed.fire(undefined);
  }

  /**
   * Refreshes only the rows whose look changed. Refreshing a row makes VS Code drop the
   * commands of the rows it replaces, and a click that lands on a row being replaced fails
   * ("Actual command not found"): a student clicking a step while checks run must not see
   * that, so an unchanged row is never refreshed, and a reload alone rebuilds the tree.
   */
  private sessionChanged(): void {
    if (!this.built || this.session.catalog !== this.builtFrom) {
      this.logger.trace('tree: rebuilt (new catalog)');
      this.refresh();
      return;
    }
    const changed: LabsNode[] = [];
    for (const [node, before] of this.shown) {
      let now: string;
      try {
        now = look(this.getTreeItem(node));
      } catch {
        now = '';
      }
      if (now !== before) changed.push(node);
    }
    if (changed.length > 0) {
      this.logger.trace(`tree: refresh ${changed.map((n) => nodeId(n)).join(', ')}`);
      this.changed.fire(changed);
    }
  }

  /** The node of a lab or step, for `reveal`. */
  find(ref: { labId: string; stepId?: string }): LabsNode | undefined {
    this.ensureBuilt();
    const lab = this.labNodes.get(ref.labId);
    if (!lab || ref.stepId === undefined) {
      return lab;
    }
    return this.stepsOf(lab).find((s) => s.step.id === ref.stepId);
  }

  getChildren(element?: LabsNode): LabsNode[] {
    try {
      this.ensureBuilt();
      if (!element) {
        return this.roots;
      }
      switch (element.kind) {
        case 'course':
          return element.course.labs.flatMap((id) => {
            const node = this.labNodes.get(id);
            return node && node.parent === element ? [node] : [];
          });
        case 'lab':
          return this.stepsOf(element);
        default:
          return [];
      }
    } catch (error) {
      // A tree that throws shows nothing at all; log and show what we can.
      this.logger.error(`getChildren failed: ${errorMessage(error)}`);
      return [];
    }
  }

  getParent(element: LabsNode): LabsNode | undefined {
    switch (element.kind) {
      case 'step':
        return element.parent;
      case 'lab':
        return element.parent;
      default:
        return undefined;
    }
  }

  getTreeItem(node: LabsNode): vscode.TreeItem {
    const item = this.itemOf(node);
    this.shown.set(node, look(item));
    return item;
  }

  private itemOf(node: LabsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'course':
        return this.courseItem(node);
      case 'lab':
        return this.labItem(node);
      case 'step':
        return this.stepItem(node);
      case 'broken':
        return this.brokenItem(node);
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: LabsNode): vscode.TreeItem {
    item.tooltip = this.tooltip(node);
    return item;
  }

  private ensureBuilt(): void {
    if (this.built) {
      return;
    }
    this.build(this.session.catalog);
    this.builtFrom = this.session.catalog;
    this.built = true;
  }

  private build(catalog: Catalog): void {
    this.labNodes.clear();
    this.stepNodes.clear();
    const roots: LabsNode[] = [];
    const labsById = new Map(catalog.labs.map((lab) => [lab.id, lab] as const));
    for (const course of catalog.courses) {
      const courseNode: CourseNode = { kind: 'course', course };
      let any = false;
      for (const id of course.labs) {
        const lab = labsById.get(id);
        if (lab && !this.labNodes.has(id)) {
          this.labNodes.set(id, { kind: 'lab', lab, parent: courseNode });
          any = true;
        }
      }
      if (any) {
        roots.push(courseNode);
      }
    }
    for (const lab of catalog.labs) {
      if (!this.labNodes.has(lab.id)) {
        const node: LabNode = { kind: 'lab', lab, parent: undefined };
        this.labNodes.set(lab.id, node);
        roots.push(node);
      }
    }
    for (const broken of catalog.broken) {
      const node: BrokenNode = { kind: 'broken', broken };
      roots.push(node);
    }
    this.roots = roots;
  }

  private stepsOf(node: LabNode): StepNode[] {
    let steps = this.stepNodes.get(node.lab.id);
    if (!steps) {
      steps = node.lab.steps.map((step, index) => ({ kind: 'step', step, index, parent: node }));
      this.stepNodes.set(node.lab.id, steps);
    }
    return steps;
  }

  private courseItem(node: CourseNode): vscode.TreeItem {
    const item = new vscode.TreeItem(inert(node.course.title, 'plain'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = nodeId(node);
    item.iconPath = new vscode.ThemeIcon('book');
    item.contextValue = 'course';
    const labs = node.course.labs.filter((id) => this.labNodes.get(id)?.parent === node);
    const done = labs.filter((id) => isComplete(this.session.getProgress(id))).length;
    item.description = vscode.l10n.t('{0}/{1} labs', done, labs.length);
    return item;
  }

  private labItem(node: LabNode): vscode.TreeItem {
    const lab = node.lab;
    // Nothing here depends on which step is current: a lab row that changes is refreshed, and
    // VS Code then replaces all its step rows, whose commands stop working for a moment (a click
    // on a step right after opening its lab would fail). The current step's own row shows it,
    // and `reveal` expands the lab.
    const item = new vscode.TreeItem(inert(lab.title, 'plain'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = nodeId(node);
    const progress = this.session.getProgress(lab.id);
    const complete = isComplete(progress);
    // Checked steps passed, and the steps without a check that were read, counted apart.
    const parts = [`${progress.passed}/${progress.total}`];
    if (progress.unchecked > 0) parts.push(vscode.l10n.t('{0}/{1} read', progress.read, progress.unchecked));
    if (lab.source.origin === 'workspace') {
      parts.push(this.session.canRun(lab.id) ? vscode.l10n.t('workspace') : vscode.l10n.t('workspace, restricted'));
    }
    item.description = parts.join(' · ');
    item.iconPath = complete
      ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'))
      : new vscode.ThemeIcon('beaker');
    const flags = ['lab', lab.source.origin];
    if (progress.passed > 0 || progress.read > 0 || this.anyStarted(lab)) flags.push('started');
    if (complete) flags.push('complete');
    item.contextValue = flags.join('.');
    item.command = { command: Commands.openWalkthrough, title: vscode.l10n.t('Open Lab'), arguments: [lab.id] };
    item.accessibilityInformation = {
      label: inert(
        progress.unchecked > 0
          ? vscode.l10n.t('{0}, lab, {1} of {2} checked steps passed, {3} of {4} other steps read', lab.title, progress.passed, progress.total, progress.read, progress.unchecked)
          : vscode.l10n.t('{0}, lab, {1} of {2} steps passed', lab.title, progress.passed, progress.total),
        'plain',
      ),
    };
    return item;
  }

  private stepItem(node: StepNode): vscode.TreeItem {
    const ref: StepRef = { labId: node.parent.lab.id, stepId: node.step.id };
    const state = this.session.getState(ref);
    const current = this.session.current;
    const isCurrent = current?.labId === ref.labId && current.stepId === ref.stepId;
    const status = displayStatus(state, isCurrent);
    const look = lookOf(shownStatus(node.step, status));
    const item = new vscode.TreeItem(inert(`${node.index + 1}. ${node.step.title}`, 'plain'), vscode.TreeItemCollapsibleState.None);
    item.id = nodeId(node);
    const icon = node.step.quiz && status === 'not-started' ? 'question' : look.icon;
    item.iconPath = new vscode.ThemeIcon(icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    if (status === 'failed' || status === 'error') {
      item.description = state.reason ? inert(truncate(state.reason, 60), 'plain') : look.label;
    } else if (isCurrent) {
      item.description = vscode.l10n.t('current');
    }
    const flags = ['step', status];
    if (node.step.commands.length > 0) flags.push('runnable');
    if (node.step.check) flags.push('checkable');
    if (node.step.quiz) flags.push('quiz');
    if (firstHttpCheck(node.step.check)) flags.push('service');
    item.contextValue = flags.join('.');
    item.command = { command: Commands.openWalkthrough, title: vscode.l10n.t('Open Step'), arguments: [ref.labId, ref.stepId] };
    const said = state.reason && status !== 'passed' ? vscode.l10n.t('{0}: {1}', look.label, state.reason) : look.label;
    item.accessibilityInformation = {
      label: inert(vscode.l10n.t('Step {0}, {1}, {2}', node.index + 1, node.step.title, said), 'plain'),
    };
    return item;
  }

  private brokenItem(node: BrokenNode): vscode.TreeItem {
    const first = node.broken.issues[0];
    const item = new vscode.TreeItem(path.basename(node.broken.file), vscode.TreeItemCollapsibleState.None);
    item.id = nodeId(node);
    item.iconPath = new vscode.ThemeIcon('bracket-error', new vscode.ThemeColor('errorForeground'));
    item.description = first ? inert(`${first.line}:${first.col} ${truncate(first.message, 60)}`, 'plain') : vscode.l10n.t('cannot be loaded');
    item.contextValue = `brokenLab.${node.broken.origin}`;
    item.command = {
      command: Commands.openLabFile,
      title: vscode.l10n.t('Open Lab File'),
      arguments: [node.broken.file, first?.line ?? 1, first?.col ?? 1],
    };
    item.accessibilityInformation = {
      label: inert(
        first ? vscode.l10n.t('{0}, broken lab file: line {1}: {2}', path.basename(node.broken.file), first.line, first.message) : vscode.l10n.t('{0}, broken lab file', path.basename(node.broken.file)),
        'plain',
      ),
    };
    return item;
  }

  /** Whether any step has a result (being the current step is not one: opening a lab must not change its row). */
  private anyStarted(lab: Lab): boolean {
    return lab.steps.some((s) => {
      const status = this.session.getState({ labId: lab.id, stepId: s.id }).status;
      return status !== 'not-started' && status !== 'current';
    });
  }

  private tooltip(node: LabsNode): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = false;
    md.isTrusted = false;
    switch (node.kind) {
      case 'course':
        md.appendMarkdown(`**${inert(node.course.title, 'markdown')}**\n\n`);
        md.appendMarkdown(inert(node.course.summary, 'markdown'));
        break;
      case 'lab': {
        const lab = node.lab;
        const p = this.session.getProgress(lab.id);
        md.appendMarkdown(`**${inert(lab.title, 'markdown')}** · ${vscode.l10n.t('about {0} min', lab.minutes)} · ${vscode.l10n.t('{0}/{1} steps passed', p.passed, p.total)}\n\n`);
        md.appendMarkdown(inert(lab.summary, 'markdown'));
        if (lab.images.length > 0) {
          md.appendMarkdown(`\n\n${vscode.l10n.t('Images: {0}', lab.images.map((i) => `\`${i.replace(/`/g, '')}\``).join(', '))}`);
        }
        if (lab.source.origin === 'workspace') {
          md.appendMarkdown(
            this.session.canRun(lab.id)
              ? `\n\n$(folder) ${vscode.l10n.t('From this workspace')}`
              : `\n\n$(shield) ${vscode.l10n.t('From this workspace: its commands run only after you trust the workspace')}`,
          );
        }
        break;
      }
      case 'step': {
        const ref = { labId: node.parent.lab.id, stepId: node.step.id };
        const state = this.session.getState(ref);
        const current = this.session.current;
        const status = displayStatus(state, current?.labId === ref.labId && current.stepId === ref.stepId);
        const look = lookOf(status);
        md.appendMarkdown(`**${inert(node.step.title, 'markdown')}**\n\n$(${look.icon}) ${look.label}`);
        if (state.reason) {
          md.appendMarkdown(': ');
          md.appendMarkdown(inert(state.reason, 'markdown'));
        }
        if (state.passedAt) {
          md.appendMarkdown(`\n\n${vscode.l10n.t('Passed {0}', new Date(state.passedAt).toLocaleString(vscode.env.language))}`);
        }
        if (node.step.commands.length > 0) {
          md.appendMarkdown('\n\n');
          md.appendCodeblock(node.step.commands.map((c) => c.run).join('\n'), 'sh');
        }
        break;
      }
      case 'broken':
        md.appendMarkdown(`**${inert(path.basename(node.broken.file), 'markdown')}** ${vscode.l10n.t('cannot be loaded')}\n\n`);
        for (const issue of node.broken.issues.slice(0, 5)) {
          md.appendMarkdown(`${inert(`${issue.line}:${issue.col} ${issue.message}`, 'markdown')}\n`);
          md.appendMarkdown('\n\n');
        }
        md.appendMarkdown(inert(node.broken.file, 'markdown'));
        break;
    }
    return md;
  }
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Everything of a tree item that shows (its tooltip is resolved lazily, from the same state). */
function look(item: vscode.TreeItem): string {
  // A ThemeIcon serialises as its id and its ThemeColor's id.
  const icon = item.iconPath instanceof vscode.ThemeIcon ? JSON.stringify(item.iconPath) : '';
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const description = typeof item.description === 'string' ? item.description : String(item.description ?? '');
  return JSON.stringify([label, description, icon, item.contextValue ?? '', item.collapsibleState ?? 0, item.accessibilityInformation?.label ?? '', item.command?.arguments ?? []]);
}
