/**
 * What every check kind provides. The table in `index.ts` has one entry per kind, so a kind
 * added to the model without its description, evaluation or polling rule fails to compile.
 */
import type { Check, CheckResult } from '../../model';
import type { PathSegment } from '../../labs/yamlSource';
import type { EngineSnapshot } from '../snapshot';

/** A problem the schema cannot express (the loader reports it as an error at `path`). */
export interface CheckProblem {
  path: PathSegment[];
  message: string;
}

/** How a kind asks about its parts (all/any/not): the same question, for a whole check. */
export interface Recurse<T> {
  (check: Check): T;
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
  /** Problems of meaning in a schema-valid check at `at` (the loader's lint); none when absent. */
  lint?: (body: Body, at: PathSegment[], lint: (check: Check, at: PathSegment[]) => CheckProblem[]) => CheckProblem[];
}
