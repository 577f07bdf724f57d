/**
 * The one place where the session calls the core's lab loader, placeholders and checks,
 * so the session itself reads in the session's own terms.
 */
import * as os from 'node:os';
import type Dockerode from 'dockerode';
import type { EngineEndpoint } from '../core/engine/connection';
import type { Catalog, Check, CheckResult, Lab, PlaceholderValues } from '../core/model';
import { loadCatalog } from '../core/labs/loader';
import { defaultPlaceholders, ensureLabData, fillCommand } from '../core/labs/placeholders';
import { evaluateCheck, type CheckContext } from '../core/checks/evaluate';
import { LiveCheck } from '../core/checks/live';
import type { EngineEvents } from '../core/checks/events';
import { mentionedBy, type CommandWindows, type ResourceLedger } from '../core/ledger';
import type { LabRoot } from './labSession';

export interface CheckContextInput {
  docker: Dockerode;
  endpoint: EngineEndpoint;
  /** Unix ms when the step was opened. */
  since: number | undefined;
  placeholders: PlaceholderValues;
}

export function loadLabs(roots: LabRoot[]): Promise<Catalog> {
  return loadCatalog(roots.map((r) => ({ path: r.dir, origin: r.origin })));
}

export function placeholdersFor(lab: Lab, workspaceFolder: string | undefined): PlaceholderValues {
  return defaultPlaceholders({ workspaceFolder: workspaceFolder ?? os.homedir(), labId: lab.id });
}

export function prepareLabData(values: PlaceholderValues): Promise<void> {
  return ensureLabData(values);
}

export function fill(text: string, values: PlaceholderValues): string {
  return fillCommand(text, values);
}

export function toCheckContext(ctx: CheckContextInput): CheckContext {
  return {
    docker: ctx.docker,
    publishedHost: ctx.endpoint.publishedHost,
    since: ctx.since,
    placeholders: ctx.placeholders,
    endpoint: ctx.endpoint,
  };
}

export function evaluate(check: Check, ctx: CheckContextInput): Promise<CheckResult> {
  return evaluateCheck(check, toCheckContext(ctx));
}

export function startLiveCheck(
  check: Check,
  ctx: CheckContextInput,
  events: EngineEvents,
  onResult: (result: CheckResult) => void,
): { dispose(): void } {
  const live = new LiveCheck({ check, ctx: toCheckContext(ctx), events });
  const sub = live.onResult(onResult);
  live.checkInBackground();
  return {
    dispose: () => {
      sub.dispose();
      live.dispose();
    },
  };
}

/**
 * Records in `ledger` what the lab's commands create (see `mentionedBy`); a lab that is gone
 * records nothing.
 */
export function attachLedger(
  ledger: ResourceLedger,
  events: EngineEvents,
  docker: () => Dockerode,
  onChange: () => void,
  lab: Lab | undefined,
  windows: CommandWindows,
): { dispose(): void } {
  events.start();
  return ledger.attach(events.onEvent, onChange, lab ? mentionedBy(lab, windows, docker) : () => false);
}
