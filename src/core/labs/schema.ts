/**
 * The JSON Schemas in `schemas/` are the single truth for the shape of lab and course
 * files: the editor gets them through `yamlValidation`, the loader validates with them
 * here (ajv, compiled once) and turns ajv's errors into plain words, and the types of
 * what they accept are generated from them (`schema.generated.ts`, `npm run schema-types`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as Schema from './schema.generated';
import type { PathSegment } from './yamlSource';

/** A lab file as written (after schema validation), before normalisation: the generated types. */
export type RawLab = Schema.ContainerLabsLab;
export type RawStep = Schema.Step;
export type RawCheck = Schema.Check;
/** A command in its object form (a command may also be written as plain text). */
export type RawCommand = Exclude<Schema.Command, string>;
export type RawCourse = Schema.ContainerLabsCourse;
export type RawTranslation = Schema.ContainerLabsLabTranslation;

export type SchemaName = 'lab' | 'course' | 'progress';
/** What a problem is reported about (a translation is checked against the lab schema's `translation` definition). */
type DataKind = SchemaName | 'translation';

/** A schema problem: where (a path into the data) and what, in plain words. */
export interface SchemaProblem {
  path: PathSegment[];
  /** Point at the key of the pair (unknown keys) rather than the value. */
  atKey: boolean;
  message: string;
}

/** Finds `schemas/` next to the bundle (dist/), or above the compiled sources (out/). */
export function schemaDirectory(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i += 1) {
    const candidate = path.join(dir, 'schemas');
    if (existsSync(path.join(candidate, 'lab.schema.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find schemas/lab.schema.json above ${__dirname}`);
}

type JsonObject = Record<string, unknown>;

export function readSchema(name: SchemaName): JsonObject {
  const parsed: unknown = JSON.parse(readFileSync(path.join(schemaDirectory(), `${name}.schema.json`), 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${name}.schema.json is not a JSON object`);
  return parsed as JsonObject;
}

interface Compiled {
  lab: ValidateFunction<RawLab>;
  course: ValidateFunction<RawCourse>;
  translation: ValidateFunction<RawTranslation>;
  /** The schema of a check object, to recognise "unknown check" errors. */
  checkSchema: unknown;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // Editor-only keywords (VS Code's JSON/YAML services read them); annotations for ajv.
  for (const keyword of ['markdownDescription', 'patternErrorMessage', 'errorMessage']) {
    ajv.addKeyword({ keyword, schemaType: 'string' });
  }
  ajv.addKeyword({ keyword: 'defaultSnippets', schemaType: 'array' });
  const lab = readSchema('lab');
  const definitions = lab.definitions as JsonObject | undefined;
  compiled = {
    lab: ajv.compile<RawLab>(lab),
    course: ajv.compile<RawCourse>(readSchema('course')),
    translation: ajv.compile<RawTranslation>({ $schema: 'http://json-schema.org/draft-07/schema#', definitions, $ref: '#/definitions/translation' }),
    checkSchema: definitions?.check,
  };
  return compiled;
}

export function labValidator(): ValidateFunction<RawLab> {
  return compile().lab;
}

export function courseValidator(): ValidateFunction<RawCourse> {
  return compile().course;
}

export function translationValidator(): ValidateFunction<RawTranslation> {
  return compile().translation;
}

/** `steps[2].check.image.ref` */
export function renderPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** Turns ajv's JSON pointer into path segments, numbers where the data is a list. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as JsonObject)[key] : undefined;
    }
  }
  return segments;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `'${text.slice(0, 57)}...'` : `'${text}'`;
}

function propertyNames(schema: unknown): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const props = (schema as JsonObject).properties;
  return props !== null && typeof props === 'object' ? Object.keys(props) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest allowed name, when it is close enough to be a typo. */
export function suggest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function describe(error: ErrorObject, where: string, subject: string, checkSchema: unknown): { message: string; atKey: boolean } {
  const parent: JsonObject | undefined = error.parentSchema;
  const params = error.params as JsonObject;
  const lead = where === '' ? '' : `${where}: `;
  switch (error.keyword) {
    case 'type':
      return { message: `${subject} must be ${typeWords(params.type)}`, atKey: false };
    case 'required':
      return { message: `${lead}missing required key '${String(params.missingProperty)}'`, atKey: false };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = propertyNames(parent);
      if (parent === checkSchema) {
        return { message: `${lead}unknown check '${name}'; expected one of ${allowed.join(', ')}`, atKey: true };
      }
      const close = suggest(name, allowed);
      const hint = close ? `did you mean '${close}'?` : `expected one of ${allowed.join(', ')}`;
      return { message: `${lead}unknown key '${name}'; ${hint}`, atKey: true };
    }
    case 'maxProperties':
      if (parent === checkSchema) {
        const keys = error.data !== null && typeof error.data === 'object' ? Object.keys(error.data).join(', ') : '';
        return { message: `${lead}a check names exactly one kind, found ${keys}; combine several with all: [...]`, atKey: false };
      }
      return { message: `${lead}has more than ${String(params.limit)} keys`, atKey: false };
    case 'minProperties':
      if (parent === checkSchema) {
        return { message: `${lead}empty check; expected one of ${propertyNames(checkSchema).join(', ')}`, atKey: false };
      }
      return { message: `${lead}must not be empty; expected one of ${propertyNames(parent).join(', ')}`, atKey: false };
    case 'pattern': {
      const explained = parent && typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `must match ${String(params.pattern)}`;
      return { message: `${subject} ${explained}; found ${shown(error.data)}`, atKey: false };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const min = parent?.minimum;
      const max = parent?.maximum;
      if (typeof min === 'number' && typeof max === 'number') {
        return { message: `${subject} must be from ${min} to ${max}; found ${String(error.data)}`, atKey: false };
      }
      if (typeof parent?.exclusiveMinimum === 'number') {
        return { message: `${subject} must be more than ${parent.exclusiveMinimum}; found ${String(error.data)}`, atKey: false };
      }
      return { message: `${subject} ${error.message ?? 'is out of range'}; found ${String(error.data)}`, atKey: false };
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String).join(', ') : '';
      return { message: `${subject} must be one of ${allowed}; found ${shown(error.data)}`, atKey: false };
    }
    case 'minItems': {
      const n = Number(params.limit);
      return { message: `${subject} must list at least ${n} ${n === 1 ? 'item' : 'items'}`, atKey: false };
    }
    case 'minLength':
      return { message: `${subject} must not be empty`, atKey: false };
    case 'maxLength':
      return { message: `${subject} is too long (at most ${String(params.limit)} characters)`, atKey: false };
    default:
      return { message: `${subject} ${error.message ?? 'is not valid'}`, atKey: false };
  }
}

/** At most this many schema problems are described per file (a huge file may have thousands). */
export const MAX_PROBLEMS = 100;

/** Validates data against a schema; returns the data typed, or the problems in plain words. */
export function validateAgainst<T>(validate: ValidateFunction<T>, data: unknown, kind: DataKind): { value?: T; problems: SchemaProblem[] } {
  if (validate(data)) return { value: data, problems: [] };
  const checkSchema = compile().checkSchema;
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  for (const error of errors) {
    if (problems.length >= MAX_PROBLEMS) {
      const last = problems[problems.length - 1];
      problems.push({ path: last?.path ?? [], atKey: last?.atKey ?? false, message: `... and ${errors.length - MAX_PROBLEMS} more problems; fix these first` });
      break;
    }
    let segments = pointerToPath(error.instancePath, data);
    const where = renderPath(segments);
    const subject = where === '' ? `the ${kind} file` : where;
    const { message, atKey } = describe(error, where, subject, checkSchema);
    if (error.keyword === 'additionalProperties') segments = [...segments, String((error.params as JsonObject).additionalProperty)];
    if (error.keyword === 'uniqueItems') {
      // Every repeated entry at its own line (the engine names one pair only).
      const list = Array.isArray(error.data) ? (error.data as unknown[]) : [];
      list.forEach((item, k) => {
        const first = list.findIndex((x) => JSON.stringify(x) === JSON.stringify(item));
        if (first < k) problems.push({ path: [...segments, k], atKey: false, message: `${where}[${k}]: ${shown(item)} is listed again; ${where}[${first}] already lists it` });
      });
      continue;
    }
    const key = `${renderPath(segments)}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path: segments, atKey, message });
  }
  return { problems };
}
