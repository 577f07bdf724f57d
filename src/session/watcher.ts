/**
 * Reloads the catalog when lab or course files change: in the workspace's labs folder and,
 * for course authors running the extension from source, in the bundled `labs/` folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable, MutableDisposable } from '../common/lifecycle';
import { logFailure, type Logger } from '../common/logger';
import type { LabSession } from './types';
import { runDetached } from '../core/events';

const GLOB = '**/*.{lab,course}.{yaml,yml}';
const DEBOUNCE_MS = 200;

export class LabWatcher extends Disposable {
  private readonly workspaceWatchers = this._register(new MutableDisposable<vscode.Disposable>());
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: LabSession,
    private readonly logger: Logger,
    bundledDir: string,
    private readonly labsFolder: () => string,
  ) {
    super();
    this._register(this.watch(new vscode.RelativePattern(vscode.Uri.file(bundledDir), GLOB)));
    this.rewatch();
  }

  /** Watches the labs folder of every workspace folder again (setting or folders changed). */
  rewatch(): void {
    const folder = this.labsFolder();
    const watchers = (vscode.workspace.workspaceFolders ?? []).map((wf) => {
      const base = path.isAbsolute(folder) ? vscode.Uri.file(folder) : vscode.Uri.joinPath(wf.uri, folder);
      return this.watch(new vscode.RelativePattern(base, GLOB));
    });
    this.workspaceWatchers.value = vscode.Disposable.from(...watchers);
  }

  private watch(pattern: vscode.RelativePattern): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const changed = (uri: vscode.Uri): void => this.schedule(uri);
    return vscode.Disposable.from(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
  }

  private schedule(uri: vscode.Uri): void {
    this.logger.debug(`lab file changed: ${uri.fsPath}`);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      runDetached(this.session.reload(), logFailure(this.logger, 'reloading labs after a file changed'));
    }, DEBOUNCE_MS);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

export function registerLabWatcher(
  context: vscode.ExtensionContext,
  deps: { session: LabSession; logger: Logger; bundledDir: string; labsFolder: () => string },
): LabWatcher {
  const watcher = new LabWatcher(deps.session, deps.logger, deps.bundledDir, deps.labsFolder);
  context.subscriptions.push(watcher);
  return watcher;
}
