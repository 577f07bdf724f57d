/**
 * What every check kind provides. The table in `index.ts` has one entry per kind, so a kind
 * added to the model without its description, evaluation or polling rule fails to compile.
 */
import type { Check, CheckResult, ContainerMatch } from '../../model';
import type { PathSegment } from '../../labs/yamlSource';
import type { EngineSnapshot } from '../snapshot';
import { patternProblem, type TextWant } from '../pattern';
import { renderPath } from '../../labs/schema';

/** A problem the schema cannot express (the loader reports it as an error at `path`). */
export interface CheckProblem {
  path: PathSegment[];
  message: string;
}

/** How a kind asks about its parts (all/any/not): the same question, for a whole check. */
export interface Recurse<T> {
  (check: Check): T;
}

/** What a check reads from the engine, so a live check can tell which events can concern it. */
export interface CheckSubjects {
  /** The container matches it looks at (each one: name, label, image...). */
  containers: ContainerMatch[];
  /** It looks at image references (image, imageAbsent), or matches containers by image. */
  images: boolean;
  /** It looks at volumes (volume, volumeAbsent, mount). */
  volumes: boolean;
  /** It looks at networks (network, networkAbsent). */
  networks: boolean;
  /** Something in it is not understood: every event concerns it. */
  unknown: boolean;
}

/** The subjects of a kind that looks at `containers` (when given), images and volumes as said. */
export function subjects(parts: { container?: ContainerMatch; images?: boolean; volumes?: boolean; networks?: boolean }): CheckSubjects {
  const containers = parts.container ? [parts.container] : [];
  const byImage = parts.container?.image !== undefined;
  return { containers, images: (parts.images ?? false) || byImage, volumes: parts.volumes ?? false, networks: parts.networks ?? false, unknown: false };
}

/** The subjects of several parts together. */
export function mergeSubjects(list: readonly CheckSubjects[]): CheckSubjects {
  return {
    containers: list.flatMap((s) => s.containers),
    images: list.some((s) => s.images),
    volumes: list.some((s) => s.volumes),
    networks: list.some((s) => s.networks),
    unknown: list.some((s) => s.unknown),
  };
}

export interface CheckKindSpec<Body> {
  /** One line for people about what the check expects. */
  describe: (body: Body, describe: Recurse<string>) => string;
  /**
   * The result from the engine's present state, read through `engine` (shared by every part
   * of one evaluation). May throw: the dispatcher turns a throw into status `error`.
   */
  evaluate: (body: Body, engine: EngineSnapshot, evaluate: Recurse<Promise<CheckResult>>) => Promise<CheckResult>;
  /** Whether the result can change without an engine event (an HTTP answer, logs, a file). */
  needsPolling: (body: Body, needsPolling: Recurse<boolean>) => boolean;
  /** What it reads from the engine (the live check re-evaluates on events that can concern it). */
  subjects: (body: Body, subjects: Recurse<CheckSubjects>) => CheckSubjects;
  /** Problems of meaning in a schema-valid check at `at` (the loader's lint); none when absent. */
  lint?: (body: Body, at: PathSegment[], lint: (check: Check, at: PathSegment[]) => CheckProblem[]) => CheckProblem[];
}

/**
 * The loader's lint of a kind that matches text (plain text and/or a pattern): at least one of
 * the two when `required`, and a pattern that RE2 compiles, reported at the pattern's key.
 */
export function textWantProblems(
  want: TextWant,
  at: PathSegment[],
  keys: { contains: string; matches: string; required: boolean },
): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (keys.required && want.contains === undefined && want.matches === undefined) {
    problems.push({ path: at, message: `${renderPath(at)}: give ${keys.contains} (plain text), ${keys.matches} (a pattern) or both` });
  }
  const why = want.matches === undefined ? undefined : patternProblem(want.matches);
  if (why !== undefined) problems.push({ path: [...at, keys.matches], message: `${renderPath([...at, keys.matches])}: ${why}` });
  return problems;
}
