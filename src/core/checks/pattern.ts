/**
 * Regular expressions from lab files and the command line, through a linear-time engine (RE2,
 * as re2js): a pattern in a lab file cannot make a check backtrack for minutes on a long log.
 * RE2 syntax (no look-around, no back-references); `(?i)` makes a pattern ignore case.
 * The one home for pattern matching (`test --grep`; check kinds that match text should use it).
 */
import { RE2JS } from 're2js';

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
