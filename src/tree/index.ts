/** Registers the Labs tree view. */
import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import type { LabSession } from '../session/types';
import { LABS_VIEW_ID, LabsTreeProvider } from './labsTree';
import type { LabsNode } from './nodes';

export interface LabsTree {
  provider: LabsTreeProvider;
  view: vscode.TreeView<LabsNode>;
}

export function registerLabsTree(context: vscode.ExtensionContext, deps: { session: LabSession; logger: Logger }): LabsTree {
  const provider = new LabsTreeProvider(deps.session, deps.logger);
  const view = vscode.window.createTreeView(LABS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  // Keep the current step in view when it changes (only while the view is visible).
  let last = '';
  const sub = deps.session.onDidChange(() => {
    const current = deps.session.current;
    const id = current ? `${current.labId}/${current.stepId}` : '';
    if (!current || id === last || !view.visible) return;
    last = id;
    const node = provider.find(current);
    if (node) void Promise.resolve(view.reveal(node, { select: false, focus: false, expand: true })).catch(() => undefined);
  });
  context.subscriptions.push(provider, view, sub);
  return { provider, view };
}
