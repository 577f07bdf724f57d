/**
 * Safe YAML reading for lab files, and positions (line:col) for paths into the data.
 *
 * Defences, in order: a size limit before parsing; YAML errors AND warnings (unknown
 * tags such as `!!js/function` or `!foo`) are errors; duplicate keys are errors; keys
 * that could reach an object prototype (`__proto__`, `constructor`, `prototype`) and
 * unresolved aliases are found by walking the syntax tree before anything becomes a
 * JavaScript object (the walk does not follow aliases, so an alias bomb costs nothing
 * here); the conversion to JavaScript then refuses more than a few alias expansions.
 */
import { type Document, isAlias, isCollection, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, type Node, parseDocument, visit, type YAMLError } from 'yaml';
import type { LabIssue } from '../model';
import { errorMessage } from '../text';

/** Files larger than this are refused before parsing. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Alias expansions allowed when converting to JavaScript (a bomb needs thousands). */
export const MAX_ALIAS_COUNT = 50;

/**
 * Deep nesting makes the YAML library run out of stack or memory long before 1 MB (ten
 * thousand `- ` on one line, or thousands of `[`), so both are bounded before parsing.
 * Real lab files stay far below these.
 */
export const MAX_INDENT = 200;
export const MAX_FLOW_DEPTH = 64;

/** Lexer tokens that mark structure and are not part of the source text. */
const CONTROL_TOKENS = new Set(['\u0002', '\u0018', '\u001f']);

/** Where the text nests too deeply to be parsed safely, if it does. */
export function nestingProblem(text: string): { offset: number; message: string } | undefined {
  let lineStart = 0;
  while (lineStart <= text.length) {
    const end = text.indexOf('\n', lineStart);
    const lineEnd = end < 0 ? text.length : end;
    // Indentation, counting compact nesting (`- - - a`, `? `, `: `) as indentation too.
    let i = lineStart;
    for (;;) {
      while (i < lineEnd && text[i] === ' ') i += 1;
      const c = text[i];
      const next = text[i + 1];
      if ((c === '-' || c === '?' || c === ':') && (next === ' ' || i + 1 >= lineEnd)) i += 1;
      else break;
      if (i - lineStart > MAX_INDENT) break;
    }
    if (i - lineStart > MAX_INDENT) {
      return { offset: lineStart, message: `the file is indented or nested more than ${MAX_INDENT} columns deep; lab files never need that` };
    }
    if (end < 0) break;
    lineStart = end + 1;
  }
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      depth += 1;
      if (depth > MAX_FLOW_DEPTH) {
        return { offset, message: `the file nests [ ] or { } more than ${MAX_FLOW_DEPTH} levels deep; lab files never need that` };
      }
    } else if (token === ']' || token === '}') {
      depth = Math.max(0, depth - 1);
    }
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
  return undefined;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type PathSegment = string | number;

export interface Position {
  line: number;
  col: number;
}

export interface YamlSource {
  doc: Document.Parsed;
  /** The plain JavaScript data, when the YAML was clean. */
  data?: unknown;
  /** Errors of the YAML level; when any, `data` is absent. */
  issues: LabIssue[];
  /** Where a path into the data is written: the value, or with `key` the key of its pair. */
  locate(path: readonly PathSegment[], key?: boolean): Position;
  /** The line:col of an offset into the text. */
  at(offset: number): Position;
  /** The scalar at exactly this path: its source text and where it starts. */
  scalarAt(path: readonly PathSegment[]): { source: string; offset: number; plain: boolean } | undefined;
}

export function issue(file: string, at: Position, message: string, severity: LabIssue['severity'] = 'error'): LabIssue {
  return { file, line: at.line, col: at.col, message, severity };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export function tooLargeMessage(bytes: number): string {
  return `file is ${formatBytes(bytes)}; lab and course files are limited to 1 MB`;
}

/** yaml's message without the position and code frame that prettyErrors appends. */
function plainMessage(error: YAMLError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlIssueMessage(error: YAMLError): string {
  const message = plainMessage(error);
  switch (error.code) {
    case 'TAG_RESOLVE_FAILED': {
      const tag = message.replace(/^Unresolved tag: /, '').replace(/^tag:yaml\.org,2002:/, '!!');
      return `unknown YAML tag '${tag}'; lab files use plain YAML without tags`;
    }
    case 'MULTIPLE_DOCS':
      return 'more than one YAML document (---) in the file; put one lab or course per file';
    default:
      return `invalid YAML: ${message}`;
  }
}

/** The first line whose indentation holds a tab, and the tab's column; undefined when none does. */
function tabIndentation(text: string): Position | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const indent = /^[ \t]*/.exec(lines[i] ?? '')?.[0] ?? '';
    const col = indent.indexOf('\t');
    if (col >= 0 && indent.length < (lines[i] ?? '').length) return { line: i + 1, col: col + 1 };
  }
  return undefined;
}

export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const issues: LabIssue[] = [];
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const bytes = Buffer.byteLength(text, 'utf8');
  const nesting = bytes > MAX_FILE_BYTES ? undefined : nestingProblem(text);
  const doc = parseDocument(bytes > MAX_FILE_BYTES || nesting ? '' : text, {
    lineCounter,
    prettyErrors: true,
    // yaml's own duplicate-key check compares every key with every other (quadratic in
    // the size of a mapping); the walk below finds duplicates with a Set instead.
    uniqueKeys: false,
    keepSourceTokens: false,
  });

  const nodeAt = (path: readonly PathSegment[]): { node: unknown; depth: number; pairKey?: Node } => {
    let node: unknown = doc.contents;
    let pairKey: Node | undefined;
    let depth = 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      let nextKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          next = pair.value;
          nextKey = isScalar(pair.key) ? pair.key : undefined;
          if (next === null || next === undefined) next = pair.key;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (next === undefined) break;
      node = next;
      pairKey = nextKey;
      depth += 1;
    }
    return { node, depth, pairKey };
  };

  const rangeStart = (node: unknown): number | undefined => {
    if ((isScalar(node) || isCollection(node) || isAlias(node)) && node.range) return node.range[0];
    return undefined;
  };

  const locate = (path: readonly PathSegment[], key = false): Position => {
    const found = nodeAt(path);
    const target = key && found.depth === path.length && found.pairKey ? found.pairKey : found.node;
    const offset = rangeStart(target);
    return offset === undefined ? { line: 1, col: 1 } : at(offset);
  };

  const scalarAt = (path: readonly PathSegment[]): { source: string; offset: number; plain: boolean } | undefined => {
    const found = nodeAt(path);
    if (found.depth !== path.length || !isScalar(found.node) || !found.node.range) return undefined;
    const start = found.node.range[0];
    const end = found.node.range[1];
    return {
      source: text.slice(start, end),
      offset: start,
      plain: found.node.type === 'PLAIN' && !text.slice(start, end).includes('\n'),
    };
  };

  const result: YamlSource = { doc, issues, locate, scalarAt, at };

  if (bytes > MAX_FILE_BYTES) {
    issues.push(issue(file, { line: 1, col: 1 }, tooLargeMessage(bytes)));
    return result;
  }
  if (nesting) {
    // The document was not parsed, so positions come from the text itself.
    const before = text.slice(0, nesting.offset);
    const line = before.split('\n').length;
    const col = nesting.offset - (before.lastIndexOf('\n') + 1) + 1;
    issues.push(issue(file, { line, col }, nesting.message));
    return result;
  }
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = error.linePos?.[0] ?? at(error.pos[0]);
    issues.push(issue(file, { line: pos.line, col: pos.col }, yamlIssueMessage(error)));
  }
  if (issues.length > 0) {
    // A tab in the indentation makes the parser lose track of the nesting, and its errors from
    // there on are knock-ons ("All mapping items must start at the same column"): the tab is
    // the cause, so it is the first (and, from its line on, the only) error.
    const tab = tabIndentation(text);
    const first = Math.min(...issues.map((i) => i.line));
    if (tab && first >= tab.line && first <= tab.line + 1) {
      const before = issues.filter((i) => i.line < tab.line);
      issues.length = 0;
      issues.push(...before, issue(file, tab, 'a tab in the indentation: YAML indents with spaces only; replace the tab with spaces'));
    }
    return result;
  }

  try {
    visit(doc, {
      Map(_key, map) {
        const seen = new Set<string>();
        for (const pair of map.items) {
          if (!isScalar(pair.key)) continue;
          const name = String(pair.key.value);
          if (seen.has(name)) {
            issues.push(issue(file, at(pair.key.range?.[0] ?? 0), `duplicate key '${name}': each key may appear only once in a mapping`));
          }
          seen.add(name);
        }
      },
      Pair(_key, pair) {
        if (!isPair(pair)) return;
        const k = pair.key;
        if (isScalar(k)) {
          if (typeof k.value === 'string' && FORBIDDEN_KEYS.has(k.value)) {
            issues.push(issue(file, at(k.range?.[0] ?? 0), `key '${k.value}' is not allowed`));
          }
        } else if (k !== null && k !== undefined) {
          const offset = rangeStart(k) ?? 0;
          issues.push(issue(file, at(offset), 'keys must be plain text, not lists, mappings or aliases'));
        }
      },
      Alias(_key, alias) {
        if (!alias.resolve(doc)) {
          issues.push(issue(file, at(alias.range?.[0] ?? 0), `alias *${alias.source} names no anchor defined before it`));
        }
      },
    });
  } catch (error) {
    issues.push(issue(file, { line: 1, col: 1 }, `the file is nested too deeply to read (${errorMessage(error)})`));
  }
  if (issues.length > 0) return result;

  try {
    result.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = errorMessage(error);
    let firstAlias: Position = { line: 1, col: 1 };
    let found = false;
    visit(doc, {
      Alias(_key, alias) {
        if (!found) {
          firstAlias = at(alias.range?.[0] ?? 0);
          found = true;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    issues.push(
      issue(
        file,
        firstAlias,
        /alias/i.test(message)
          ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); this looks like an alias bomb`
          : `cannot read the YAML: ${message}`,
      ),
    );
  }
  return result;
}
