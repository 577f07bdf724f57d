/**
 * The "Docker Engine" view: shown only when the engine is not usable. It holds no items;
 * its welcome content (package.json `viewsWelcome`, one per health problem) explains the
 * problem and offers the fixes; its description names the endpoint.
 * Also: "Show Engine Health" (a Markdown report) and "Fix the Engine…" (the report's fixes).
 */
import * as vscode from 'vscode';
import type { HealthReport } from '../core/engine/health';
import { Commands } from '../common/commands';
import { Disposable } from '../common/lifecycle';
import type { Logger } from '../common/logger';
import { ContextKeys, setContext } from '../common/settings';
import type { EngineHub } from '../session/engineHub';
import type { LabTerminal } from '../terminal/labTerminal';
import { errorMessage, inert } from '../core/text';

export const ENGINE_VIEW_ID = 'containerLabs.engine';
const REPORT_SCHEME = 'container-labs-report';

class EmptyTree implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

export function healthMarkdown(report: HealthReport): string {
  const lines = ['# Docker engine health', ''];
  lines.push(report.ok ? '**The engine answers and is usable.**' : `**Problem: ${report.problem ?? 'unknown'}**`, '');
  lines.push(report.message, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Endpoint | \`${report.endpoint.url}\` |`);
  lines.push(`| Chosen from | ${report.endpoint.source} |`);
  lines.push(`| Published ports answer on | ${report.endpoint.publishedHost} |`);
  if (report.engine) lines.push(`| Engine | ${report.engine.product} ${report.engine.version}${report.engine.rootless ? ' (rootless)' : ''}${report.engine.hostName ? ` on ${report.engine.hostName}` : ''} |`);
  else if (report.serverVersion) lines.push(`| Engine version | ${report.serverVersion} |`);
  if (report.context) lines.push(`| Docker context | ${report.context} |`);
  if (report.user) lines.push(`| As | ${report.user} |`);
  if (report.apiVersion) lines.push(`| API version | ${report.apiVersion} |`);
  if (report.platform) lines.push(`| Platform | ${report.platform} |`);
  lines.push(`| Answered in | ${report.elapsedMs} ms |`);
  if (report.notes?.length) lines.push('', ...report.notes.map((n) => `> ${n}`));
  if (report.fixes.length > 0) {
    lines.push('', '## How to fix it', '');
    for (const fix of report.fixes) {
      lines.push(`- ${fix.title}`);
      if (fix.command) lines.push('', '  ```sh', `  ${fix.command}`, '  ```');
      if (fix.url) lines.push(`  (${fix.url})`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

export class EngineView extends Disposable {
  readonly view: vscode.TreeView<never>;
  private reportText = '';
  private readonly docChanged = this._register(new vscode.EventEmitter<vscode.Uri>());
  private readonly reportUri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/Docker Engine Health.md' });

  constructor(
    private readonly engine: EngineHub,
    private readonly terminal: LabTerminal,
    private readonly logger: Logger,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(ENGINE_VIEW_ID, { treeDataProvider: new EmptyTree() }));
    // The view follows the hub, never a report handed to it: a report can be stale by the
    // time it arrives (the endpoint setting can change after a check ended), and showing it
    // would hide the view with nothing left to show it again.
    this._register(engine.onDidChangeHealth(() => this.sync()));
    this._register(engine.onDidChangeEngine(() => this.sync()));
    this._register(
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, {
        onDidChange: this.docChanged.event,
        provideTextDocumentContent: () => this.reportText,
      }),
    );
    this.sync();
  }

  /** Context updates go one after another: two `setContext` calls in flight may land out of order. */
  private contextChain: Promise<void> = Promise.resolve();
  private shownState: string | undefined;

  /** The engine state the context key holds now (`checking` until the hub has a report). */
  get state(): string | undefined {
    return this.shownState;
  }

  /** Resolves once every context update asked for so far has been made (for tests). */
  settled(): Promise<void> {
    return this.contextChain;
  }

  /**
   * Sets the context keys (and the view's description) from the hub's health as it is when
   * the update runs, so the last update always shows the latest state: `checking` (view
   * hidden) while the current endpoint is being asked, `ok`, or the problem.
   */
  sync(): void {
    this.contextChain = this.contextChain
      .then(async () => {
        const report = this.engine.health;
        const state = report ? (report.ok ? 'ok' : (report.problem ?? 'unreachable')) : 'checking';
        await setContext(ContextKeys.engineState, state);
        await setContext(ContextKeys.engineOk, report?.ok === true);
        if (state !== this.shownState) this.logger.info(`engine state for the views: ${state}${state === 'ok' || state === 'checking' ? '' : ' (the Docker Engine view is offered)'}`);
        this.shownState = state;
        // No TreeView.message: VS Code hides the welcome content (with the fix buttons) while a
        // message is set. The welcome text is chosen by the problem; details are in the report.
        this.view.description = report && !report.ok ? report.endpoint.url : undefined;
      })
      .catch((err: unknown) => this.logger.warn(`cannot set the engine context: ${errorMessage(err)}`));
  }

  async showHealth(): Promise<HealthReport> {
    const report = await this.engine.checkHealth();
    this.sync();
    this.reportText = healthMarkdown(report);
    this.docChanged.fire(this.reportUri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', this.reportUri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(this.reportUri);
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return report;
  }

  async fix(): Promise<void> {
    const report = this.engine.health ?? (await this.engine.checkHealth());
    if (report.ok) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The Docker engine answers: nothing to fix.'));
      return;
    }
    type Item = vscode.QuickPickItem & { run: () => Thenable<unknown> };
    const items: Item[] = report.fixes.map((fix) => ({
      label: inert(fix.title, 'plain'),
      detail: inert(fix.command ?? fix.url ?? '', 'plain'),
      run: async () => {
        if (fix.url) {
          await vscode.env.openExternal(vscode.Uri.parse(fix.url));
          return;
        }
        if (fix.command) {
          const run = vscode.l10n.t('Run in Terminal');
          const copy = vscode.l10n.t('Copy');
          const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Run this command in the Container Labs terminal?'), { modal: true, detail: inert(fix.command, 'notification') }, run, copy);
          if (choice === run) await this.terminal.run(fix.command);
          else if (choice === copy) await vscode.env.clipboard.writeText(fix.command);
        }
      },
    }));
    items.push(
      { label: `$(refresh) ${vscode.l10n.t('Check again')}`, run: () => vscode.commands.executeCommand(Commands.refresh) },
      { label: `$(gear) ${vscode.l10n.t('Set the engine endpoint…')}`, run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'containerLabs.engine.host') },
      { label: `$(output) ${vscode.l10n.t('Show the log')}`, run: () => vscode.commands.executeCommand(Commands.showLog) },
    );
    // The engine's own words are in the message (its errors, the endpoint's name).
    const picked = await vscode.window.showQuickPick(items, { title: inert(report.message, 'plain'), placeHolder: vscode.l10n.t('Choose a fix') });
    if (picked) {
      this.logger.info(`engine fix chosen: ${picked.label}`);
      await picked.run();
    }
  }
}

export function registerEngineView(
  context: vscode.ExtensionContext,
  deps: { engine: EngineHub; terminal: LabTerminal; logger: Logger },
): EngineView {
  const view = new EngineView(deps.engine, deps.terminal, deps.logger);
  context.subscriptions.push(
    view,
    vscode.commands.registerCommand(Commands.showHealth, () => view.showHealth()),
    vscode.commands.registerCommand(Commands.fixEngine, () => view.fix()),
  );
  return view;
}
