/** One line for people about what a check expects (the CLI's `check`, the walkthrough). */
import * as l10n from '@vscode/l10n';
import type { Check } from '../model';
import { readCheck } from './kind';
import { specOf } from './kinds';

export function describeCheck(check: Check): string {
  const read = readCheck(check);
  if (!read) return l10n.t('an unknown check');
  return specOf(read.kind).describe(read.body, describeCheck);
}
