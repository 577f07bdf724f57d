/**
 * The walkthrough page's HTML shell and its Content Security Policy. Everything the page
 * shows is drawn by the bundled script (dist/webview.js) from the view model; the shell holds
 * no inline script or style. Plain TypeScript, no `vscode`.
 */
import { randomBytes } from 'node:crypto';

export interface ShellOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of dist/webview.js. */
  scriptUri: string;
  /** `asWebviewUri` of dist/webview.css. */
  styleUri: string;
  nonce: string;
  /** The display language (`vscode.env.language`), for the page's `lang`. */
  language: string;
  /** The page's title and its text while it loads, in that language. */
  title: string;
  loading: string;
  /** The extension's l10n bundle as JSON (`vscode.l10n.bundle`), for the page's own strings; none in English. */
  l10nBundle?: string;
}

/** A fresh nonce for one page load: 16 random bytes, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The policy: nothing by default, our script by nonce, styles/fonts from the extension, images from it or https. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} https: data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderShellHtml(options: ShellOptions): string {
  const csp = escapeAttribute(contentSecurityPolicy(options.cspSource, options.nonce));
  const nonce = escapeAttribute(options.nonce);
  const bundle = options.l10nBundle === undefined ? '' : `\n<meta name="container-labs-l10n" content="${escapeAttribute(options.l10nBundle)}">`;
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(options.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">${bundle}
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>${escapeAttribute(options.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">${escapeAttribute(options.loading)}</p></main>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
