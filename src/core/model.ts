/**
 * The lab model: what a lab file says once it has been parsed and validated.
 *
 * This module is the contract between the loader (which produces it), the check
 * engine (which evaluates `Check`s), the CLI and the VS Code extension. It imports
 * nothing at run time, least of all `vscode`.
 *
 * The shapes come from ONE source, the JSON Schemas in `schemas/` (which the editor also
 * validates with): `labs/schema.generated.ts` is generated from them (`npm run schema-types`)
 * and the types here are derived from it. Where the model differs from the file (a command
 * written as plain text becomes `{ run }`, a single quiz answer becomes a list, a check is one
 * kind among a union), the difference is spelled out here and the loader's conversion is
 * type-checked against both.
 */
import type * as Schema from './labs/schema.generated';

/** A command the student runs in the terminal: the object form of the schema's `command`. */
export type LabCommand = Exclude<Schema.Command, string>;

/** Which containers a check is about. All given fields must match. */
export type ContainerMatch = Schema.ContainerMatch;

/** The kinds of check: the keys of the schema's `check`. */
export type CheckKind = keyof Schema.Check;

/** The kinds that combine other checks. */
type Combinator = 'all' | 'any' | 'not';

/** What each kind that looks at the engine holds (its value in the schema's `check`). */
type LeafBodies = { [K in Exclude<CheckKind, Combinator>]-?: NonNullable<Schema.Check[K]> };

/**
 * A declarative check: exactly one key per object (the schema says so with min/maxProperties),
 * so the model says it with a union of one-key objects.
 */
export type Check =
  | { all: Check[] }
  | { any: Check[] }
  | { not: Check }
  | { [K in keyof LeafBodies]: { [P in K]: LeafBodies[K] } }[keyof LeafBodies];

export type ContainerCheck = LeafBodies['container'];
export type ImageCheck = LeafBodies['image'];
export type PortCheck = LeafBodies['port'];
export type HttpCheck = LeafBodies['http'];
export type MountCheck = LeafBodies['mount'];
export type FileCheck = LeafBodies['file'];
export type LogsCheck = LeafBodies['logs'];
export type EnvCheck = LeafBodies['env'];
export type VolumeCheck = LeafBodies['volume'];
export type NetworkCheck = LeafBodies['network'];
export type NetworkAbsentCheck = LeafBodies['networkAbsent'];

/** A quiz; `answer` is always a list (a single index in the file becomes a list of one). */
export type Quiz = Omit<Schema.Quiz, 'answer'> & { answer: number[] };

/** A step's solution, its commands in object form. */
export type Solution = Omit<Schema.Solution, 'commands'> & { commands?: LabCommand[] };

/** A step: commands in object form, hints always a list. */
export type Step = Omit<Schema.Step, 'commands' | 'check' | 'hints' | 'solution' | 'quiz'> & {
  commands: LabCommand[];
  check?: Check;
  hints: string[];
  solution?: Solution;
  quiz?: Quiz;
};

/** A lab: its image refs normalised (`alpine` -> `alpine:latest`), steps in model form, and where it came from. */
export type Lab = Omit<Schema.ContainerLabsLab, 'images' | 'steps'> & {
  /** Image references the lab needs, as the engine lists them (`name:tag`). */
  images: string[];
  steps: Step[];
  /** Where the lab came from. */
  source: LabSource;
  /** The language of its words when a translation (`*.lab.<language>.yaml`) was laid over them. */
  language?: string;
};

/** A course and where it came from. */
export type Course = Schema.ContainerLabsCourse & { source: LabSource };

export interface LabSource {
  /** Absolute path of the YAML file. */
  file: string;
  /** `bundled` labs ship with the extension; `workspace` labs come from the user's folder. */
  origin: 'bundled' | 'workspace';
}

/** A problem found in a lab file, with a position an editor can show. */
export interface LabIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

/** A file that could not be loaded: it shows in the tree with its first error. */
export interface BrokenLab {
  file: string;
  origin: 'bundled' | 'workspace';
  issues: LabIssue[];
  /** Whether the file is a lab or a course (from its name). Added by the loader; optional. */
  kind?: 'lab' | 'course' | 'translation';
  /**
   * The id the file declares, when it could still be read, so a course that lists this
   * lab can show it in place (broken) instead of failing itself. Optional.
   */
  id?: string;
}

export interface Catalog {
  courses: Course[];
  labs: Lab[];
  broken: BrokenLab[];
  /** Warnings of files that loaded. */
  warnings: LabIssue[];
}

/** Values for `${name}` placeholders in commands and check fields. */
export interface PlaceholderValues {
  /** The workspace folder, or the current directory for the CLI. */
  workspaceFolder: string;
  /** The user's home directory. */
  userHome: string;
  /** A per-lab data folder the lab may create files in. */
  labData: string;
  /** host:port of the local registry used by the sharing lab, default `localhost:5000`. */
  registry: string;
}

export type CheckStatus = 'passed' | 'failed' | 'error';

/**
 * The outcome of one check. `error` means "cannot check" (the engine did not answer,
 * the check is malformed), which is not the same as "not done yet".
 */
export interface CheckResult {
  status: CheckStatus;
  /** One sentence computed from the real state, e.g. why it failed. */
  reason: string;
  /** Results of the parts of an all/any/not. */
  children?: CheckResult[];
  /** Milliseconds the evaluation took. */
  elapsedMs?: number;
  /** Status `error` because the engine did not answer (the reason says how), not because of the check. */
  engineUnreachable?: boolean;
}
