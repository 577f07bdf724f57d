/**
 * Small text helpers the whole product shares (core, CLI and extension). No `vscode` import.
 */

/** A short text for any thrown value: an Error's message, a string as it is, anything else printed. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

/** Whether text holds a control character (C0, DEL or C1): such text is refused where it would reach a shell, a URL or a terminal. */
export function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * Where untrusted text (from a lab file or from the engine) is shown. Each surface has its own
 * way of turning text into something active, which `inert` takes away:
 * - `notification`: VS Code renders `[label](command:...)` / `(https://...)` / `(file:...)` in
 *   notification and dialog text as links that run or open; line breaks start new paragraphs.
 * - `statusBar`: `$(name)` in a status bar item's text is an icon.
 * - `markdown`: a Markdown document or MarkdownString (the exported report, tooltips): every
 *   Markdown and HTML special character.
 * - `plain`: tree labels and descriptions, quick picks, the output channel: control characters
 *   (which could fake a new log line or move the cursor) only.
 * - `html`: an HTML page's text or attribute value (the class report): `& < > " '`.
 */
export type TextSurface = 'notification' | 'statusBar' | 'markdown' | 'plain' | 'html';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Control characters shown as visible escapes (`\n` as ␤-like `\u2424`, others as `\xNN`). */
function visibleControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '\n') out += '\u2424';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const MARKDOWN_SPECIAL = new Set(['\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '<', '>', '~', '&', '$', '"', "'"]);

const INERT: Record<TextSurface, (text: string) => string> = {
  plain: visibleControls,
  // A zero-width space between `]` and `(` breaks every link form VS Code parses; the text reads the same.
  notification: (text) => visibleControls(text).replace(/\]\(/g, ']\u200b('),
  statusBar: (text) => visibleControls(text).replace(/\$\(/g, '$\u200b('),
  markdown: (text) => {
    let out = '';
    for (const ch of visibleControls(text)) out += MARKDOWN_SPECIAL.has(ch) ? `\\${ch}` : ch;
    return out;
  },
  html: (text) => visibleControls(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch),
};

/**
 * Untrusted text made inert for the surface it is shown on: the one helper every lab-file and
 * engine string goes through on its way to a notification, dialog, tree, status bar, log or
 * report. Secrets in it are masked too (see `maskSecrets`).
 */
export function inert(text: string, surface: TextSurface): string {
  return INERT[surface](maskSecrets(text));
}

/** Names whose values are secrets wherever they appear as NAME=value. */
const SECRET_NAME = /(^|[^A-Za-z0-9_])((?:[A-Za-z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY))\s*=\s*)("[^"]*"|'[^']*'|[^\s&"';]+)/gi;

/**
 * Masks secret values in a command line, a log line or a check's reason, so they stay out of
 * the output channel, stored results and exported reports:
 * `-e NAME=value` / `--env NAME=value` / `--env=NAME=value` (every value: the lab's own
 * variables can be secrets too), `--password VALUE` / `--password=VALUE` / `-p` of `docker
 * login`, and any `PASSWORD=`, `TOKEN=`, `SECRET=`, `..._KEY=` or `token=` value (a Jupyter
 * URL's `?token=...`).
 */
export function maskSecrets(text: string): string {
  return text
    // -e 'NAME=value with spaces' / -e "NAME=..." (the quotes around the whole pair)
    .replace(/(^|\s)(-e|--env)(\s+|=)(["'])([A-Za-z_][A-Za-z0-9_]*)=[^"']*\4/g, (_m, lead: string, flag: string, sep: string, quote: string, name: string) => `${lead}${flag}${sep}${quote}${name}=***${quote}`)
    // -e NAME=value / -e NAME="value" / --env=NAME=value
    .replace(/(^|\s)(-e|--env)(\s+|=)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g, (_m, lead: string, flag: string, sep: string, name: string) => `${lead}${flag}${sep}${name}=***`)
    .replace(/(^|\s)(--password)(\s+|=)("[^"]*"|'[^']*'|\S+)/g, (_m, lead: string, flag: string, sep: string) => `${lead}${flag}${sep}***`)
    .replace(/(\blogin\b[^\n]*?\s)(-p)(\s+)("[^"]*"|'[^']*'|\S+)/g, (_m, head: string, flag: string, sep: string) => `${head}${flag}${sep}***`)
    .replace(SECRET_NAME, (_m, lead: string, assign: string) => `${lead}${assign}***`);
}

/** Text made safe to match literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
