/**
 * Where each `${name}` placeholder of a lab command lands, read by a lexer of POSIX shell
 * text (the lab terminal runs bash or sh): outside quotes, in '...', in "...", in $'...', in a
 * `#` comment, inside backticks, or in a here-document body. `fillCommand` quotes each value
 * for its context; this module only reads. No `vscode` import.
 *
 * What it understands: backslash escapes; '...', $'...' (ANSI-C, with backslash escapes), "..."
 * (with `\`, `$(...)` and backticks inside); `$(...)` and `$((...))` nested to any depth, with
 * the parentheses of `case` patterns and subshells counted; `#` comments where a word starts;
 * here-documents (`<<WORD`, `<<-WORD`, quoted delimiters) whose bodies begin after the end of
 * the line; here-strings (`<<<`) are ordinary words. Text it cannot place (an unterminated
 * quote) makes the remaining placeholders `unterminated`, which the filler refuses.
 */

export type ShellContext =
  /** Outside any quotes (also inside `$(...)` outside its own quotes). */
  | 'plain'
  | 'single'
  | 'double'
  /** `$'...'`: ANSI-C quoting. */
  | 'ansi'
  /** After `#` at the start of a word, to the end of the line. */
  | 'comment'
  /** Inside `` `...` ``: no quoting can be trusted there. */
  | 'backtick'
  /** A here-document body whose delimiter is unquoted: `$`, `` ` `` and `\` are special. */
  | 'heredoc'
  /** A here-document body whose delimiter is quoted: read literally. */
  | 'heredoc-literal'
  /** After an unterminated quote or construct. */
  | 'unterminated';

/**
 * Which shell reads the text: `bash` (the lab terminal and the CLI runner use bash where it
 * exists) or a plain POSIX `sh` such as dash, which has no $'...' and no here-strings.
 */
export type ShellDialect = 'bash' | 'posix';

export interface PlaceholderSite {
  /** The name between the braces, as written. */
  name: string;
  /** Offset of the `$`. */
  index: number;
  /** Length of the whole `${...}`. */
  length: number;
  context: ShellContext;
}

interface Frame {
  kind: 'top' | 'sub' | 'double' | 'backtick';
  /** Offset where the frame opened. */
  start: number;
  /** Open `(` inside a `sub` frame still waiting for their `)`. */
  parens: number;
}

interface PendingHeredoc {
  delimiter: string;
  literal: boolean;
  stripTabs: boolean;
}

const OPERATOR_CHARS = new Set([';', '&', '|', '(', ')', '<', '>', '\n']);

/**
 * What opens a new frame: `$(` (a word starts inside it), a backtick and a double quote. Inside
 * "..." only the first two open one (the quote there closes the frame instead).
 */
const OPENERS: ReadonlyArray<{ text: string; kind: Exclude<Frame['kind'], 'top'>; startsWord: boolean }> = [
  { text: '$(', kind: 'sub', startsWord: true },
  { text: '`', kind: 'backtick', startsWord: false },
  { text: '"', kind: 'double', startsWord: false },
];
const BLANKS = new Set([' ', '\t']);

/** Every `${...}` in the command, in order, with the context it lands in. */
export function placeholderSites(text: string, dialect: ShellDialect = 'bash'): PlaceholderSite[] {
  const sites: PlaceholderSite[] = [];
  const stack: Frame[] = [{ kind: 'top', start: 0, parens: 0 }];
  const pending: PendingHeredoc[] = [];
  /** Whether the next character starts a word (where `#` begins a comment). */
  let wordStart = true;
  let i = 0;
  const top = (): Frame => stack[stack.length - 1] ?? { kind: 'top', start: 0, parens: 0 };
  const inBacktick = (): boolean => stack.some((f) => f.kind === 'backtick');

  /** Pushes the frame an opener at `at` starts (one of `kinds`); returns its end or -1. */
  const openAt = (at: number, kinds: ReadonlyArray<Frame['kind']>): number => {
    const opener = OPENERS.find((o) => kinds.includes(o.kind) && text.startsWith(o.text, at));
    if (!opener) return -1;
    stack.push({ kind: opener.kind, start: at, parens: 0 });
    if (opener.startsWord) wordStart = true;
    return at + opener.text.length;
  };

  /** A `${...}` at i, if one starts there; returns its end or -1. */
  const placeholderAt = (at: number, context: ShellContext): number => {
    if (text[at] !== '$' || text[at + 1] !== '{') return -1;
    const close = text.indexOf('}', at + 2);
    if (close < 0) return -1;
    sites.push({ name: text.slice(at + 2, close), index: at, length: close + 1 - at, context });
    return close + 1;
  };

  /** Marks every placeholder from `from` on as `context` (text the lexer cannot place further). */
  const rest = (from: number, context: ShellContext): void => {
    for (let j = from; j < text.length; j++) {
      const end = placeholderAt(j, context);
      if (end > 0) j = end - 1;
    }
  };

  /** Reads the bodies of the pending here-documents, starting at `at` (just after a newline). */
  const heredocBodies = (at: number): number => {
    let pos = at;
    while (pending.length > 0) {
      const doc = pending.shift();
      if (!doc) break;
      for (;;) {
        if (pos >= text.length) {
          return pos; // unterminated here-document: the shell reads to the end too
        }
        const nl = text.indexOf('\n', pos);
        const end = nl < 0 ? text.length : nl;
        const line = text.slice(pos, end);
        const compared = doc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (compared === doc.delimiter) {
          pos = nl < 0 ? text.length : nl + 1;
          break;
        }
        for (let j = pos; j < end; j++) {
          const close = placeholderAt(j, doc.literal ? 'heredoc-literal' : 'heredoc');
          if (close > 0) j = close - 1;
        }
        pos = nl < 0 ? text.length : nl + 1;
      }
    }
    return pos;
  };

  /** Reads a here-document operator's delimiter word starting at `at`; returns where it ends. */
  const heredocOperator = (at: number): number => {
    let pos = at;
    let stripTabs = false;
    if (text[pos] === '-') {
      stripTabs = true;
      pos += 1;
    }
    while (BLANKS.has(text[pos] ?? '')) pos += 1;
    let delimiter = '';
    let literal = false;
    while (pos < text.length) {
      const c = text[pos] ?? '';
      if (BLANKS.has(c) || OPERATOR_CHARS.has(c)) break;
      if (c === "'" || c === '"') {
        literal = true;
        const close = text.indexOf(c, pos + 1);
        if (close < 0) return text.length;
        delimiter += text.slice(pos + 1, close);
        pos = close + 1;
        continue;
      }
      if (c === '\\') {
        literal = true;
        delimiter += text[pos + 1] ?? '';
        pos += 2;
        continue;
      }
      delimiter += c;
      pos += 1;
    }
    pending.push({ delimiter, literal, stripTabs });
    return pos;
  };

  while (i < text.length) {
    const frame = top();
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';

    if (frame.kind === 'backtick') {
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '`') {
        stack.pop();
        i += 1;
        continue;
      }
      const end = placeholderAt(i, 'backtick');
      i = end > 0 ? end : i + 1;
      continue;
    }

    if (frame.kind === 'double') {
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '"') {
        stack.pop();
        i += 1;
        wordStart = false;
        continue;
      }
      const opened = openAt(i, ['backtick', 'sub']);
      if (opened > 0) {
        i = opened;
        continue;
      }
      const end = placeholderAt(i, inBacktick() ? 'backtick' : 'double');
      i = end > 0 ? end : i + 1;
      continue;
    }

    // top or sub: outside quotes
    if (c === '\\') {
      i += 2;
      wordStart = false;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        rest(i + 1, 'unterminated');
        return sites;
      }
      for (let j = i + 1; j < close; j++) {
        const end = placeholderAt(j, inBacktick() ? 'backtick' : 'single');
        if (end > 0) j = end - 1;
      }
      i = close + 1;
      wordStart = false;
      continue;
    }
    if (c === '$' && next === "'" && dialect === 'bash') {
      let j = i + 2;
      let closed = false;
      while (j < text.length) {
        if (text[j] === '\\') {
          j += 2;
          continue;
        }
        if (text[j] === "'") {
          closed = true;
          break;
        }
        const end = placeholderAt(j, inBacktick() ? 'backtick' : 'ansi');
        j = end > 0 ? end : j + 1;
      }
      if (!closed) {
        rest(i + 2, 'unterminated');
        return sites;
      }
      i = j + 1;
      wordStart = false;
      continue;
    }
    const opened = openAt(i, ['double', 'backtick', 'sub']);
    if (opened > 0) {
      i = opened;
      continue;
    }
    if (c === '#' && wordStart) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      for (let j = i; j < end; j++) {
        const close = placeholderAt(j, inBacktick() ? 'backtick' : 'comment');
        if (close > 0) j = close - 1;
      }
      i = end;
      continue;
    }
    if (c === '<' && next === '<') {
      if (text[i + 2] === '<' && dialect === 'bash') {
        i += 3; // here-string: an ordinary word follows
        wordStart = true;
        continue;
      }
      i = heredocOperator(i + 2);
      wordStart = true;
      continue;
    }
    if (c === '\n') {
      i += 1;
      wordStart = true;
      if (pending.length > 0) i = heredocBodies(i);
      continue;
    }
    if (frame.kind === 'sub') {
      if (c === '(') {
        frame.parens += 1;
      } else if (c === ')') {
        if (frame.parens > 0) {
          frame.parens -= 1;
        } else {
          stack.pop();
          i += 1;
          wordStart = false;
          continue;
        }
      }
    }
    const end = placeholderAt(i, inBacktick() ? 'backtick' : 'plain');
    if (end > 0) {
      i = end;
      wordStart = false;
      continue;
    }
    wordStart = BLANKS.has(c) || OPERATOR_CHARS.has(c);
    i += 1;
  }
  const unclosed = stack[1];
  if (unclosed) {
    // An unterminated "...", `...` or $(...): nothing after its start can be placed.
    for (const site of sites) if (site.index > unclosed.start) site.context = 'unterminated';
  }
  return sites;
}
