/**
 * The lab model: what a lab file says once it has been parsed and validated.
 *
 * This module is the contract between the loader (which produces it), the check
 * engine (which evaluates `Check`s), the CLI and the VS Code extension. It imports
 * nothing, least of all `vscode`.
 *
 * The JSON Schema in `schemas/lab.schema.json` describes the same shapes for YAML
 * authors; keep the two in step.
 */

/** A command the student runs in the terminal, exactly as the lab wrote it. */
export interface LabCommand {
  /**
   * The shell text. May contain placeholders such as `${labData}`; they are
   * filled in and shell-quoted by `fillCommand` before the text reaches a shell.
   */
  run: string;
  /** A short label for the button; defaults to the command itself. */
  label?: string;
  /** Removes something (rmi, rm -f, prune): the extension asks before running it. */
  destructive?: boolean;
  /**
   * Keeps the terminal busy until stopped (a server in the foreground, `docker run -it`).
   * The extension offers Ctrl+C for it; the CLI test runner starts it without waiting.
   */
  foreground?: boolean;
  /** Needs a TTY and a person typing (`-it`); the CLI runner never runs it. */
  interactive?: boolean;
  /** Needs the internet (Docker Hub); the CLI runner reports it as skipped offline. */
  network?: boolean;
}

/** Which containers a check is about. All given fields must match. */
export interface ContainerMatch {
  /** Container name (without the leading slash), exact. */
  name?: string;
  /** Image reference the container was created from, e.g. `alpine` or `alpine:latest`. */
  image?: string;
  /** The container's command (Path + Args) must contain this text. */
  commandContains?: string;
  /** A label that must be present, `key` or `key=value`. */
  label?: string;
  /**
   * `step` (default): only containers created after the step was opened count,
   * so yesterday's container cannot pass today's step. `any`: every container counts.
   */
  since?: 'step' | 'any';
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

export interface ContainerCheck extends ContainerMatch {
  /** Required state; omitted means "exists in any state". */
  state?: ContainerState;
  /** Required exit code (implies the container has exited). */
  exitCode?: number;
  /** The container was started with a TTY (`-t`). */
  tty?: boolean;
  /** The container keeps stdin open (`-i`). */
  interactive?: boolean;
  /** The container is removed automatically when it exits (`--rm`). */
  autoRemove?: boolean;
}

export interface ImageCheck {
  /** `name[:tag]`; the tag defaults to `latest`, as Docker does. */
  ref: string;
}

export interface PortCheck {
  container: ContainerMatch;
  /** The port inside the container, e.g. 8888. */
  containerPort: number;
  protocol?: 'tcp' | 'udp';
  /** Required host port; omitted means "published on any host port". */
  hostPort?: number;
}

export interface HttpCheck {
  container: ContainerMatch;
  containerPort: number;
  /** Path to request, default `/`. */
  path?: string;
  /** Expected status; default: any 2xx or 3xx. Redirects are not followed. */
  status?: number;
  /** Text the body must contain. */
  bodyContains?: string;
  /** How long to wait for an answer, default 5000 ms. */
  timeoutMs?: number;
}

export interface MountCheck {
  container: ContainerMatch;
  type?: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume). Placeholders allowed. */
  source?: string;
  /** Path inside the container. */
  destination: string;
  readOnly?: boolean;
}

export interface FileCheck {
  /** A file inside a (running) container; omitted means a file on the host. */
  container?: ContainerMatch;
  /** Absolute path. Placeholders allowed for host files. */
  path: string;
  /** Text the file must contain. */
  contains?: string;
}

export interface LogsCheck {
  container: ContainerMatch;
  contains: string;
}

export interface EnvCheck {
  container: ContainerMatch;
  /** Variable name, e.g. PASSWORD. */
  name: string;
  /** Required value; omitted means "set to anything". */
  value?: string;
}

export interface VolumeCheck {
  /** Named volume. */
  name: string;
}

/** A declarative check: exactly one key per object. */
export type Check =
  | { all: Check[] }
  | { any: Check[] }
  | { not: Check }
  | { image: ImageCheck }
  | { imageAbsent: ImageCheck }
  | { container: ContainerCheck }
  | { containerAbsent: ContainerMatch }
  | { port: PortCheck }
  | { http: HttpCheck }
  | { mount: MountCheck }
  | { file: FileCheck }
  | { logs: LogsCheck }
  | { env: EnvCheck }
  | { volume: VolumeCheck }
  | { volumeAbsent: VolumeCheck };

export type CheckKind = Check extends infer C ? (C extends Record<infer K, unknown> ? K : never) : never;

export interface Quiz {
  question: string;
  choices: string[];
  /** Indexes (0-based) of the right choices; more than one means "pick all that apply". */
  answer: number[];
  explanation: string;
}

export interface Solution {
  /** Markdown shown behind a confirmation. */
  text?: string;
  /**
   * Commands that solve the step without a person (no TTY, no prompts). The CLI
   * `test` runner runs these; when absent it runs the step's own non-interactive commands.
   */
  commands?: LabCommand[];
}

export interface Step {
  id: string;
  title: string;
  /** Markdown. */
  instructions: string;
  commands: LabCommand[];
  check?: Check;
  hints: string[];
  solution?: Solution;
  quiz?: Quiz;
}

export interface Lab {
  id: string;
  title: string;
  summary: string;
  minutes: number;
  /** Image references the lab needs, `name[:tag]`. */
  images: string[];
  steps: Step[];
  /** Where the lab came from. */
  source: LabSource;
}

export interface LabSource {
  /** Absolute path of the YAML file. */
  file: string;
  /** `bundled` labs ship with the extension; `workspace` labs come from the user's folder. */
  origin: 'bundled' | 'workspace';
}

export interface Course {
  id: string;
  title: string;
  summary: string;
  /** Lab ids, in order. */
  labs: string[];
  source: LabSource;
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
  kind?: 'lab' | 'course';
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
}
