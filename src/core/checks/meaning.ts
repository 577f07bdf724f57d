/**
 * Problems of meaning in a schema-valid check that the JSON Schema cannot express (e.g. an
 * exit code with a state other than `exited`), found through each kind's `lint`.
 */
import type { Check } from '../model';
import type { PathSegment } from '../labs/yamlSource';
import { readCheck } from './kind';
import { specOf } from './kinds';
import type { CheckProblem } from './kinds/spec';

export type { CheckProblem } from './kinds/spec';

/** Every problem of `check`, which sits at `at` in the lab file, with the path of each. */
export function checkProblems(check: Check, at: PathSegment[]): CheckProblem[] {
  const read = readCheck(check);
  if (!read) return [];
  return specOf(read.kind).lint?.(read.body, at, checkProblems) ?? [];
}
