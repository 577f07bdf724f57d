/**
 * Labs in more than one language. Beside `01-first-containers.lab.yaml` a file
 * `01-first-containers.lab.es.yaml` (schema: `translation` in schemas/lab.schema.json) carries
 * the lab's words in Spanish: titles, instructions, hints, solution text, quiz text. Commands,
 * checks and answers stay in the lab. The loader (loader.ts) reads translation files, reports
 * those that drifted from their lab (`translationDrift`) and lays the one for the display
 * language over the lab (`applyTranslation`); anything it leaves out stays as the lab has it.
 *
 * No `vscode`: the extension says its display language with `useLabLanguage`, the CLI takes it
 * from the environment (`languageFromEnv`).
 */
import * as path from 'node:path';
import type { Lab, LabIssue, Step } from '../model';
import type * as Schema from './schema.generated';
import type { RawTranslation } from './schema';
import { issue, type PathSegment, type Position } from './yamlSource';

/** `name.lab.<lang>.yaml`: the language tag (`es`, `pt-br`) between `.lab.` and `.yaml`. */
const TRANSLATION_FILE = /\.lab\.([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\.ya?ml$/i;

/** The language of a translation file (lower case), or undefined for any other file. */
export function translationLanguage(file: string): string | undefined {
  return TRANSLATION_FILE.exec(path.basename(file))?.[1]?.toLowerCase();
}

/** The lab file a translation belongs to: the same name without the language (`.yaml` or `.yml` as the translation). */
export function baseLabFile(file: string): string {
  return file.replace(/\.lab\.[a-z0-9-]+\.(ya?ml)$/i, '.lab.$1');
}

/** A language tag in one form: lower case, `-` between its parts (`pt_BR` -> `pt-br`). */
export function normalizeLanguage(tag: string): string {
  return tag.trim().replace(/_/g, '-').toLowerCase();
}

/**
 * The translation to show for a display language: the same tag (`pt-br`), else its primary
 * language (`pt`), else none (the lab's own words).
 */
export function pickLanguage(available: readonly string[], display: string | undefined): string | undefined {
  if (display === undefined || display === '') return undefined;
  const want = normalizeLanguage(display);
  if (available.includes(want)) return want;
  const primary = want.split('-')[0];
  return available.includes(primary) ? primary : undefined;
}

/** The language from the POSIX locale variables (`es_ES.UTF-8` -> `es-es`); undefined for C/POSIX or none. */
export function languageFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const tag = value.split(/[.@]/)[0];
    if (tag === 'C' || tag === 'POSIX' || tag === '') return undefined;
    return normalizeLanguage(tag);
  }
  return undefined;
}

let chosen: string | undefined;
let chosenSet = false;

/** The extension's display language (`vscode.env.language`), for every catalog loaded afterwards. */
export function useLabLanguage(language: string): void {
  chosen = normalizeLanguage(language);
  chosenSet = true;
}

/** The language labs are shown in: the one the extension set, else the environment's. */
export function labLanguage(): string | undefined {
  return chosenSet ? chosen : languageFromEnv();
}

/**
 * How a translation differs from its lab in ways that would show the student a wrong or
 * missing text: another lab id, steps missing or extra, hints or choices that do not line
 * up (a choice's position is what the answer names), a quiz or solution text the step lacks.
 */
export function translationDrift(lab: Lab, t: RawTranslation, file: string, locate: (p: PathSegment[], key?: boolean) => Position): LabIssue[] {
  const issues: LabIssue[] = [];
  const add = (p: PathSegment[], message: string, atKey = false): void => {
    issues.push(issue(file, locate(p, atKey), message));
  };
  if (t.translationOf !== lab.id) add(['translationOf'], `translationOf: '${t.translationOf}' is not the id of the lab beside it ('${lab.id}', ${path.basename(lab.source.file)})`);
  const steps = new Map(lab.steps.map((s) => [s.id, s] as const));
  const seen = new Set<string>();
  t.steps.forEach((ts, i) => {
    const base = steps.get(ts.id);
    if (seen.has(ts.id)) {
      add(['steps', i, 'id'], `steps[${i}].id: step '${ts.id}' is translated twice`);
      return;
    }
    seen.add(ts.id);
    if (base === undefined) {
      add(['steps', i, 'id'], `steps[${i}].id: the lab has no step '${ts.id}' (removed or renamed there?)`);
      return;
    }
    if (ts.hints !== undefined && ts.hints.length !== base.hints.length) {
      add(['steps', i, 'hints'], `steps[${i}].hints: ${ts.hints.length} hints, but step '${ts.id}' of the lab has ${base.hints.length}`);
    }
    if (ts.solution?.text !== undefined && base.solution?.text === undefined) {
      add(['steps', i, 'solution'], `steps[${i}].solution: step '${ts.id}' of the lab has no solution text to translate`);
    }
    if (ts.quiz !== undefined) {
      if (base.quiz === undefined) add(['steps', i, 'quiz'], `steps[${i}].quiz: step '${ts.id}' of the lab has no quiz`);
      else if (ts.quiz.choices !== undefined && ts.quiz.choices.length !== base.quiz.choices.length) {
        add(['steps', i, 'quiz', 'choices'], `steps[${i}].quiz.choices: ${ts.quiz.choices.length} choices, but the lab's quiz has ${base.quiz.choices.length} (the answer is a position in that list)`);
      }
    }
  });
  const missing = lab.steps.filter((s) => !seen.has(s.id)).map((s) => `'${s.id}'`);
  if (missing.length > 0) add(['steps'], `steps: no translation of ${missing.length === 1 ? 'step' : 'steps'} ${missing.join(', ')} of the lab`, true);
  return issues;
}

function translatedStep(step: Step, ts: Schema.TranslatedStep | undefined): Step {
  if (ts === undefined) return step;
  const out: Step = { ...step };
  if (ts.title !== undefined) out.title = ts.title;
  if (ts.instructions !== undefined) out.instructions = ts.instructions;
  if (ts.hints !== undefined) out.hints = [...ts.hints];
  if (ts.solution?.text !== undefined && step.solution !== undefined) out.solution = { ...step.solution, text: ts.solution.text };
  if (ts.quiz !== undefined && step.quiz !== undefined) {
    const quiz = { ...step.quiz };
    if (ts.quiz.question !== undefined) quiz.question = ts.quiz.question;
    if (ts.quiz.choices !== undefined) quiz.choices = [...ts.quiz.choices];
    if (ts.quiz.explanation !== undefined) quiz.explanation = ts.quiz.explanation;
    out.quiz = quiz;
  }
  return out;
}

/** The lab in the translation's words (call only for a translation without drift). */
export function applyTranslation(lab: Lab, t: RawTranslation, language: string): Lab {
  const byId = new Map(t.steps.map((s) => [s.id, s] as const));
  const out: Lab = { ...lab, steps: lab.steps.map((s) => translatedStep(s, byId.get(s.id))), language };
  if (t.title !== undefined) out.title = t.title;
  if (t.summary !== undefined) out.summary = t.summary;
  return out;
}
