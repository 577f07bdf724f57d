/**
 * Per lab and step progress, kept in a state store (the extension's global state) under a
 * versioned key. No `vscode` import.
 * It survives reloads and updates of the lab files: steps that no longer exist are
 * dropped when the catalog is applied, the rest is kept as it was.
 */
import type { Catalog } from '../model';
import { maskSecrets } from '../text';
import { STATE_KEYS, type StateStore, type StepRef, type StepState, type StepStatus } from './types';

/**
 * What is stored for one step (the full CheckResult is not kept, only its reason, with secrets
 * masked: a failing logs check quotes the container's last line, which may hold a token).
 */
export interface StoredStep {
  status: StepStatus;
  reason?: string;
  openedAt?: number;
  passedAt?: number;
  answer?: number[];
  hintsShown: number;
  solutionShown: boolean;
  attempts?: number;
}

export interface StoredLab {
  steps: Record<string, StoredStep>;
}

export interface StoredProgressV1 {
  version: 1;
  labs: Record<string, StoredLab>;
  current?: StepRef;
}

const STATUSES: readonly StepStatus[] = ['not-started', 'current', 'passed', 'failed', 'error'];

export class ProgressStore {
  private data: StoredProgressV1;

  constructor(private readonly memento: StateStore) {
    this.data = parseProgress(memento.get<unknown>(STATE_KEYS.progress));
  }

  get current(): StepRef | undefined {
    return this.data.current;
  }

  get(ref: StepRef): StoredStep | undefined {
    if (!own(this.data.labs, ref.labId)) return undefined;
    const steps = this.data.labs[ref.labId].steps;
    return own(steps, ref.stepId) ? steps[ref.stepId] : undefined;
  }

  labIds(): string[] {
    return Object.keys(this.data.labs);
  }

  async set(ref: StepRef, state: StepState): Promise<void> {
    const lab = own(this.data.labs, ref.labId) ? this.data.labs[ref.labId] : (this.data.labs[ref.labId] = { steps: Object.create(null) as Record<string, StoredStep> });
    lab.steps[ref.stepId] = toStored(state);
    await this.save();
  }

  async setCurrent(ref: StepRef | undefined): Promise<void> {
    this.data.current = ref ? { labId: ref.labId, stepId: ref.stepId } : undefined;
    await this.save();
  }

  async resetStep(ref: StepRef): Promise<void> {
    if (own(this.data.labs, ref.labId)) {
      delete this.data.labs[ref.labId].steps[ref.stepId];
    }
    await this.save();
  }

  async resetLab(labId: string): Promise<void> {
    delete this.data.labs[labId];
    if (this.data.current?.labId === labId) {
      this.data.current = undefined;
    }
    await this.save();
  }

  /**
   * Drop steps that vanished from labs that still exist. Labs missing from the catalog
   * are kept: a workspace folder may simply not be open right now.
   */
  async prune(catalog: Catalog): Promise<boolean> {
    let changed = false;
    for (const lab of catalog.labs) {
      if (!own(this.data.labs, lab.id)) {
        continue;
      }
      const ids = new Set(lab.steps.map((s) => s.id));
      for (const stepId of Object.keys(this.data.labs[lab.id].steps)) {
        if (!ids.has(stepId)) {
          delete this.data.labs[lab.id].steps[stepId];
          changed = true;
        }
      }
    }
    const current = this.data.current;
    if (current) {
      const lab = catalog.labs.find((l) => l.id === current.labId);
      if (lab && !lab.steps.some((s) => s.id === current.stepId)) {
        this.data.current = undefined;
        changed = true;
      }
    }
    if (changed) {
      await this.save();
    }
    return changed;
  }

  private save(): PromiseLike<void> {
    return this.memento.update(STATE_KEYS.progress, this.data);
  }
}

function own(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function toStored(state: StepState): StoredStep {
  const stored: StoredStep = { status: state.status, hintsShown: state.hintsShown, solutionShown: state.solutionShown };
  if (state.reason !== undefined) stored.reason = maskSecrets(state.reason);
  if (state.openedAt !== undefined) stored.openedAt = state.openedAt;
  if (state.passedAt !== undefined) stored.passedAt = state.passedAt;
  if (state.answer !== undefined) stored.answer = [...state.answer];
  if (state.attempts !== undefined) stored.attempts = state.attempts;
  return stored;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStep(value: unknown): StoredStep | undefined {
  if (!isRecord(value)) return undefined;
  const status = STATUSES.find((s) => s === value.status);
  if (!status) return undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const step: StoredStep = {
    status,
    hintsShown: Math.max(0, Math.floor(num(value.hintsShown) ?? 0)),
    solutionShown: value.solutionShown === true,
  };
  // Masked again on the way in: progress stored by an older build kept reasons as they were.
  if (typeof value.reason === 'string') step.reason = maskSecrets(value.reason);
  const openedAt = num(value.openedAt);
  if (openedAt !== undefined) step.openedAt = openedAt;
  const passedAt = num(value.passedAt);
  if (passedAt !== undefined) step.passedAt = passedAt;
  if (Array.isArray(value.answer) && value.answer.every((n) => typeof n === 'number')) step.answer = value.answer.map(Number);
  const attempts = num(value.attempts);
  if (attempts !== undefined && attempts >= 0) step.attempts = Math.floor(attempts);
  return step;
}

/** Reads whatever is stored, keeping only well-formed parts (state may be from an older build). */
export function parseProgress(value: unknown): StoredProgressV1 {
  const result: StoredProgressV1 = { version: 1, labs: Object.create(null) as Record<string, StoredLab> };
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.labs)) {
    return result;
  }
  for (const [labId, lab] of Object.entries(value.labs)) {
    if (!isRecord(lab) || !isRecord(lab.steps)) continue;
    const steps = Object.create(null) as Record<string, StoredStep>;
    for (const [stepId, step] of Object.entries(lab.steps)) {
      const parsed = parseStep(step);
      if (parsed) steps[stepId] = parsed;
    }
    result.labs[labId] = { steps };
  }
  const current = value.current;
  if (isRecord(current) && typeof current.labId === 'string' && typeof current.stepId === 'string') {
    result.current = { labId: current.labId, stepId: current.stepId };
  }
  return result;
}
