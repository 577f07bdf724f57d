/**
 * `${name}` placeholders in lab commands and check fields.
 *
 * Four names exist (see `PlaceholderValues` in the model): `${workspaceFolder}`,
 * `${userHome}`, `${labData}` and `${registry}`. Any other `${...}` is an error, both
 * here (`PlaceholderError`) and in the loader (an issue with line:col). Shell variables
 * in lab commands are written `$NAME`, never `${NAME}`.
 *
 * In commands every value is quoted for the context it lands in, as read by the lexer in
 * `shellContext.ts` for the lab shell's dialect (bash, else POSIX sh: see `labShell.ts`), so
 * a value can never be read by the shell as anything but one literal piece of a word:
 *   - outside quotes:        -v ${labData}:/work      ->  -v '/x/y':/work
 *   - inside double quotes:  "${labData}/notes.txt"   ->  ""'/x/y'"/notes.txt"
 *   - inside single quotes:  '${labData}'             ->  '''/x/y''' (closed, quoted, reopened)
 *   - inside $'...', in comments, in here-document bodies (quoted delimiter or not), inside
 *     `$(...)` at any depth: each handled for what the shell does there.
 * Placeholders inside backticks, after a quote that is never closed, or alone on a line of a
 * here-document are refused. Values with control characters are refused.
 */
import { lstat, mkdir, readdir, readlink, realpath } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Check, PlaceholderValues } from '../model';
import { hasControlChars } from '../text';
import { labShell } from './labShell';
import { placeholderSites, type ShellContext, type ShellDialect } from './shellContext';

export type PlaceholderName = keyof PlaceholderValues;

export const PLACEHOLDER_NAMES: readonly PlaceholderName[] = ['workspaceFolder', 'userHome', 'labData', 'registry'];

/** The default registry of the sharing lab: a local registry on a loopback port. */
export const DEFAULT_REGISTRY = 'localhost:5000';

export class PlaceholderError extends Error {
  constructor(
    message: string,
    /** The placeholder name involved, when there is one. */
    readonly placeholder?: string,
  ) {
    super(message);
    this.name = 'PlaceholderError';
  }
}

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(name);
}

/** A `${...}` found in a text: its name as written, and where it starts. */
export interface PlaceholderUse {
  name: string;
  /** Offset of the `$` in the text. */
  index: number;
  /** Length of the whole `${...}`. */
  length: number;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Every `${...}` in the text, known names or not. */
export function findPlaceholders(text: string): PlaceholderUse[] {
  const uses: PlaceholderUse[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    uses.push({ name: m[1] ?? '', index: m.index ?? 0, length: m[0].length });
  }
  return uses;
}

export function unknownPlaceholderMessage(name: string): string {
  return `unknown placeholder '\${${name}}'; expected one of ${PLACEHOLDER_NAMES.map((n) => `\${${n}}`).join(', ')} (write shell variables as $NAME)`;
}

/** POSIX single-quoting: the result is always exactly one literal word piece. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;

/** Throws a PlaceholderError when a value could not be a sane value for its name. */
export function validatePlaceholderValue(name: PlaceholderName, value: string): void {
  if (name === 'registry') {
    const m = HOST_PORT.exec(value);
    const port = m?.[1];
    if (!m || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      throw new PlaceholderError(`\${registry} must be host or host:port (e.g. localhost:5000), not '${value}'`, name);
    }
    return;
  }
  if (hasControlChars(value)) {
    throw new PlaceholderError(`\${${name}} must not contain control characters (line breaks, tabs, escapes)`, name);
  }
  if (!path.isAbsolute(value) && !path.posix.isAbsolute(value)) {
    throw new PlaceholderError(`\${${name}} must be an absolute path, not '${value}'`, name);
  }
}

function valueOf(name: string, values: PlaceholderValues): string {
  if (!isPlaceholderName(name)) throw new PlaceholderError(unknownPlaceholderMessage(name), name);
  const value = values[name];
  validatePlaceholderValue(name, value);
  return value;
}

/** Plain substitution, for check fields (paths, image references, volume names). */
export function fillText(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => valueOf(name, values));
}

/** Every string in the check with its placeholders filled in (plain substitution). */
export function fillCheck(check: Check, values: PlaceholderValues): Check {
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') return fillText(node, values);
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = fill(value);
      return out;
    }
    return node;
  };
  // The result has the same shape as the input: only string leaves changed.
  return fill(check) as Check;
}

/** How a value is written into each context so the shell reads it as one literal piece of a word. */
const QUOTE_FOR: Record<ShellContext, ((value: string, name: string) => string) | string> = {
  plain: (v) => shellQuote(v),
  // Close the double quotes, add the single-quoted value, open them again.
  double: (v) => `"${shellQuote(v)}"`,
  // Close the single quotes, add the quoted value, open them again.
  single: (v) => `'${shellQuote(v)}'`,
  // Close the ANSI-C quotes, add the quoted value, open a new $'...'.
  ansi: (v) => `'${shellQuote(v)}$'`,
  // The shell ignores a comment to its end of line, and a value has no line break.
  comment: (v) => v,
  // An expanding here-document body: only \, $ and ` are special there.
  heredoc: (v) => v.replace(/[\\$`]/g, (ch) => `\\${ch}`),
  'heredoc-literal': (v) => v,
  backtick: 'cannot be used inside backticks; use $(...) instead',
  unterminated: 'comes after a quote or $( that is never closed',
};

/**
 * Fills the placeholders of a command, each value quoted for the context it lands in (see
 * `placeholderSites`). Throws PlaceholderError for an unknown name, an invalid value, or a
 * placeholder where no quoting can be trusted (backticks, after an unterminated quote).
 */
export function fillCommand(text: string, values: PlaceholderValues, dialect: ShellDialect = labShell().dialect): string {
  let out = '';
  let from = 0;
  for (const site of placeholderSites(text, dialect)) {
    const value = valueOf(site.name, values);
    const quote = QUOTE_FOR[site.context];
    if (typeof quote === 'string') throw new PlaceholderError(`\${${site.name}} ${quote}`, site.name);
    if ((site.context === 'heredoc' || site.context === 'heredoc-literal') && lineOf(text, site.index).trim() === text.slice(site.index, site.index + site.length)) {
      // A line that is only the value could end the here-document early.
      throw new PlaceholderError(`\${${site.name}} cannot stand alone on a line of a here-document`, site.name);
    }
    out += text.slice(from, site.index) + quote(value, site.name);
    from = site.index + site.length;
  }
  return out + text.slice(from);
}

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const nl = text.indexOf('\n', index);
  return text.slice(start, nl < 0 ? text.length : nl);
}

export interface DefaultPlaceholderOptions {
  workspaceFolder: string;
  labId: string;
  /** Defaults to the current user's home directory. */
  home?: string;
  /** Defaults to `localhost:5000`. */
  registry?: string;
}

const LAB_ID = /^[a-z0-9][a-z0-9-]*$/;

/** The usual values: labData is `<workspaceFolder>/.container-labs/data/<labId>`. */
export function defaultPlaceholders(options: DefaultPlaceholderOptions): PlaceholderValues {
  if (!LAB_ID.test(options.labId)) throw new PlaceholderError(`'${options.labId}' is not a lab id`);
  const values: PlaceholderValues = {
    workspaceFolder: options.workspaceFolder,
    userHome: options.home ?? os.homedir(),
    labData: path.join(options.workspaceFolder, '.container-labs', 'data', options.labId),
    registry: options.registry ?? DEFAULT_REGISTRY,
  };
  for (const name of PLACEHOLDER_NAMES) validatePlaceholderValue(name, values[name]);
  return values;
}

/** The most entries looked at when checking a lab's data folder before a command runs. */
const MAX_LAB_DATA_ENTRIES = 2000;

/** Why a lab's data folder cannot be used; the message says what to remove. */
export class LabDataError extends Error {
  override readonly name = 'LabDataError';
}

async function linkTarget(file: string): Promise<string> {
  try {
    return ` (to ${await readlink(file)})`;
  } catch {
    return '';
  }
}

/**
 * Makes the lab's data folder ready for a lab command, every time one runs: the folders from
 * the workspace down to it are created one at a time without following links (a link or a
 * non-folder on the way is refused), its real path must be where it is meant to be, and
 * nothing inside it may be a link, a FIFO or a device. A workspace from a stranger can plant
 * `.container-labs/data/<lab>/notes.txt -> ~/.bashrc`; the lab's `echo ... > ${labData}/notes.txt`
 * would then write through it. Throws LabDataError with what to remove.
 */
export async function ensureLabData(values: PlaceholderValues): Promise<void> {
  validatePlaceholderValue('labData', values.labData);
  const target = path.resolve(values.labData);
  const inWorkspace = path.relative(values.workspaceFolder, target);
  const root = !inWorkspace.startsWith('..') && !path.isAbsolute(inWorkspace) && inWorkspace !== '' ? path.resolve(values.workspaceFolder) : path.dirname(target);
  const parts = path.relative(root, target).split(path.sep).filter(Boolean);
  let dir = root;
  for (const part of parts) {
    dir = path.join(dir, part);
    let info;
    try {
      info = await lstat(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Not there: make just this one (mkdir never follows a link in its last component).
      await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      info = await lstat(dir);
    }
    if (info.isSymbolicLink()) {
      throw new LabDataError(`${dir} is a symbolic link${await linkTarget(dir)}: a lab's data folder is never reached through a link. Remove it (rm '${dir}') and run the command again`);
    }
    if (!info.isDirectory()) throw new LabDataError(`${dir} is in the way of the lab's data folder and is not a folder; move it away and run the command again`);
  }
  const expected = path.join(await realpath(root), ...parts);
  const real = await realpath(target);
  if (real !== expected) throw new LabDataError(`the lab's data folder ${target} leads to ${real}, not ${expected}; remove what links it elsewhere and run the command again`);
  // Nothing inside may lead elsewhere: lab commands write into this folder.
  let seen = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      seen += 1;
      if (seen > MAX_LAB_DATA_ENTRIES) throw new LabDataError(`the lab's data folder ${target} holds more than ${MAX_LAB_DATA_ENTRIES} files; empty it and run the command again`);
      const full = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) {
        throw new LabDataError(`${full} is a symbolic link${await linkTarget(full)}: a lab's data folder holds only its own files, and a lab command could write through the link. Remove it (rm '${full}') and run the command again`);
      }
      if (entry.isDirectory()) await walk(full);
      else if (!entry.isFile()) throw new LabDataError(`${full} is not a regular file or folder (a FIFO, socket or device); remove it and run the command again`);
    }
  };
  await walk(target);
}
