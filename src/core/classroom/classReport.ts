/**
 * A class's progress from any number of progress files (see progressFile.ts): completion per
 * lab and step, where students are stuck and why, time per lab, and partial scores from the
 * steps' `points:`. Pure: the caller reads the files. No `vscode` import.
 *
 * Every file is either counted or reported with why not (malformed, an older or newer format,
 * a duplicate of another student's file, only labs this class does not have): none stops the
 * others.
 */
import type { Lab } from '../model';
import { parseProgressFile, stepPoints, type ProgressFileLab, type ProgressFileStep, type ProgressFileV1, type ProgressProblemKind } from './progressFile';

/** One file as the caller found it: its text, or why it could not be read. */
export interface ProgressInput {
  /** How the file is named in the report (a path relative to where the command ran). */
  name: string;
  text?: string;
  readError?: string;
}

export interface FileProblem {
  file: string;
  kind: ProgressProblemKind;
  message: string;
}

export interface ReasonCount {
  reason: string;
  students: number;
}

export interface StepSummary {
  id: string;
  title: string;
  points: number;
  /** Students who passed it. */
  passed: number;
  /** Students whose first step not passed in this lab (which they started, and did not finish) is this one. */
  stuck: number;
  /** The last reasons of the students stuck here, most common first (ties by text), at most 3. */
  reasons: ReasonCount[];
}

export interface LabSummary {
  id: string;
  title: string;
  /** The lab file's version (or the newest export's, without lab files). */
  version?: string;
  steps: StepSummary[];
  maxPoints: number;
  /** Students who opened or passed any step. */
  started: number;
  /** Students who passed every step. */
  completed: number;
  /** Whole minutes from the first step opened to the last step passed, of the students who completed it. */
  minutes: { median: number; min: number; max: number } | undefined;
  /** Students whose export names another version of the lab. */
  otherVersion: number;
}

export interface StudentLab {
  score: number;
  max: number;
  passed: number;
  steps: number;
  started: boolean;
  completed: boolean;
  /** Minutes the lab took (completed labs). */
  minutes?: number;
  /** The step they are stuck on (started, not completed). */
  stuckAt?: string;
}

export interface StudentRow {
  /** The name in the file, or the folder/file it came from. */
  student: string;
  file: string;
  exportedAt: string;
  extension: string;
  labs: Record<string, StudentLab>;
  score: number;
  max: number;
}

export interface ClassReport {
  generatedAt: string;
  /** Files looked at. */
  files: number;
  labs: LabSummary[];
  students: StudentRow[];
  problems: FileProblem[];
  /** Notes that do not stop a file from counting (labs of a file that the class does not have). */
  notes: string[];
}

interface Accepted {
  name: string;
  file: ProgressFileV1;
  text: string;
}

interface LabDefinition {
  id: string;
  title: string;
  version?: string;
  steps: Array<{ id: string; title: string; points: number }>;
}

function fromLab(lab: Lab): LabDefinition {
  const def: LabDefinition = { id: lab.id, title: lab.title, steps: lab.steps.map((s) => ({ id: s.id, title: s.title, points: stepPoints(s) })) };
  if (lab.version !== undefined) def.version = lab.version;
  return def;
}

function fromExport(lab: ProgressFileLab): LabDefinition {
  const def: LabDefinition = { id: lab.id, title: lab.title, steps: lab.steps.map((s) => ({ id: s.id, title: s.title, points: s.points })) };
  if (lab.version !== undefined) def.version = lab.version;
  return def;
}

function identity(file: ProgressFileV1): string | undefined {
  const name = file.student?.trim().toLowerCase();
  return name ? name : undefined;
}

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

/** The name shown for a student without a name in the file: the folder that holds it (a classroom repository), or the file. */
function fallbackName(name: string): string {
  const parts = name.split(/[\\/]/).filter(Boolean);
  return parts.length >= 2 ? (parts[parts.length - 2] ?? name) : name;
}

export interface ClassReportOptions {
  /** The class's labs (their files): titles, order and points from here, other labs in the files are foreign. */
  labs?: readonly Lab[];
  now?: Date;
}

export function classReport(inputs: readonly ProgressInput[], opts: ClassReportOptions = {}): ClassReport {
  const problems: FileProblem[] = [];
  const notes: string[] = [];
  const parsed: Accepted[] = [];
  for (const input of inputs) {
    if (input.text === undefined) {
      problems.push({ file: input.name, kind: 'unreadable', message: input.readError ?? 'cannot be read' });
      continue;
    }
    const read = parseProgressFile(input.text);
    if (!read.ok) problems.push({ file: input.name, kind: read.kind, message: read.message });
    else parsed.push({ name: input.name, file: read.file, text: input.text });
  }

  // The class's labs: the lab files', or every lab the files name (the newest export's steps).
  let definitions: LabDefinition[];
  const known = opts.labs !== undefined && opts.labs.length > 0;
  if (opts.labs !== undefined && known) {
    definitions = opts.labs.map(fromLab);
  } else {
    const newest = new Map<string, { at: number; lab: ProgressFileLab }>();
    const order: string[] = [];
    for (const a of parsed) {
      const at = time(a.file.exportedAt) ?? 0;
      for (const lab of a.file.labs) {
        const seen = newest.get(lab.id);
        if (!seen) order.push(lab.id);
        if (!seen || at > seen.at) newest.set(lab.id, { at, lab });
      }
    }
    definitions = order.flatMap((id) => {
      const n = newest.get(id);
      return n ? [fromExport(n.lab)] : [];
    });
  }
  const labIds = new Set(definitions.map((d) => d.id));

  // Foreign files (none of the class's labs) and foreign labs inside counted files.
  const relevant: Accepted[] = [];
  // Other labs in counted files (the bundled course, another workshop's): one note per lab, not per file.
  const otherLabs = new Map<string, number>();
  for (const a of parsed) {
    const foreign = a.file.labs.filter((l) => !labIds.has(l.id)).map((l) => l.id);
    if (a.file.labs.length > 0 && foreign.length === a.file.labs.length) {
      problems.push({ file: a.name, kind: 'foreign-lab', message: `only labs this class does not have: ${foreign.join(', ')}` });
      continue;
    }
    for (const id of foreign) otherLabs.set(id, (otherLabs.get(id) ?? 0) + 1);
    relevant.push(a);
  }
  if (otherLabs.size > 0) {
    notes.push(`labs not in this class were left out: ${[...otherLabs.entries()].map(([id, n]) => `${id} (${n} ${n === 1 ? 'file' : 'files'})`).join(', ')}`);
  }

  // Duplicates: the same file twice, or two files of one student (the newest export counts).
  const byText = new Map<string, string>();
  const byStudent = new Map<string, Accepted>();
  const unique: Accepted[] = [];
  for (const a of relevant) {
    const same = byText.get(a.text);
    if (same !== undefined) {
      problems.push({ file: a.name, kind: 'duplicate', message: `the same file as ${same}` });
      continue;
    }
    byText.set(a.text, a.name);
    unique.push(a);
  }
  const counted: Accepted[] = [];
  for (const a of unique) {
    const who = identity(a.file);
    if (who === undefined) {
      counted.push(a);
      continue;
    }
    const other = byStudent.get(who);
    if (!other) {
      byStudent.set(who, a);
      counted.push(a);
      continue;
    }
    const newer = (time(a.file.exportedAt) ?? 0) > (time(other.file.exportedAt) ?? 0);
    const [keep, drop] = newer ? [a, other] : [other, a];
    problems.push({ file: drop.name, kind: 'duplicate', message: `another export of ${drop.file.student ?? who}: ${keep.name} is newer and counts` });
    if (newer) {
      counted.splice(counted.indexOf(other), 1, a);
      byStudent.set(who, a);
    }
  }

  counted.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const students: StudentRow[] = counted.map((a) => studentRow(a, definitions));
  const labs: LabSummary[] = definitions.map((def) => labSummary(def, counted, students));

  problems.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  return { generatedAt: (opts.now ?? new Date()).toISOString(), files: inputs.length, labs, students, problems, notes };
}

function stepOf(lab: ProgressFileLab | undefined, stepId: string): ProgressFileStep | undefined {
  return lab?.steps.find((s) => s.id === stepId);
}

function studentLab(def: LabDefinition, lab: ProgressFileLab | undefined): StudentLab {
  let score = 0;
  let max = 0;
  let passed = 0;
  let started = false;
  let stuckAt: string | undefined;
  let first: number | undefined;
  let last: number | undefined;
  for (const s of def.steps) {
    max += s.points;
    const got = stepOf(lab, s.id);
    if (got && (got.state !== 'not-started' || got.openedAt !== undefined)) started = true;
    const opened = time(got?.openedAt);
    if (opened !== undefined) first = first === undefined ? opened : Math.min(first, opened);
    if (got?.state === 'passed') {
      score += s.points;
      passed += 1;
      const at = time(got.passedAt);
      if (at !== undefined) last = last === undefined ? at : Math.max(last, at);
    } else if (stuckAt === undefined) {
      stuckAt = s.id;
    }
  }
  const completed = def.steps.length > 0 && passed === def.steps.length;
  const row: StudentLab = { score, max, passed, steps: def.steps.length, started, completed };
  if (completed && first !== undefined && last !== undefined && last >= first) row.minutes = Math.round((last - first) / 60_000);
  if (started && !completed && stuckAt !== undefined) row.stuckAt = stuckAt;
  return row;
}

function studentRow(a: Accepted, definitions: LabDefinition[]): StudentRow {
  const labs: Record<string, StudentLab> = Object.create(null) as Record<string, StudentLab>;
  let score = 0;
  let max = 0;
  for (const def of definitions) {
    const row = studentLab(def, a.file.labs.find((l) => l.id === def.id));
    labs[def.id] = row;
    score += row.score;
    max += row.max;
  }
  return { student: a.file.student ?? fallbackName(a.name), file: a.name, exportedAt: a.file.exportedAt, extension: a.file.extension, labs, score, max };
}

function labSummary(def: LabDefinition, counted: Accepted[], students: StudentRow[]): LabSummary {
  const rows = students.map((s) => s.labs[def.id]).filter((r): r is StudentLab => r !== undefined);
  const times = rows.flatMap((r) => (r.minutes === undefined ? [] : [r.minutes]));
  const steps: StepSummary[] = def.steps.map((s) => {
    const reasons = new Map<string, number>();
    let passed = 0;
    let stuck = 0;
    counted.forEach((a, k) => {
      const got = stepOf(a.file.labs.find((l) => l.id === def.id), s.id);
      if (got?.state === 'passed') passed += 1;
      if (students[k]?.labs[def.id]?.stuckAt === s.id) {
        stuck += 1;
        if (got?.reason) reasons.set(got.reason, (reasons.get(got.reason) ?? 0) + 1);
      }
    });
    const top = [...reasons.entries()]
      .map(([reason, n]) => ({ reason, students: n }))
      .sort((x, y) => y.students - x.students || (x.reason < y.reason ? -1 : x.reason > y.reason ? 1 : 0))
      .slice(0, 3);
    return { id: s.id, title: s.title, points: s.points, passed, stuck, reasons: top };
  });
  const otherVersion = def.version === undefined ? 0 : counted.filter((a) => {
    const lab = a.file.labs.find((l) => l.id === def.id);
    return lab !== undefined && lab.version !== def.version;
  }).length;
  const summary: LabSummary = {
    id: def.id,
    title: def.title,
    steps,
    maxPoints: def.steps.reduce((n, s) => n + s.points, 0),
    started: rows.filter((r) => r.started).length,
    completed: rows.filter((r) => r.completed).length,
    minutes: times.length > 0 ? { median: median(times), min: Math.min(...times), max: Math.max(...times) } : undefined,
    otherVersion,
  };
  if (def.version !== undefined) summary.version = def.version;
  return summary;
}

/** The steps where most students are stuck, across labs, most first (at most `limit`, none with nobody stuck). */
export function stuckSteps(report: ClassReport, limit = 5): Array<{ lab: LabSummary; step: StepSummary }> {
  return report.labs
    .flatMap((lab) => lab.steps.map((step) => ({ lab, step })))
    .filter((x) => x.step.stuck > 0)
    .sort((x, y) => y.step.stuck - x.step.stuck)
    .slice(0, limit);
}
