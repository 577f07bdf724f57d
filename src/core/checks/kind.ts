/**
 * Which kind a check is: the one place that reads which key a check object has. Everything
 * else (evaluation, descriptions, polling, the loader's lint, the tree) asks here or goes
 * through the table in `kinds/index.ts`. No `vscode` import.
 */
import type { Check, CheckKind, HttpCheck } from '../model';

/** The check object of one kind, e.g. `{ http: HttpCheck }` for `http`. */
export type CheckOf<K extends CheckKind> = Extract<Check, Record<K, unknown>>;

/** What a check of each kind holds under its key, e.g. `HttpCheck` for `http`. */
export type CheckBodies = { [K in CheckKind]: CheckOf<K>[K] };

/** A check read apart: its kind and what it holds, narrowed together by `kind`. */
export type KindedCheck = { [K in CheckKind]: { kind: K; body: CheckBodies[K] } }[CheckKind];

/** Every kind, once; a kind missing here (or one that is not a kind) fails to compile. */
const KINDS: Record<CheckKind, true> = {
  all: true,
  any: true,
  not: true,
  image: true,
  imageAbsent: true,
  container: true,
  containerAbsent: true,
  port: true,
  http: true,
  mount: true,
  file: true,
  logs: true,
  env: true,
  volume: true,
  volumeAbsent: true,
  network: true,
  networkAbsent: true,
};

export function isCheckKind(key: string): key is CheckKind {
  return Object.prototype.hasOwnProperty.call(KINDS, key);
}

/**
 * The kind of a check and what it holds; undefined when the object names no known kind
 * (the schema allows exactly one key, so a validated check always has one).
 */
export function readCheck(check: Check): KindedCheck | undefined {
  for (const key of Object.keys(check)) {
    if (isCheckKind(key)) {
      // The key was read from this very object, so it holds that kind's body.
      return { kind: key, body: (check as Record<CheckKind, unknown>)[key] } as KindedCheck;
    }
  }
  return undefined;
}

/**
 * The first HTTP check that must pass for the step to pass: itself, or one inside all/any (a
 * `not: { http }` is about a service that must NOT answer, so it is not a service to open).
 */
export function firstHttpCheck(check: Check | undefined): HttpCheck | undefined {
  if (!check) return undefined;
  const read = readCheck(check);
  if (!read) return undefined;
  if (read.kind === 'http') return read.body;
  if (read.kind !== 'all' && read.kind !== 'any') return undefined;
  for (const part of read.body) {
    const found = firstHttpCheck(part);
    if (found) return found;
  }
  return undefined;
}
