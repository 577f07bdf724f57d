/**
 * Container Labs: wires the features together. Each feature registers itself through a
 * `register…(context, deps)` function; nothing else happens here.
 */
import * as l10n from '@vscode/l10n';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from './common/commands';
import { createLogger, logFailure } from './common/logger';
import { ContextKeys, readSettings, setContext } from './common/settings';
import { registerLabCommands } from './session/commands';
import { createRecorder } from './recording/recordLab';
import { registerLabDiagnostics, type LabDiagnostics } from './session/diagnostics';
import { EngineHub } from './session/engineHub';
import { dockerCliEnv } from './core/engine/connection';
import { LabSessionImpl, type LabRoot, type LabSessionOptions } from './session/labSession';
import { registerLabWatcher } from './session/watcher';
import { registerStatusBar, type LabStatusBar } from './statusbar/statusBar';
import { LabTerminal } from './terminal/labTerminal';
import { registerEngineView, type EngineView } from './tree/engineView';
import { registerLabsTree, type LabsTree } from './tree';
import { firstHttpCheck } from './core/checks/kind';
import { registerWalkthrough } from './webview';
import { runDetached } from './core/events';
import { useLabLanguage } from './core/labs/translation';

/** What `activate` returns: used by the integration tests. */
export interface ContainerLabsApi {
  session: LabSessionImpl;
  engine: EngineHub;
  /** The Docker Engine view, which follows the hub's health. */
  engineView: EngineView;
  terminal: LabTerminal;
  tree: LabsTree;
  statusBar: LabStatusBar;
  diagnostics: LabDiagnostics;
  /** Milliseconds `activate` took (wiring; the catalog loads after). */
  activationMs: number;
  /** Resolves when the first catalog load (and health check) finished. */
  ready: Promise<void>;
  /** A new session over the same engine and terminal, with some options replaced (tests). */
  createSession(overrides: Partial<LabSessionOptions>): LabSessionImpl;
}

export function activate(context: vscode.ExtensionContext): ContainerLabsApi {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Container Labs', { log: true });
  context.subscriptions.push(channel);
  const logger = createLogger(channel, 'main');

  // Labs with a translation for VS Code's display language show in it (labs/*.lab.<language>.yaml).
  useLabLanguage(vscode.env.language);
  // The core's messages (health report, fixes, check descriptions and reasons) come through @vscode/l10n: the same bundle.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const settings = readSettings();
  const engine = new EngineHub(logger.child('engine'), settings.engineHost);
  // The lab terminal's `docker` reaches the engine the checks read (the setting's, when set).
  const terminal = new LabTerminal(logger.child('terminal'), { cwd: () => workspaceFolder(), env: () => dockerCliEnv(engine.endpoint) });
  context.subscriptions.push(engine, terminal);

  const roots = (): LabRoot[] => labRoots(context.extensionUri.fsPath, readSettings().labsFolder);
  const sessionOptions: LabSessionOptions = {
    memento: context.globalState,
    logger: logger.child('session'),
    terminal,
    engine,
    roots,
    isTrusted: () => vscode.workspace.isTrusted,
    confirm: async (message, detail, action) =>
      (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
    notices: {
      info: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
      warning: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
      error: (message) => void vscode.window.showErrorMessage(message),
    },
    executeCommand: (command) => vscode.commands.executeCommand(command),
    liveChecks: () => readSettings().liveChecks,
    workspaceFolder,
  };
  const session = new LabSessionImpl(sessionOptions);
  context.subscriptions.push(session);

  const tree = registerLabsTree(context, { session, logger: logger.child('tree') });
  const engineView = registerEngineView(context, { engine, terminal, logger: logger.child('health') });
  const statusBar = registerStatusBar(context, { session });
  const diagnostics = registerLabDiagnostics(context, { logger: logger.child('diagnostics') });
  registerWalkthrough(context, { session, logger: channel, extensionUri: context.extensionUri });

  const refresh = async (): Promise<void> => {
    await Promise.all([session.reload(), engine.checkHealth().then(() => engineView.sync())]);
  };
  const recorder = createRecorder(context, { engine, logger: logger.child('recorder'), workspaceFolder });
  registerLabCommands(context, { session, logger: logger.child('commands'), refresh, recorder });
  context.subscriptions.push(vscode.commands.registerCommand(Commands.showLog, () => channel.show()));

  const watcher = registerLabWatcher(context, {
    session,
    logger: logger.child('watcher'),
    bundledDir: path.join(context.extensionUri.fsPath, 'labs'),
    labsFolder: () => readSettings().labsFolder,
  });

  // Context keys that drive menus and welcome views.
  const updateContext = (): void => {
    const current = session.current;
    const step = current ? session.getStep(current) : undefined;
    void setContext(ContextKeys.labCount, session.catalog.labs.length + session.catalog.broken.length);
    void setContext(ContextKeys.hasCurrentStep, current !== undefined);
    void setContext(ContextKeys.currentStepHasService, firstHttpCheck(step?.check) !== undefined);
    if (current) void setContext(ContextKeys.openedLab, true);
  };
  context.subscriptions.push(
    session.onDidChange(updateContext),
    session.onDidRunCommand(() => void setContext(ContextKeys.ranFirstCommand, true)),
  );

  // On every configuration event, the settings are read again and compared with the values in
  // use: an event does not always name every key whose value changed. At start-up in
  // code-server, `containerLabs.engine.host` was seen to change in events that named other keys
  // only; asking the event about the key kept the endpoint read at activation (the default
  // socket), and the Docker Engine view never appeared for an endpoint without an engine.
  let inUse = settings;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(() => {
      const before = inUse;
      inUse = readSettings();
      if (inUse.labsFolder !== before.labsFolder) {
        watcher.rewatch();
        runDetached(session.reload(), logFailure(logger, 'reloading labs'));
      }
      if (inUse.engineHost !== before.engineHost) {
        engine.setOverride(inUse.engineHost);
        runDetached(engine.checkHealth(), logFailure(logger, 'checking the engine'));
      }
      if (inUse.liveChecks !== before.liveChecks) {
        session.restartLiveCheck();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      logger.info('workspace trusted: workspace labs may act now');
      // Live checks start, the walkthrough and the status bar redraw: no reload needed.
      session.trustChanged();
      tree.provider.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      watcher.rewatch();
      runDetached(session.reload(), logFailure(logger, 'reloading labs'));
    }),
  );

  context.subscriptions.push(engine.watchHealth());
  const ready = Promise.all([session.reload(), engine.checkHealth()]).then(async () => {
    // The Docker Engine view follows the hub's health by itself (EngineView.sync). Never show
    // the report this first check returned: when the endpoint setting arrived after that
    // check had ended, its "ok" is about the default socket, and showing it after the new
    // endpoint's problem hid the view for good (the start-up race of the no-engine UI test).
    await engineView.settled();
    updateContext();
    logger.info(`ready ${Math.round(performance.now() - started)} ms after activation began`);
  });

  const activationMs = Math.round((performance.now() - started) * 10) / 10;
  logger.info(`activated in ${activationMs} ms (VS Code ${vscode.version})`);

  return {
    session,
    engine,
    engineView,
    terminal,
    tree,
    statusBar,
    diagnostics,
    activationMs,
    ready,
    createSession: (overrides) => new LabSessionImpl({ ...sessionOptions, ...overrides }),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** The bundled labs, then the labs folder of every workspace folder. */
export function labRoots(extensionPath: string, labsFolder: string): LabRoot[] {
  const roots: LabRoot[] = [{ dir: path.join(extensionPath, 'labs'), origin: 'bundled' }];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const dir = path.isAbsolute(labsFolder) ? labsFolder : path.join(folder.uri.fsPath, labsFolder);
    if (!roots.some((r) => r.dir === dir)) roots.push({ dir, origin: 'workspace' });
  }
  return roots;
}
