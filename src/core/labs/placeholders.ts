/**
 * `${name}` placeholders in lab commands and check fields.
 *
 * Four names exist (see `PlaceholderValues` in the model): `${workspaceFolder}`,
 * `${userHome}`, `${labData}` and `${registry}`. Any other `${...}` is an error, both
 * here (`PlaceholderError`) and in the loader (an issue with line:col). Shell variables
 * in lab commands are written `$NAME`, never `${NAME}`.
 *
 * In commands every value is shell-quoted for the quoting context it lands in, so a value
 * can never be read by the shell as anything but one literal piece of a word:
 *   - outside quotes:        -v ${labData}:/work      ->  -v '/x/y':/work
 *   - inside double quotes:  "${labData}/notes.txt"   ->  ""'/x/y'"/notes.txt"
 *   - inside single quotes:  '${labData}'             ->  ''"'"'...  (closed, quoted, reopened)
 * Inside `$(...)` the context is tracked too. Placeholders inside backticks or after a
 * here-document operator (`<<`) are refused, because no quoting is reliable there.
 */
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Check, PlaceholderValues } from '../model';

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
  if (value.includes('\0') || value.includes('\n') || value.includes('\r')) {
    throw new PlaceholderError(`\${${name}} must not contain NUL or line breaks`, name);
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

type Quoting = 'plain' | 'single' | 'double';

interface Frame {
  /** Quoting state inside this frame. */
  state: Quoting;
  /** Open `(` inside a `$(...)` frame that still need their `)`. */
  parens: number;
}

/**
 * Fills the placeholders of a command, each value quoted for the context it lands in.
 * Throws PlaceholderError for an unknown name, an invalid value, or a placeholder in a
 * place where quoting cannot be trusted (backticks, here-documents).
 */
export function fillCommand(text: string, values: PlaceholderValues): string {
  const stack: Frame[] = [{ state: 'plain', parens: 0 }];
  let backtick = false;
  let heredoc = false;
  let out = '';
  let i = 0;
  const top = (): Frame => stack[stack.length - 1] ?? { state: 'plain', parens: 0 };
  while (i < text.length) {
    const frame = top();
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '$' && next === '{') {
      const close = text.indexOf('}', i + 2);
      if (close >= 0) {
        const name = text.slice(i + 2, close);
        const value = valueOf(name, values);
        if (backtick) throw new PlaceholderError(`\${${name}} cannot be used inside backticks; use $(...) instead`, name);
        if (heredoc) throw new PlaceholderError(`\${${name}} cannot be used in a here-document`, name);
        const quoted = shellQuote(value);
        out += frame.state === 'plain' ? quoted : frame.state === 'double' ? `"${quoted}"` : `'${quoted}'`;
        i = close + 1;
        continue;
      }
    }
    out += c;
    i += 1;
    if (frame.state === 'single') {
      if (c === "'") frame.state = 'plain';
      continue;
    }
    if (c === '\\') {
      out += next;
      i += 1;
      continue;
    }
    if (c === '`') {
      backtick = !backtick;
      continue;
    }
    if (c === '$' && next === '(') {
      out += next;
      i += 1;
      stack.push({ state: 'plain', parens: 0 });
      continue;
    }
    if (frame.state === 'double') {
      if (c === '"') frame.state = 'plain';
      continue;
    }
    // plain
    if (c === "'") frame.state = 'single';
    else if (c === '"') frame.state = 'double';
    else if (c === '<' && next === '<') {
      // `<<<` is a here-string (an ordinary word follows); `<<` starts a here-document.
      const herestring = text[i + 1] === '<';
      out += herestring ? '<<' : '<';
      i += herestring ? 2 : 1;
      if (!herestring) heredoc = true;
    }
    else if (c === '(' && stack.length > 1) frame.parens += 1;
    else if (c === ')' && stack.length > 1) {
      if (frame.parens > 0) frame.parens -= 1;
      else stack.pop();
    }
  }
  return out;
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

/** Creates the lab's data folder (and its parents) if it is not there yet. */
export async function ensureLabData(values: PlaceholderValues): Promise<void> {
  validatePlaceholderValue('labData', values.labData);
  await mkdir(values.labData, { recursive: true });
}
