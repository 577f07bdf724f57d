/**
 * The lab commands (check, run, reset, clean up, report, navigate, services). Each accepts
 * what the tree passes (a node), ids (the webview, tests) or nothing (the palette: the
 * current step). Anything else is refused and logged.
 *
 * Their notifications and dialogs go through the session's port (`session.notices`,
 * `session.confirm`), and lab or engine text in them through `inert(…, 'notification')`: VS
 * Code turns `[label](command:…)` in notification and dialog text into a link that runs it.
 */
import * as vscode from 'vscode';
import type { CheckResult } from '../core/model';
import { Commands } from '../common/commands';
import type { Logger } from '../common/logger';
import { errorMessage, inert } from '../core/text';
import { ContextKeys, setContext } from '../common/settings';
import { progressReport } from '../progress/report';
import { exportProgressFile } from '../progress/exportFile';
import { openServiceLink } from './openService';
import { bundledCli, type LabRecorder } from '../recording/recordLab';
import { restrictedReason } from '../core/runtime/labRuntime';
import type { LabSessionImpl } from './labSession';
import type { StepRef } from './types';
import { isStepNode, labIdFrom, stepRefFrom } from './args';

export interface LabCommandDeps {
  session: LabSessionImpl;
  logger: Logger;
  /** Reloads labs and re-checks the engine. */
  refresh: () => Promise<void>;
  /** Record a Lab / Stop Recording / Test the Recorded Lab. */
  recorder?: LabRecorder;
  /** The extension's context (its folder and version), for the progress file and the bundled CLI; given by registerLabCommands. */
  context?: vscode.ExtensionContext;
}

/** A lab command's handler, as VS Code calls it. */
export type LabCommandHandler = (...args: unknown[]) => Promise<unknown>;

export function registerLabCommands(context: vscode.ExtensionContext, deps: LabCommandDeps): void {
  for (const [id, handler] of labCommandHandlers({ ...deps, context })) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}

/** The lab commands' handlers by command id (registered by `registerLabCommands`; tests call them on a session of their own). */
export function labCommandHandlers(deps: LabCommandDeps): Map<string, LabCommandHandler> {
  const { session, logger } = deps;
  const notices = session.notices;
  const handlers = new Map<string, LabCommandHandler>();
  const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
    handlers.set(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        logger.error(`${id} failed: ${errorMessage(error)}`);
        notices.error(`Container Labs: ${inert(errorMessage(error), 'notification')}`);
        return undefined;
      }
    });
  };

  /** The step the arguments name, or the current one when there are none. */
  const stepOrCurrent = (args: unknown[]): StepRef | undefined => {
    if (args.length === 0 || args[0] === undefined) return session.current;
    const ref = stepRefFrom(args);
    return ref && session.getStep(ref) ? ref : undefined;
  };
  const labOrCurrent = (args: unknown[]): string | undefined => {
    if (args.length === 0 || args[0] === undefined) return session.current?.labId;
    const id = labIdFrom(args);
    return id && session.getLab(id) ? id : undefined;
  };
  const refuse = (id: string, args: unknown[]): undefined => {
    logger.warn(`${id}: refused arguments ${safeJson(args)}`);
    return undefined;
  };

  reg(Commands.refresh, () => deps.refresh());

  reg(Commands.checkStep, async (...args): Promise<CheckResult | undefined> => {
    const ref = stepOrCurrent(args);
    if (!ref) return refuse(Commands.checkStep, args);
    if (!session.canRun(ref.labId)) {
      // Restricted Mode: nothing is checked; say why, with the way to trust.
      session.offerTrust();
      return session.checkNow(ref);
    }
    const result = await session.checkNow(ref);
    // The step by its number, not its title (lab text); the reason through inert.
    const steps = session.getLab(ref.labId)?.steps ?? [];
    const where = `Step ${steps.findIndex((s) => s.id === ref.stepId) + 1} of ${steps.length}`;
    const reason = inert(result.reason, 'notification');
    if (result.status === 'passed') {
      void notices.info(`✓ ${where} passed: ${reason}`);
    } else {
      void notices.warning(`${where}: ${reason}`);
    }
    return result;
  });

  reg(Commands.runStepCommand, async (...args): Promise<boolean> => {
    // (labId, stepId, index) from the webview and tests; (StepNode) from the tree runs the first.
    const fromIds = typeof args[0] === 'string' && typeof args[1] === 'string';
    const fromNode = isStepNode(args[0]) && args.length <= 2;
    const ref = fromIds || fromNode ? stepRefFrom(args) : undefined;
    const index = fromIds ? args[2] : 0;
    if (!ref || typeof index !== 'number' || !Number.isInteger(index) || index < 0 || args.length > 4) {
      refuse(Commands.runStepCommand, args);
      return false;
    }
    const solution = typeof args[3] === 'object' && args[3] !== null && (args[3] as { solution?: unknown }).solution === true;
    const ran = await session.runCommand(ref, index, { solution });
    if (ran) void setContext(ContextKeys.ranFirstCommand, true);
    return ran;
  });

  reg(Commands.resetStep, async (...args) => {
    const ref = stepOrCurrent(args);
    if (!ref) return refuse(Commands.resetStep, args);
    await session.resetStep(ref);
    // What the step's earlier tries left (its own named containers) would be in the way of running it again: offer to remove it.
    await session.removeLeftovers(ref, { rerun: false });
    return true;
  });

  reg(Commands.resetLab, async (...args) => {
    const labId = labOrCurrent(args);
    const lab = labId ? session.getLab(labId) : undefined;
    if (!lab) return refuse(Commands.resetLab, args);
    const confirmed = await session.confirm(
      'Reset your progress in this lab?',
      `${inert(lab.title, 'notification')}\n\nEvery step of this lab goes back to "not started". Containers and images stay; use "Clean Up Lab" for those.`,
      'Reset Lab',
    );
    if (!confirmed) return false;
    await session.resetLab(lab.id);
    return true;
  });

  reg(Commands.cleanupLab, async (...args) => {
    const labId = labOrCurrent(args);
    const lab = labId ? session.getLab(labId) : undefined;
    if (!lab) return refuse(Commands.cleanupLab, args);
    const plan = await session.cleanupPlan(lab.id);
    if (plan.items.length === 0) {
      void notices.info('This lab has created nothing that is left to clean up.');
      return undefined;
    }
    const lines = plan.items.map((i) => inert(`${i.kind} ${i.name}: ${i.why}`, 'notification'));
    const confirmed = await session.confirm(
      `Remove what this lab created? (${lines.length} ${lines.length === 1 ? 'item' : 'items'})`,
      `${inert(lab.title, 'notification')}\n\n${lines.join('\n')}\n\nOnly these, which the lab's own commands created; nothing else is touched.`,
      'Remove',
    );
    if (!confirmed) return undefined;
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Cleaning up the lab…' }, () => session.cleanupLab(plan));
    const refused = report.items.filter((i) => i.outcome === 'refused');
    const summary = `Cleaned up the lab: ${report.removed} removed, ${report.alreadyGone} already gone${report.refused ? `, ${report.refused} refused` : ''}.`;
    if (refused.length > 0) {
      void notices.warning(`${summary} ${inert(refused.map((f) => `${f.kind} ${f.name}: ${f.reason ?? 'refused'}`).join('; '), 'notification')}`);
    } else {
      void notices.info(summary);
    }
    return report;
  });

  reg(Commands.exportReport, async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: progressReport(session) });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  });

  const extensionContext = (): vscode.ExtensionContext => {
    if (!deps.context) throw new Error('the lab commands were not registered with the extension\'s context');
    return deps.context;
  };
  reg(Commands.exportProgressFile, (arg) => exportProgressFile(extensionContext(), session, arg));
  reg(Commands.recordLab, (arg) => deps.recorder?.start(arg));
  reg(Commands.stopRecording, () => deps.recorder?.stop());
  reg(Commands.testRecordedLab, () => deps.recorder?.test(bundledCli(extensionContext())));

  reg(Commands.interrupt, () => {
    session.interrupt();
  });

  reg(Commands.openService, async (...args) => {
    const ref = stepOrCurrent(args);
    if (!ref) return refuse(Commands.openService, args);
    const link = await session.findService(ref);
    if (!link) {
      void notices.warning(
        session.canRun(ref.labId)
          ? 'No running container of this step publishes its port yet. Run the step\'s command first; Jupyter takes a few seconds to start.'
          : restrictedReason(),
      );
      return undefined;
    }
    logger.info(`opening ${link.label}${link.pathProxied ? ' (behind a path proxy: told the student what works)' : ''}`);
    await openServiceLink(link);
    return link.uri.toString();
  });

  const go = async (direction: 'next' | 'previous', args: unknown[]): Promise<StepRef | undefined> => {
    const ref = stepOrCurrent(args);
    if (!ref) return undefined;
    const target = direction === 'next' ? session.next(ref) : session.previous(ref);
    if (!target) {
      void notices.info(direction === 'next' ? 'This is the last step.' : 'This is the first step.');
      return undefined;
    }
    await session.openStep(target);
    await vscode.commands.executeCommand(Commands.openWalkthrough, target.labId, target.stepId);
    return target;
  };
  reg(Commands.nextStep, (...args) => go('next', args));
  reg(Commands.previousStep, (...args) => go('previous', args));

  reg(Commands.openLabFile, async (...args) => {
    const [file, line, col] = args;
    if (typeof file !== 'string' || !isCatalogFile(session, file)) return refuse(Commands.openLabFile, args);
    const l = typeof line === 'number' && line > 0 ? line - 1 : 0;
    const c = typeof col === 'number' && col > 0 ? col - 1 : 0;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const position = new vscode.Position(l, c);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position) });
    return true;
  });

  reg(Commands.openFirstLab, async () => {
    const first = session.catalog.courses[0]?.labs.map((id) => session.getLab(id)).find((l) => l) ?? session.catalog.labs[0];
    if (!first || first.steps.length === 0) {
      void notices.warning('No labs were found.');
      return undefined;
    }
    await vscode.commands.executeCommand(Commands.openWalkthrough, first.id, first.steps[0].id);
    return first.id;
  });
  return handlers;
}

/** Only files the catalog knows (loaded or broken) are opened by id from a command. */
function isCatalogFile(session: LabSessionImpl, file: string): boolean {
  const c = session.catalog;
  return c.labs.some((l) => l.source.file === file) || c.broken.some((b) => b.file === file) || c.courses.some((k) => k.source.file === file);
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'object' && v !== null && 'kind' in v ? `[${String((v).kind)} node]` : v));
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return '[unserialisable]';
  }
}
