/** One line for people about what a check expects (the CLI's `check`, the walkthrough). */
import type { Check } from '../model';
import { readCheck } from './kind';
import { specOf } from './kinds';

export function describeCheck(check: Check): string {
  const read = readCheck(check);
  if (!read) return 'an unknown check';
  return specOf(read.kind).describe(read.body, describeCheck);
}
