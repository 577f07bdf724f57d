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
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>Lab walkthrough</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading the step…</p></main>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
