/**
 * Loads lab (`*.lab.yaml`) and course (`*.course.yaml`) files into the model.
 *
 * Order of checks for one file: size (1 MB) -> YAML (syntax, warnings such as unknown
 * tags, duplicate keys, forbidden keys, aliases) -> JSON Schema (schemas/*.schema.json)
 * -> placeholders -> meaning (duplicate step ids, quiz answers, exit code vs state) ->
 * lint of the commands. Every problem is a LabIssue with file, line and column.
 *
 * Lint rules (documented for authors in the schema descriptions):
 *   error   a step whose commands change Docker state (run, create, start, stop, rm, rmi,
 *           pull, tag, push, build, volume create/rm, prune...) has no `check`;
 *   error   a command that removes things (rm -f, rmi, image rm, volume rm, any prune) is
 *           not marked `destructive: true`;
 *   error   a solution command needs a terminal (`-it`, attach): the CLI runner has none;
 *   warning a command needs a terminal (`docker run -it` without -d, `exec -it`, `attach`,
 *           `start -ai`) and is not marked `interactive: true`;
 *   warning a step with such a command has no `solution.commands` for the CLI runner.
 * A step may have a quiz together with commands and a check.
 *
 * A file with errors does not load; in a catalog it becomes a `broken` entry and every
 * other file still loads.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { BrokenLab, Catalog, Course, Lab, LabCommand, LabIssue, LabSource, PlaceholderValues, Step } from '../model';
import { changesState, describeCall, type DockerCall, dockerCalls, isDestructive, needsTerminal } from './dockerCommands';
import { fillCommand, findPlaceholders, isPlaceholderName, PlaceholderError, unknownPlaceholderMessage } from './placeholders';
import type { ValidateFunction } from 'ajv';
import { courseValidator, labValidator, type RawCommand, type RawLab, type RawStep, type RawTranslation, renderPath, translationValidator, validateAgainst } from './schema';
import { issue, MAX_FILE_BYTES, type PathSegment, type Position, readYaml, tooLargeMessage, type YamlSource } from './yamlSource';
import { errorMessage } from '../text';
import { normalizeImageRef } from '../images';
import { checkProblems } from '../checks/meaning';
import { checkFromSchema } from './checkFromSchema';
import { offersStop, serviceCheck } from '../runtime/steps';
import { applyTranslation, baseLabFile, labLanguage, pickLanguage, translationDrift, translationLanguage } from './translation';

export type Origin = LabSource['origin'];
export type FileKind = 'lab' | 'course' | 'translation';

const LAB_FILE = /\.lab\.ya?ml$/i;
const COURSE_FILE = /\.course\.ya?ml$/i;
const ID = /^[a-z0-9][a-z0-9-]*$/;

/** `lab` for *.lab.yaml, `course` for *.course.yaml, `translation` for *.lab.<language>.yaml (also .yml), otherwise undefined. */
export function fileKind(file: string): FileKind | undefined {
  if (COURSE_FILE.test(file)) return 'course';
  if (LAB_FILE.test(file)) return 'lab';
  if (translationLanguage(file) !== undefined) return 'translation';
  return undefined;
}

function byPosition(a: LabIssue, b: LabIssue): number {
  return a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}

function hasErrors(issues: readonly LabIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

interface Analysis {
  issues: LabIssue[];
  /** The declared id, when it can be read, even from a broken file. */
  idHint?: string;
  idAt?: Position;
}

interface LabAnalysis extends Analysis {
  lab?: Lab;
}

interface CourseAnalysis extends Analysis {
  course?: Course;
  /** Where each entry of `labs` is written. */
  labAt: Position[];
  /** The ids `labs` lists, when it is a list of ids (also in a course with other errors). */
  listed?: string[];
}

function declaredId(src: YamlSource): { idHint?: string; idAt?: Position } {
  try {
    const id: unknown = src.doc.get('id');
    if (typeof id === 'string' && ID.test(id)) return { idHint: id, idAt: src.locate(['id']) };
  } catch {
    // the document is not a mapping
  }
  return {};
}

function emptyFileMessage(kind: FileKind): string {
  switch (kind) {
    case 'lab':
      return 'the file is empty; a lab needs id, title, summary, minutes and steps';
    case 'course':
      return 'the file is empty; a course needs id, title, summary and labs';
    case 'translation':
      return 'the file is empty; a translation needs translationOf (the lab id) and steps';
  }
}

/** The YAML and schema stages shared by labs and courses. */
function readAndValidate<T>(
  text: string,
  file: string,
  kind: FileKind,
  validate: ValidateFunction<T>,
): { src: YamlSource; value?: T; issues: Array<LabIssue & { path?: string }>; data?: unknown } {
  const src = readYaml(text, file);
  if (src.issues.length > 0) return { src, issues: src.issues };
  if (src.data === null || src.data === undefined) {
    return { src, issues: [issue(file, { line: 1, col: 1 }, emptyFileMessage(kind))] };
  }
  const { value, problems } = validateAgainst(validate, src.data, kind);
  const issues = problems.map((p) => ({ ...issue(file, src.locate(p.path, p.atKey), p.message), path: renderPath(p.path) }));
  return { src, value, issues, data: src.data };
}

/** Drops the internal `path` a schema issue carries. */
function plainIssue(i: LabIssue & { path?: string }): LabIssue {
  return { file: i.file, line: i.line, col: i.col, message: i.message, severity: i.severity };
}

// ---------------------------------------------------------------------------------------
// Placeholders

/** Values used only to check that every placeholder in a command can be filled safely. */
const PROBE_VALUES: PlaceholderValues = {
  workspaceFolder: '/workspace',
  userHome: '/home/user',
  labData: '/workspace/.container-labs/data/lab',
  registry: 'localhost:5000',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The strings of a lab that may hold placeholders, with their paths; works on unvalidated data. */
function placeholderFields(data: unknown): Array<{ path: PathSegment[]; text: string; command: boolean }> {
  const fields: Array<{ path: PathSegment[]; text: string; command: boolean }> = [];
  const steps = isObject(data) ? data.steps : undefined;
  if (!Array.isArray(steps)) return fields;
  const commandList = (list: unknown, base: PathSegment[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((c: unknown, j) => {
      if (typeof c === 'string') fields.push({ path: [...base, j], text: c, command: true });
      else if (isObject(c) && typeof c.run === 'string') fields.push({ path: [...base, j, 'run'], text: c.run, command: true });
    });
  };
  const strings = (node: unknown, at: PathSegment[]): void => {
    if (typeof node === 'string') fields.push({ path: at, text: node, command: false });
    else if (Array.isArray(node)) node.forEach((n: unknown, k) => strings(n, [...at, k]));
    else if (isObject(node)) for (const [k, v] of Object.entries(node)) strings(v, [...at, k]);
  };
  steps.forEach((step: unknown, i) => {
    if (!isObject(step)) return;
    commandList(step.commands, ['steps', i, 'commands']);
    if (isObject(step.solution)) commandList(step.solution.commands, ['steps', i, 'solution', 'commands']);
    if (step.check !== undefined) strings(step.check, ['steps', i, 'check']);
  });
  return fields;
}

function placeholderIssues(src: YamlSource, data: unknown, file: string): { issues: LabIssue[]; paths: Set<string> } {
  const issues: LabIssue[] = [];
  const paths = new Set<string>();
  for (const field of placeholderFields(data)) {
    const scalar = src.scalarAt(field.path);
    const where = renderPath(field.path);
    let found = false;
    let searchFrom = 0;
    for (const use of findPlaceholders(field.text)) {
      if (isPlaceholderName(use.name)) continue;
      found = true;
      const written = `\${${use.name}}`;
      const inSource = scalar ? scalar.source.indexOf(written, searchFrom) : -1;
      if (inSource >= 0) searchFrom = inSource + written.length;
      const at = scalar && inSource >= 0 ? src.at(scalar.offset + inSource) : src.locate(field.path);
      issues.push(issue(file, at, `${where}: ${unknownPlaceholderMessage(use.name)}`));
    }
    if (!found && field.command) {
      try {
        fillCommand(field.text, PROBE_VALUES);
      } catch (error) {
        if (!(error instanceof PlaceholderError)) throw error;
        found = true;
        issues.push(issue(file, src.locate(field.path), `${where}: ${error.message}`));
      }
    }
    if (found) paths.add(renderPath(field.path));
  }
  return { issues, paths };
}

// ---------------------------------------------------------------------------------------
// Normalisation into the model

// Each conversion copies what the file and the model share with a spread (the model's types are
// derived from the schema's, so a new field is carried over) and names only what differs.

function toCommand(raw: string | RawCommand): LabCommand {
  return typeof raw === 'string' ? { run: raw } : { ...raw };
}

function toStep(raw: RawStep): Step {
  const { commands, check, hints, solution, quiz, ...same } = raw;
  const step: Step = { ...same, commands: (commands ?? []).map(toCommand), hints: [...(hints ?? [])] };
  if (check !== undefined) step.check = checkFromSchema(check);
  if (solution !== undefined) {
    const { commands: solutionCommands, ...text } = solution;
    step.solution = { ...text };
    if (solutionCommands !== undefined) step.solution.commands = solutionCommands.map(toCommand);
  }
  if (quiz !== undefined) {
    step.quiz = { ...quiz, choices: [...quiz.choices], answer: Array.isArray(quiz.answer) ? [...quiz.answer] : [quiz.answer] };
  }
  return step;
}

// ---------------------------------------------------------------------------------------
// Meaning and lint, on schema-valid data

function commandPath(base: PathSegment[], raw: string | RawCommand, j: number): PathSegment[] {
  return typeof raw === 'string' ? [...base, j] : [...base, j, 'run'];
}

function lintLab(raw: RawLab, src: YamlSource, file: string): LabIssue[] {
  const issues: LabIssue[] = [];
  const add = (p: PathSegment[], message: string, severity: LabIssue['severity'] = 'error', atKey = false): void => {
    issues.push(issue(file, src.locate(p, atKey), message, severity));
  };

  const firstUse = new Map<string, number>();
  raw.steps.forEach((step, i) => {
    const first = firstUse.get(step.id);
    if (first === undefined) firstUse.set(step.id, i);
    else add(['steps', i, 'id'], `steps[${i}].id: duplicate step id '${step.id}'; steps[${first}] already uses it`);
  });

  raw.steps.forEach((step, i) => {
    const stepPath = `steps[${i}]`;
    if (step.quiz) {
      const n = step.quiz.choices.length;
      const answers = Array.isArray(step.quiz.answer) ? step.quiz.answer : [step.quiz.answer];
      answers.forEach((a, k) => {
        if (a >= n) {
          const p: PathSegment[] = Array.isArray(step.quiz?.answer) ? ['steps', i, 'quiz', 'answer', k] : ['steps', i, 'quiz', 'answer'];
          add(p, `${renderPath(p)}: answer ${a} is out of range; choices are numbered 0 to ${n - 1}`);
        }
      });
    }
    if (step.check) {
      for (const m of checkProblems(checkFromSchema(step.check), ['steps', i, 'check'])) add(m.path, m.message);
    }

    let stateChange: { path: PathSegment[]; call: DockerCall } | undefined;
    let terminal: { path: PathSegment[]; call?: DockerCall } | undefined;
    const commands = step.commands ?? [];
    /** A command that removes things must say so (`destructive: true`), in steps and solutions alike. */
    const requireDestructiveMark = (p: PathSegment[], where: string, call: DockerCall, c: string | RawCommand, cmd: LabCommand): void => {
      if (!isDestructive(call) || cmd.destructive === true) return;
      const how = typeof c === 'string' ? 'write it as { run: ..., destructive: true }' : 'add destructive: true';
      add(p, `${where}: \`${describeCall(call)}\` removes things, so the command must be marked destructive (${how})`);
    };
    commands.forEach((c, j) => {
      const p = commandPath(['steps', i, 'commands'], c, j);
      const cmd = toCommand(c);
      const where = renderPath(['steps', i, 'commands', j]);
      for (const call of dockerCalls(cmd.run)) {
        if (changesState(call) && !stateChange) stateChange = { path: p, call };
        requireDestructiveMark(p, where, call, c, cmd);
        if (needsTerminal(call)) {
          if (!terminal) terminal = { path: p, call };
          if (cmd.interactive !== true) {
            add(p, `${where}: \`${describeCall(call, call.verb === 'run' || call.verb === 'exec' ? '-it' : undefined)}\` needs a terminal and a person typing; mark it interactive: true`, 'warning');
          }
        }
      }
      if (cmd.interactive === true && !terminal) terminal = { path: p };
    });
    const solutionCommands = step.solution?.commands ?? [];
    solutionCommands.forEach((c, j) => {
      const p = commandPath(['steps', i, 'solution', 'commands'], c, j);
      const cmd = toCommand(c);
      const where = renderPath(['steps', i, 'solution', 'commands', j]);
      for (const call of dockerCalls(cmd.run)) {
        if (changesState(call) && !stateChange) stateChange = { path: p, call };
        requireDestructiveMark(p, where, call, c, cmd);
        if (needsTerminal(call)) {
          add(p, `${where}: solution commands run without a terminal, so they cannot use \`${describeCall(call)}\` with -it; start it detached (-d) instead`);
        }
      }
      if (cmd.interactive === true) add(p, `${where}: solution commands run without a terminal, so they cannot be interactive`);
    });
    if (stateChange && !step.check) {
      add(stateChange.path, `${stepPath}: \`${describeCall(stateChange.call)}\` changes Docker state, so the step needs a check`);
    }
    if (terminal && solutionCommands.length === 0) {
      add(terminal.path, `${stepPath}: the CLI test runner cannot type into an interactive command; add solution.commands that reach the same state without a terminal`, 'warning');
    }
  });
  return issues;
}

// ---------------------------------------------------------------------------------------
// Public API: one file

function analyseLab(text: string, file: string, origin: Origin): LabAnalysis {
  const { src, value, issues, data } = readAndValidate(text, file, 'lab', labValidator());
  const id = declaredId(src);
  if (data === undefined) return { issues: issues.map(plainIssue).sort(byPosition), ...id };
  const placeholders = placeholderIssues(src, data, file);
  // A schema complaint about a field whose placeholder is already reported adds nothing.
  const schemaIssues = issues.filter((i) => i.path === undefined || !placeholders.paths.has(i.path)).map(plainIssue);
  const all = [...schemaIssues, ...placeholders.issues];
  if (value === undefined) return { issues: all.sort(byPosition), ...id };
  all.push(...lintLab(value, src, file));
  all.sort(byPosition);
  if (hasErrors(all)) return { issues: all, ...id };
  const { images, steps, ...same } = value;
  const lab: Lab = { ...same, images: (images ?? []).map(normalizeImageRef), steps: steps.map(toStep), source: { file, origin } };
  const mentioned = mentionedActionIssues(lab, src, file);
  return { lab, issues: mentioned.length > 0 ? [...all, ...mentioned].sort(byPosition) : all, ...id };
}

/**
 * The walkthrough's buttons a step's instructions tell the student to use: the step must show
 * them, or the student looks for a button that is not there. One row per button.
 */
const MENTIONED_ACTIONS: ReadonlyArray<{ pattern: RegExp; offered: (lab: Lab, step: Step) => boolean; message: string }> = [
  {
    pattern: /\*\*Open\*\*|\bOpen button\b/,
    offered: (lab, step) => serviceCheck(lab, step) !== undefined,
    message: 'mention the **Open** button, but the walkthrough shows none here: give this step (or a step before it, for the same container) an http check on a named container',
  },
  {
    pattern: /\*\*Ctrl\+C\*\*/,
    offered: offersStop,
    message: 'tell the student to press **Ctrl+C**, but the walkthrough offers no Stop (Ctrl+C) button here: no command of the step runs in the foreground (foreground: true), and it does not stop a server an earlier step started',
  },
];

function mentionedActionIssues(lab: Lab, src: YamlSource, file: string): LabIssue[] {
  const out: LabIssue[] = [];
  lab.steps.forEach((step, i) => {
    for (const action of MENTIONED_ACTIONS) {
      if (action.pattern.test(step.instructions) && !action.offered(lab, step)) {
        out.push(issue(file, src.locate(['steps', i, 'instructions']), `steps[${i}].instructions ${action.message}`, 'warning'));
      }
    }
  });
  return out;
}

function analyseCourse(text: string, file: string, origin: Origin): CourseAnalysis {
  const read = readAndValidate(text, file, 'course', courseValidator());
  const { src, value } = read;
  const id = declaredId(src);
  const issues = read.issues.map(plainIssue).sort(byPosition);
  // The labs it lists, to report an unknown one at its line even beside other errors.
  const labs = (read.data as { labs?: unknown } | undefined)?.labs;
  const listed = Array.isArray(labs) && labs.every((l): l is string => typeof l === 'string') ? labs : undefined;
  const labAt = (listed ?? []).map((_, k) => src.locate(['labs', k]));
  if (value === undefined || hasErrors(issues)) return { issues, labAt, ...id, ...(listed ? { listed } : {}) };
  const course: Course = { ...value, labs: [...value.labs], source: { file, origin } };
  return { course, issues, labAt, listed: course.labs, ...id };
}

interface TranslationAnalysis extends Analysis {
  translation?: RawTranslation;
  /** Where things are in the file, for the drift check against its lab. */
  src?: YamlSource;
}

/** A translation on its own: YAML and schema (its drift from the lab is checked in the catalog). */
function analyseTranslation(text: string, file: string): TranslationAnalysis {
  const { src, value, issues } = readAndValidate(text, file, 'translation', translationValidator());
  const all = issues.map(plainIssue).sort(byPosition);
  return value === undefined || hasErrors(all) ? { issues: all, src } : { translation: value, issues: all, src };
}

/** Parses one lab file's text; `lab` is set when there is no error (warnings allowed). */
export function parseLabText(text: string, file: string, origin: Origin): { lab?: Lab; issues: LabIssue[] } {
  const { lab, issues } = analyseLab(text, file, origin);
  return lab ? { lab, issues } : { issues };
}

/** Parses one course file's text; `course` is set when there is no error. */
export function parseCourseText(text: string, file: string, origin: Origin): { course?: Course; issues: LabIssue[] } {
  const { course, issues } = analyseCourse(text, file, origin);
  return course ? { course, issues } : { issues };
}

/** Diagnostics for an editor: every issue of the text, as a lab or a course by file name. */
export function validateText(text: string, file: string): LabIssue[] {
  switch (fileKind(file)) {
    case 'course':
      return analyseCourse(text, file, 'workspace').issues;
    case 'translation':
      return analyseTranslation(text, file).issues;
    default:
      return analyseLab(text, file, 'workspace').issues;
  }
}

function notLabFileIssue(file: string): LabIssue {
  return issue(file, { line: 1, col: 1 }, 'not a lab or course file: name lab files *.lab.yaml, course files *.course.yaml and translations *.lab.<language>.yaml');
}

async function readLimited(file: string): Promise<{ text?: string; issue?: LabIssue }> {
  try {
    const info = await stat(file);
    if (info.size > MAX_FILE_BYTES) return { issue: issue(file, { line: 1, col: 1 }, tooLargeMessage(info.size)) };
    const bytes = await readFile(file);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { issue: issue(file, { line: 1, col: 1 }, 'the file is not valid UTF-8 text') };
    }
    return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  } catch (error) {
    const message = errorMessage(error);
    return { issue: issue(file, { line: 1, col: 1 }, `cannot read the file: ${message}`) };
  }
}

interface FileResult extends Analysis {
  kind?: FileKind;
  lab?: Lab;
  course?: Course;
  translation?: RawTranslation;
  src?: YamlSource;
  labAt: Position[];
  listed?: string[];
}

async function analyseFile(file: string, origin: Origin): Promise<FileResult> {
  const kind = fileKind(file);
  if (!kind) return { issues: [notLabFileIssue(file)], labAt: [] };
  const read = await readLimited(file);
  if (read.issue || read.text === undefined) return { kind, issues: read.issue ? [read.issue] : [], labAt: [] };
  if (kind === 'course') return { kind, ...analyseCourse(read.text, file, origin) };
  if (kind === 'translation') return { kind, ...analyseTranslation(read.text, file), labAt: [] };
  return { kind, ...analyseLab(read.text, file, origin), labAt: [] };
}

/** Loads one file as a lab or a course, chosen by its name (a translation alone gives only its issues). */
export async function loadLabFile(file: string, origin: Origin): Promise<{ lab?: Lab; course?: Course; issues: LabIssue[] }> {
  const { lab, course, issues } = await analyseFile(file, origin);
  return { ...(lab ? { lab } : {}), ...(course ? { course } : {}), issues };
}

// ---------------------------------------------------------------------------------------
// Public API: catalogs

export interface CatalogRoot {
  path: string;
  origin: Origin;
  /**
   * The folder the root must really be inside (after following links). Default for workspace
   * roots: the folder that holds the root (the workspace folder for `.container-labs`), so a
   * `.container-labs` link to `/usr` is refused instead of scanned.
   */
  within?: string;
}

/** How far a scan goes: a workspace is untrusted input, and the scan runs in the extension host. */
export interface ScanLimits {
  /** Folder depth below the root. */
  maxDepth: number;
  /** Directory entries looked at. */
  maxEntries: number;
  /** Lab and course files. */
  maxFiles: number;
  /** Wall-clock time. */
  deadlineMs: number;
}

export const SCAN_LIMITS: ScanLimits = { maxDepth: 8, maxEntries: 10_000, maxFiles: 1_000, deadlineMs: 5_000 };

/** Why a scan stopped; the catalog shows it as the root's broken entry. */
export class ScanError extends Error {
  override readonly name = 'ScanError';
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The lab and course files under a root, sorted, depth first. A root may be a single
 * file. Skips node_modules, .git and the labs' own data folder (.container-labs/data);
 * symlinked files are followed only when they stay inside the root; symlinked folders
 * are not followed. A missing root gives no files. With `within`, a root whose real path
 * is outside that folder is refused (ScanError); a scan past `limits` stops with a ScanError
 * that says which limit and how to fix it.
 */
export async function findLabFiles(root: string, opts: { within?: string; limits?: ScanLimits } = {}): Promise<string[]> {
  const limits = opts.limits ?? SCAN_LIMITS;
  let rootInfo;
  try {
    rootInfo = await stat(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const absolute = path.resolve(root);
  const realRoot = await realpath(absolute);
  if (opts.within !== undefined) {
    const realWithin = await realpath(opts.within).catch(() => path.resolve(opts.within ?? '/'));
    if (!isInside(realRoot, realWithin)) {
      throw new ScanError(`${absolute} leads to ${realRoot}, outside ${opts.within}: not scanned (labs must be in the workspace; a link out of it is refused)`);
    }
  }
  if (!rootInfo.isDirectory()) return [absolute];
  const files: string[] = [];
  const started = Date.now();
  let entriesSeen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (Date.now() - started > limits.deadlineMs) {
      throw new ScanError(`scanning ${absolute} took longer than ${limits.deadlineMs / 1000} s and was stopped; keep lab files in a small folder (setting containerLabs.labsFolder)`);
    }
    const entries = (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, entry: e })).sort((a, b) => byName(a.name, b.name));
    entriesSeen += entries.length;
    if (entriesSeen > limits.maxEntries) {
      throw new ScanError(`${absolute} holds more than ${limits.maxEntries} files and folders; scanning stopped. Keep lab files in a small folder (setting containerLabs.labsFolder)`);
    }
    for (const { name, entry } of entries) {
      const full = path.join(dir, name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(name)) continue;
        if (name === 'data' && path.basename(dir) === '.container-labs') continue;
        if (depth >= limits.maxDepth) {
          throw new ScanError(`${full} is more than ${limits.maxDepth} folders deep below ${absolute}; scanning stopped. Keep lab files nearer the top`);
        }
        await walk(full, depth + 1);
      } else if (entry.isFile()) {
        if (fileKind(name)) files.push(full);
      } else if (entry.isSymbolicLink() && fileKind(name)) {
        try {
          const target = await realpath(full);
          if (isInside(target, realRoot) && (await lstat(target)).isFile()) files.push(full);
        } catch {
          // a dangling link is not a lab
        }
      }
      if (files.length > limits.maxFiles) {
        throw new ScanError(`${absolute} holds more than ${limits.maxFiles} lab and course files; scanning stopped`);
      }
    }
  };
  await walk(absolute, 0);
  return files;
}

function relativeTo(file: string, other: string): string {
  return path.relative(path.dirname(file), other) || path.basename(other);
}

/** An id another catalog already uses (the bundled course's), with the file name that holds it there. */
export interface ReservedId {
  id: string;
  kind: FileKind;
  /** Base name of the file that uses it (a copy of that very file is not a clash). */
  file: string;
}

export interface CatalogOptions {
  /** The language to show labs in (a translation's tag, `es`); default `labLanguage()`. */
  language?: string;
  /** Ids taken elsewhere (the bundled course's): errors here. */
  reserved?: readonly ReservedId[];
}

/** A catalog, and the files it was made from (for `validate`'s summary). */
export async function scanCatalog(roots: readonly CatalogRoot[], opts: CatalogOptions = {}): Promise<{ catalog: Catalog; files: string[] }> {
  const taken = (kind: FileKind, id: string, file: string): ReservedId | undefined => opts.reserved?.find((r) => r.kind === kind && r.id === id && r.file !== path.basename(file));
  const catalog: Catalog = { courses: [], labs: [], broken: [], warnings: [] };
  const files: string[] = [];
  const seenReal = new Set<string>();
  const results: Array<{ file: string; origin: Origin; result: FileResult }> = [];

  for (const root of roots) {
    let found: string[];
    try {
      const within = root.within ?? (root.origin === 'workspace' ? path.dirname(path.resolve(root.path)) : undefined);
      found = await findLabFiles(root.path, { within });
    } catch (error) {
      const file = path.resolve(root.path);
      const message = errorMessage(error);
      catalog.broken.push({ file, origin: root.origin, issues: [issue(file, { line: 1, col: 1 }, `cannot read the folder: ${message}`)] });
      continue;
    }
    for (const file of found) {
      let real = file;
      try {
        real = await realpath(file);
      } catch {
        // keep the path as given; reading it will report the problem
      }
      if (seenReal.has(real)) continue;
      seenReal.add(real);
      files.push(file);
      results.push({ file, origin: root.origin, result: await analyseFile(file, root.origin) });
    }
  }

  const broken = (file: string, origin: Origin, result: FileResult, extra: LabIssue[] = []): BrokenLab => {
    const entry: BrokenLab = { file, origin, issues: [...result.issues, ...extra].sort(byPosition) };
    if (result.kind) entry.kind = result.kind;
    if (result.idHint) entry.id = result.idHint;
    return entry;
  };

  const labFiles = new Map<string, string>();
  const brokenLabIds = new Set<string>();
  const labsByFile = new Map<string, Lab>();
  for (const { file, origin, result } of results) {
    if (result.kind === 'course' || result.kind === 'translation') continue;
    if (!result.lab) {
      catalog.broken.push(broken(file, origin, result));
      if (result.idHint) brokenLabIds.add(result.idHint);
      continue;
    }
    const other = labFiles.get(result.lab.id);
    const reserved = taken('lab', result.lab.id, file);
    if (reserved) {
      const at = result.idAt ?? { line: 1, col: 1 };
      catalog.broken.push(broken(file, origin, result, [issue(file, at, `lab id '${result.lab.id}' is already used by the bundled course (${reserved.file}); students would see two labs with one id: pick another id`)]));
      continue;
    }
    if (other !== undefined) {
      const at = result.idAt ?? { line: 1, col: 1 };
      catalog.broken.push(broken(file, origin, result, [issue(file, at, `lab id '${result.lab.id}' is already used by ${relativeTo(file, other)}`)]));
      continue;
    }
    labFiles.set(result.lab.id, file);
    labsByFile.set(file, result.lab);
    catalog.labs.push(result.lab);
    catalog.warnings.push(...result.issues);
  }
  applyTranslations(catalog, results, labsByFile, new Set(results.map((r) => r.file)), opts.language ?? labLanguage(), broken);

  const courseFiles = new Map<string, string>();
  for (const { file, origin, result } of results) {
    if (result.kind !== 'course') continue;
    const course = result.course;
    // Every lab it lists that no file has, each at its own line.
    const unknown: LabIssue[] = [];
    const named = new Set<string>();
    (result.listed ?? []).forEach((labId, k) => {
      // A lab of the bundled course is there too, in the extension.
      const bundled = opts.reserved?.some((r) => r.kind === 'lab' && r.id === labId) === true;
      if (labFiles.has(labId) || brokenLabIds.has(labId) || named.has(labId) || bundled) return;
      named.add(labId);
      unknown.push(issue(file, result.labAt[k] ?? { line: 1, col: 1 }, `labs[${k}]: no lab has the id '${labId}'`));
    });
    if (!course) {
      catalog.broken.push(broken(file, origin, result, unknown));
      continue;
    }
    const extra: LabIssue[] = [...unknown];
    const reserved = taken('course', course.id, file);
    if (reserved) extra.push(issue(file, result.idAt ?? { line: 1, col: 1 }, `course id '${course.id}' is already used by the bundled course (${reserved.file}): pick another id`));
    const other = courseFiles.get(course.id);
    if (other !== undefined) {
      extra.push(issue(file, result.idAt ?? { line: 1, col: 1 }, `course id '${course.id}' is already used by ${relativeTo(file, other)}`));
    }
    if (extra.length > 0) {
      catalog.broken.push(broken(file, origin, result, extra));
      continue;
    }
    courseFiles.set(course.id, file);
    catalog.courses.push(course);
    catalog.warnings.push(...result.issues);
  }
  return { catalog, files };
}

/**
 * Checks every translation against its lab (a drifting one is broken, and not used) and lays
 * the one for `language` over its lab in the catalog.
 */
function applyTranslations(
  catalog: Catalog,
  results: ReadonlyArray<{ file: string; origin: Origin; result: FileResult }>,
  labsByFile: ReadonlyMap<string, Lab>,
  scanned: ReadonlySet<string>,
  language: string | undefined,
  broken: (file: string, origin: Origin, result: FileResult, extra?: LabIssue[]) => BrokenLab,
): void {
  const usable = new Map<string, Map<string, RawTranslation>>();
  for (const { file, origin, result } of results) {
    if (result.kind !== 'translation') continue;
    const t = result.translation;
    if (t === undefined || result.src === undefined) {
      catalog.broken.push(broken(file, origin, result));
      continue;
    }
    const baseFile = [baseLabFile(file), baseLabFile(file).replace(/\.yaml$/i, '.yml'), baseLabFile(file).replace(/\.yml$/i, '.yaml')].find((f) => scanned.has(f));
    if (baseFile === undefined) {
      catalog.broken.push(broken(file, origin, result, [issue(file, { line: 1, col: 1 }, `no lab file ${path.basename(baseLabFile(file))} beside this translation`)]));
      continue;
    }
    const lab = labsByFile.get(baseFile);
    if (lab === undefined) continue; // the lab itself is broken, and says why
    const src = result.src;
    const drift = translationDrift(lab, t, file, (p, key) => src.locate(p, key));
    if (drift.length > 0) {
      catalog.broken.push(broken(file, origin, result, drift));
      continue;
    }
    catalog.warnings.push(...result.issues);
    const lang = translationLanguage(file);
    if (lang === undefined) continue;
    const forLab = usable.get(lab.id) ?? new Map<string, RawTranslation>();
    forLab.set(lang, t);
    usable.set(lab.id, forLab);
  }
  catalog.labs = catalog.labs.map((lab) => {
    const forLab = usable.get(lab.id);
    const lang = forLab === undefined ? undefined : pickLanguage([...forLab.keys()], language);
    const t = lang === undefined ? undefined : forLab?.get(lang);
    return lang === undefined || t === undefined ? lab : applyTranslation(lab, t, lang);
  });
}

/**
 * Loads every lab and course under the roots (folders, searched recursively, or single
 * files), in a deterministic order. Broken files become `broken` entries and never stop
 * the others from loading. Labs are in `opts.language` where they have a translation.
 */
export async function loadCatalog(roots: Array<{ path: string; origin: Origin }>, opts: CatalogOptions = {}): Promise<Catalog> {
  return (await scanCatalog(roots, opts)).catalog;
}
