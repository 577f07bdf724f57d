/**
 * The runtime's ownership bookkeeping, per lab: what its commands may create (claims), their
 * command windows, the recorder that feeds engine events through the ownership rule, and the
 * lab's ledger, kept in the state store. Clean-up plans and removals go through here.
 * No `vscode` import.
 */
import type Dockerode from 'dockerode';
import type { EngineEvents } from '../checks/events';
import type { Lab } from '../model';
import { ResourceLedger } from '../ledger';
import { errorMessage } from '../text';
import { cleanupLedger, planCleanup, runCleanup, type CleanupPlan, type CleanupReport } from './cleanup';
import { CommandWindows, dockerLookup, type CommandSource, type CommandWindow, type EngineLookup, type LabClaims } from './ownership';
import { OwnershipRecorder } from './recorder';
import { STATE_KEYS, type RuntimeLog, type StateStore } from './types';

export interface LabLedgersOptions {
  store: StateStore;
  /** The engine now (a new endpoint means a new client and event stream: call `engineChanged`). */
  engine: () => { docker: Dockerode; events: EngineEvents };
  /** The lab of an id, and what its commands may create (placeholders filled). */
  claimsOf: (labId: string) => LabClaims;
  /** Saves in the background, in order, with the runtime's other state. */
  save: (work: () => PromiseLike<unknown>, what: string) => void;
  log: RuntimeLog;
  now: () => number;
  commandWindowMaxMs?: number;
  commandTailMs?: number;
}

interface LabOwnership {
  ledger: ResourceLedger;
  windows: CommandWindows;
  recorder: OwnershipRecorder;
  claims: LabClaims;
}

const NO_REPORT: CleanupReport = { items: [], removed: 0, alreadyGone: 0, refused: 0 };

export class LabLedgers {
  private readonly ownerships = new Map<string, LabOwnership>();
  private readonly ledgers = new Map<string, ResourceLedger>();
  private lookupCache: { docker: Dockerode; lookup: EngineLookup } | undefined;
  /** The lookups of the present engine (the recorders ask through this, so an engine change reaches them). */
  private readonly lookup: EngineLookup = {
    container: (id) => this.currentLookup().container(id),
    imageCmd: (image) => this.currentLookup().imageCmd(image),
    volume: (name) => this.currentLookup().volume(name),
    network: (name) => this.currentLookup().network(name),
    image: (ref) => this.currentLookup().image(ref),
    unnamedContainersSince: (since) => this.currentLookup().unnamedContainersSince(since),
  };

  constructor(private readonly opts: LabLedgersOptions) {
    const stored = opts.store.get<unknown>(STATE_KEYS.ledger);
    if (typeof stored !== 'object' || stored === null) return;
    for (const [labId, json] of Object.entries(stored)) {
      try {
        this.ledgers.set(labId, ResourceLedger.fromJSON(json));
      } catch (error) {
        opts.log.warn(`dropping the stored ledger of ${labId}: ${errorMessage(error)}`);
      }
    }
  }

  private currentLookup(): EngineLookup {
    const docker = this.opts.engine().docker;
    if (this.lookupCache?.docker !== docker) this.lookupCache = { docker, lookup: dockerLookup(docker) };
    return this.lookupCache.lookup;
  }

  /** A lab's machinery, made (and attached to the event stream) on first use. */
  ensure(labId: string): void {
    this.ownership(labId);
  }

  private ownership(labId: string): LabOwnership {
    const existing = this.ownerships.get(labId);
    if (existing) return existing;
    const ledger = this.ledgers.get(labId) ?? new ResourceLedger(labId, this.opts.now());
    this.ledgers.set(labId, ledger);
    const windowOpts: { maxMs?: number; tailMs?: number; now: () => number } = { now: this.opts.now };
    if (this.opts.commandWindowMaxMs !== undefined) windowOpts.maxMs = this.opts.commandWindowMaxMs;
    if (this.opts.commandTailMs !== undefined) windowOpts.tailMs = this.opts.commandTailMs;
    const windows = new CommandWindows(windowOpts);
    const recorder = new OwnershipRecorder({
      ledger,
      windows,
      lookup: this.lookup,
      onChange: () => this.saveAll(),
      onError: (error) => this.opts.log.warn(`ledger of ${labId}: an engine event could not be judged: ${errorMessage(error)}`),
    });
    const own: LabOwnership = { ledger, windows, recorder, claims: this.opts.claimsOf(labId) };
    this.ownerships.set(labId, own);
    this.attach(own);
    return own;
  }

  private attach(own: LabOwnership): void {
    const events = this.opts.engine().events;
    own.recorder.attach(events.onEvent);
    events.start();
  }

  /** The labs' commands may have changed (the catalog was loaded again). */
  refreshClaims(lab: Lab | undefined, claims: LabClaims): void {
    const own = lab ? this.ownerships.get(lab.id) : undefined;
    if (own) own.claims = claims;
  }

  /** Ids of the labs whose machinery exists. */
  get labIds(): string[] {
    return [...this.ownerships.keys()];
  }

  /** Opens the window of a lab command: what it creates may be the lab's (`lateMs`: see CommandWindow). */
  openWindow(labId: string, text: string, source: CommandSource, lateMs = 0): { window: CommandWindow; end: () => void } {
    const own = this.ownership(labId);
    return own.windows.begin(text, source, own.claims, this.lookup, lateMs);
  }

  /** A new endpoint: new lookups, the recorders on the new event stream. */
  engineChanged(): void {
    this.lookupCache = undefined;
    for (const own of this.ownerships.values()) this.attach(own);
  }

  has(labId: string): boolean {
    return this.ledgers.has(labId);
  }

  /** Whether one of the lab's commands is running (or ended a moment ago). */
  commandsRunning(labId: string): boolean {
    return this.ownerships.get(labId)?.windows.open ?? false;
  }

  get(labId: string): ResourceLedger | undefined {
    return this.ledgers.get(labId);
  }

  async plan(labId: string): Promise<CleanupPlan> {
    const ledger = this.ledgers.get(labId);
    if (!ledger) return { labId, items: [], gone: [] };
    await ledger.settled();
    return planCleanup(this.opts.engine().docker, ledger);
  }

  async remove(plan: CleanupPlan): Promise<CleanupReport> {
    const ledger = this.ledgers.get(plan.labId);
    if (!ledger) return NO_REPORT;
    const report = await runCleanup(this.opts.engine().docker, ledger, plan);
    this.saveAll();
    this.opts.log.info(`cleanup ${plan.labId}: ${report.removed} removed, ${report.alreadyGone} already gone, ${report.refused} refused`);
    return report;
  }

  async planAndRemove(labId: string): Promise<{ plan: CleanupPlan; report: CleanupReport }> {
    const ledger = this.ledgers.get(labId);
    if (!ledger) return { plan: { labId, items: [], gone: [] }, report: NO_REPORT };
    const done = await cleanupLedger(this.opts.engine().docker, ledger);
    this.saveAll();
    return done;
  }

  private saveAll(): void {
    const out: Record<string, unknown> = {};
    for (const [labId, ledger] of this.ledgers) out[labId] = ledger.toJSON();
    this.opts.save(() => this.opts.store.update(STATE_KEYS.ledger, out), 'saving the ledgers');
  }

  dispose(): void {
    for (const own of this.ownerships.values()) own.recorder.dispose();
  }
}
