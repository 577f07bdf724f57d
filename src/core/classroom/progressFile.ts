/**
 * The progress file a student exports ("Container Labs: Export Progress File") and an
 * instructor merges into a class view (`container-labs report`): per lab and step the state,
 * when, attempts and the last reason (secrets masked), with the extension's and the labs'
 * versions and an optional name. Its shape is schemas/progress.schema.json (version 1).
 * No `vscode` import.
 *
 * The file is the student's own: they can edit it. It is a record, not a proof
 * (docs/authoring.md says how to verify live).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { Lab } from '../model';
import type { StepRef, StepState, StepStatus } from '../runtime/types';
import { readSchema } from '../labs/schema';
import { errorMessage, maskSecrets } from '../text';

export const PROGRESS_FORMAT = 'container-labs-progress';
export const PROGRESS_VERSION = 1;
/** The name the extension writes in the workspace; `container-labs report` also reads `*.progress.json`. */
export const PROGRESS_FILE_NAME = 'container-labs-progress.json';
/** Larger files are refused unread (a class of 500 labs of 500 steps stays far below). */
export const MAX_PROGRESS_BYTES = 2_000_000;
const MAX_REASON = 2000;

export interface ProgressFileStep {
  id: string;
  title: string;
  points: number;
  state: StepStatus;
  openedAt?: string;
  passedAt?: string;
  attempts: number;
  reason?: string;
  hintsShown: number;
  solutionShown: boolean;
}

export interface ProgressFileLab {
  id: string;
  title: string;
  version?: string;
  steps: ProgressFileStep[];
}

export interface ProgressFileV1 {
  format: typeof PROGRESS_FORMAT;
  version: typeof PROGRESS_VERSION;
  exportedAt: string;
  extension: string;
  student?: string;
  labs: ProgressFileLab[];
}

/** What a step is worth: its `points:`, 1 when it gives none. */
export function stepPoints(step: { points?: number }): number {
  return step.points ?? 1;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

/** A reason as it may leave the machine: secrets masked, one line, bounded. */
export function exportedReason(reason: string): string {
  const line = maskSecrets(reason).replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}

export interface BuildProgressInput {
  labs: readonly Lab[];
  state: (ref: StepRef) => StepState;
  extensionVersion: string;
  student?: string;
  now?: Date;
}

/** The progress file of the labs given, from the runtime's step states. */
export function buildProgressFile(input: BuildProgressInput): ProgressFileV1 {
  const file: ProgressFileV1 = {
    format: PROGRESS_FORMAT,
    version: PROGRESS_VERSION,
    exportedAt: (input.now ?? new Date()).toISOString(),
    extension: input.extensionVersion,
    labs: input.labs.map((lab) => {
      const out: ProgressFileLab = {
        id: lab.id,
        title: lab.title,
        steps: lab.steps.map((step) => {
          const s = input.state({ labId: lab.id, stepId: step.id });
          const row: ProgressFileStep = {
            id: step.id,
            title: step.title,
            points: stepPoints(step),
            state: s.status,
            attempts: s.attempts ?? 0,
            hintsShown: s.hintsShown,
            solutionShown: s.solutionShown,
          };
          const openedAt = iso(s.openedAt);
          if (openedAt) row.openedAt = openedAt;
          const passedAt = s.status === 'passed' ? iso(s.passedAt) : undefined;
          if (passedAt) row.passedAt = passedAt;
          if (s.reason !== undefined && s.reason.trim() !== '') row.reason = exportedReason(s.reason);
          return row;
        }),
      };
      if (lab.version !== undefined) out.version = lab.version;
      return out;
    }),
  };
  const student = input.student?.replace(/\s+/g, ' ').trim();
  if (student) file.student = student.slice(0, 200);
  return file;
}

/** The file's text: two-space JSON with a final newline (diffs well in a student's repository). */
export function progressFileText(file: ProgressFileV1): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Why a file is not counted. */
export type ProgressProblemKind = 'malformed' | 'old-version' | 'newer-version' | 'duplicate' | 'foreign-lab' | 'unreadable';

export type ReadProgress = { ok: true; file: ProgressFileV1 } | { ok: false; kind: ProgressProblemKind; message: string };

let validator: ValidateFunction<ProgressFileV1> | undefined;

function progressValidator(): ValidateFunction<ProgressFileV1> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    validator = ajv.compile<ProgressFileV1>(readSchema('progress'));
  }
  return validator;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a progress file's text: the file, or why it cannot be counted (never throws). */
export function parseProgressFile(text: string): ReadProgress {
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    return { ok: false, kind: 'malformed', message: `not JSON: ${errorMessage(error)}` };
  }
  if (!isRecord(value) || value.format !== PROGRESS_FORMAT) {
    return { ok: false, kind: 'malformed', message: `not a Container Labs progress file (no "format": "${PROGRESS_FORMAT}")` };
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ok: false, kind: 'malformed', message: 'the file gives no format version' };
  }
  if (version < PROGRESS_VERSION) {
    return { ok: false, kind: 'old-version', message: `format version ${version} is from an older Container Labs; ask the student to update it and export again` };
  }
  if (version > PROGRESS_VERSION) {
    return { ok: false, kind: 'newer-version', message: `format version ${version} is newer than this container-labs reads (${PROGRESS_VERSION}); update container-labs` };
  }
  const validate = progressValidator();
  if (!validate(value)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : 'the file';
    return { ok: false, kind: 'malformed', message: `${where} ${first?.message ?? 'does not match the progress file schema'}` };
  }
  const seen = new Set<string>();
  for (const lab of value.labs) {
    if (seen.has(lab.id)) return { ok: false, kind: 'malformed', message: `lab '${lab.id}' appears twice` };
    seen.add(lab.id);
  }
  return { ok: true, file: value };
}
