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

/** Text made safe to match literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
