/**
 * What a check reads from the engine (containers by match, images, volumes), through each
 * kind's `subjects`, so the live check re-evaluates only on events that can concern it.
 * Anything not understood (no kind, several keys, a body of the wrong shape) concerns every event.
 */
import type { Check } from '../model';
import { readCheck } from './kind';
import { specOf } from './kinds';
import type { CheckSubjects } from './kinds/spec';

export type { CheckSubjects } from './kinds/spec';

const UNKNOWN: CheckSubjects = { containers: [], images: false, volumes: false, networks: false, unknown: true };

export function checkSubjects(check: Check): CheckSubjects {
  const read = typeof check === 'object' && check !== null && Object.keys(check).length === 1 ? readCheck(check) : undefined;
  if (!read) return { ...UNKNOWN };
  const body: unknown = read.body;
  const wellFormed = read.kind === 'all' || read.kind === 'any' ? Array.isArray(body) : typeof body === 'object' && body !== null && !Array.isArray(body);
  if (!wellFormed) return { ...UNKNOWN };
  return specOf(read.kind).subjects(read.body, checkSubjects);
}
