/**
 * Regular expressions from lab files and the command line, through a linear-time engine (RE2,
 * as re2js): a pattern in a lab file cannot make a check backtrack for minutes on a long log.
 * RE2 syntax (no look-around, no back-references); `(?i)` makes a pattern ignore case.
 * The one home for pattern matching (`test --grep`; check kinds that match text should use it).
 */
import * as l10n from '@vscode/l10n';
import { RE2JS } from 're2js';
import { joinWith } from './words';

export interface Pattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether it matches anywhere in the text. */
  test(text: string): boolean;
  /** The first match, or undefined. */
  find(text: string): string | undefined;
}

/** Longest pattern accepted (RE2 compiles in time linear in it, but a lab has no need for more). */
const MAX_PATTERN = 1000;

/** Compiles a pattern; throws an Error with RE2's reason when it is not a valid RE2 pattern. */
export function compilePattern(source: string): Pattern {
  if (source.length > MAX_PATTERN) throw new Error(`the pattern is ${source.length} characters long; at most ${MAX_PATTERN}`);
  // RE2 reads (?<=...) as a broken named group; say what is really missing.
  if (/\(\?<?[=!]/.test(source)) throw new Error('not a valid regular expression (RE2 syntax): look-ahead and look-behind ((?=, (?!, (?<=, (?<!) are not supported; match the surrounding text instead');
  if (/(?:^|[^\\])(?:\\\\)*\\[1-9]/.test(source)) throw new Error('not a valid regular expression (RE2 syntax): back-references (\\1 ...) are not supported');
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new Error(`not a valid regular expression (RE2 syntax): ${message}`, { cause: error });
  }
  return {
    source,
    test: (text) => re.test(text),
    find: (text) => {
      const m = re.matcher(text);
      return m.find() ? (m.group() ?? '') : undefined;
    },
  };
}

/** What a text must hold, as a check says it: plain text (`contains`) and/or a pattern (`matches`). */
export interface TextWant {
  contains?: string;
  matches?: string;
}

/** Compiled patterns of lab files, by source (a live check evaluates the same few again and again). */
const compiled = new Map<string, Pattern>();
const MAX_COMPILED = 500;

function patternOf(source: string): Pattern {
  let p = compiled.get(source);
  if (!p) {
    p = compilePattern(source);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, p);
  }
  return p;
}

/**
 * How a sentence says what a text must hold: of one text (`contains "x"`: a file, a body), of
 * several (`contain "x"`: the logs), or that one text (`does not contain "x"`) or several
 * (`do not contain "x"`) lack it. The languages conjugate these differently, so each is its own.
 */
export type TextWantVoice = 'one' | 'many' | 'oneLacks' | 'manyLack';

const CONTAINS: Record<TextWantVoice, (text: string) => string> = {
  one: (text) => l10n.t('contains "{0}"', text),
  many: (text) => l10n.t('contain "{0}"', text),
  oneLacks: (text) => l10n.t('does not contain "{0}"', text),
  manyLack: (text) => l10n.t('do not contain "{0}"', text),
};

const MATCHES: Record<TextWantVoice, (pattern: string) => string> = {
  one: (pattern) => l10n.t('matches /{0}/', pattern),
  many: (pattern) => l10n.t('match /{0}/', pattern),
  oneLacks: (pattern) => l10n.t('does not match /{0}/', pattern),
  manyLack: (pattern) => l10n.t('do not match /{0}/', pattern),
};

/** For people: `contains "x"`, `matches /y/`, or both joined with "and", in the voice the sentence needs. */
export function describeTextWant(want: TextWant, voice: TextWantVoice): string {
  const parts: string[] = [];
  if (want.contains !== undefined) parts.push(CONTAINS[voice](want.contains));
  if (want.matches !== undefined) parts.push(MATCHES[voice](want.matches));
  return joinWith(parts, (first, next) => l10n.t('{0} and {1}', first, next));
}

/**
 * Whether the text holds what is wanted. `missing` is the first part it lacks (for
 * describeTextWant, in the voice of the reason); `found` is what the pattern matched (shown when
 * the check passes). A pattern the loader let through is valid; one that is not (a file made by
 * hand) throws RE2's reason.
 */
export function textHolds(text: string, want: TextWant): { ok: true; found?: string } | { ok: false; missing: TextWant } {
  if (want.contains !== undefined && !text.includes(want.contains)) return { ok: false, missing: { contains: want.contains } };
  if (want.matches === undefined) return { ok: true };
  const found = patternOf(want.matches).find(text);
  if (found === undefined) return { ok: false, missing: { matches: want.matches } };
  return { ok: true, found };
}

/** The loader's check of a pattern written in a lab file: RE2's reason, or undefined when valid. */
export function patternProblem(source: string): string | undefined {
  try {
    patternOf(source);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
