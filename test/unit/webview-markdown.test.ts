/**
 * Lab Markdown rendered for the walkthrough: raw HTML escaped, only http(s) links, only https
 * images, and the page's heading levels kept. Plain Node, no VS Code.
 */
import * as assert from 'node:assert/strict';
import { MarkdownRenderer } from '../../src/webview/markdown';
import { contentSecurityPolicy, makeNonce, renderShellHtml } from '../../src/webview/html';

const md = new MarkdownRenderer();

describe('walkthrough Markdown', () => {
  it('renders ordinary Markdown', () => {
    const out = md.render('Run `docker ps` and read **STATUS**.\n\n```sh\ndocker run --rm hello-world\n```');
    assert.match(out.html, /<code>docker ps<\/code>/);
    assert.match(out.html, /<strong>STATUS<\/strong>/);
    assert.match(out.html, /<pre><code class="language-sh">docker run --rm hello-world\n<\/code><\/pre>/);
    assert.deepEqual(out.links, []);
  });

  it('escapes raw HTML instead of passing it through', () => {
    const out = md.render('<script>alert(1)</script>\n\nhello <img src=x onerror=alert(1)> <iframe src="https://evil.example"></iframe>');
    assert.doesNotMatch(out.html, /<script/i);
    assert.doesNotMatch(out.html, /<img/i);
    assert.doesNotMatch(out.html, /<iframe/i);
    assert.match(out.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(out.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('keeps http(s) links, marks them, and reports them', () => {
    const out = md.render('See [the docs](https://docs.docker.com/get-started/) and [local](http://127.0.0.1:8888/tree).');
    assert.match(out.html, /<a href="https:\/\/docs\.docker\.com\/get-started\/" rel="noopener noreferrer" title="https:\/\/docs\.docker\.com\/get-started\/">the docs<\/a>/);
    assert.deepEqual(out.links, ['https://docs.docker.com/get-started/', 'http://127.0.0.1:8888/tree']);
  });

  it('drops javascript:, data:, vscode:, command:, file: and relative links', () => {
    const out = md.render(
      [
        '[a](javascript:alert(1))',
        '[b](JaVaScRiPt:alert(1))',
        '[c](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
        '[d](vscode://settings)',
        '[e](command:workbench.action.terminal.sendSequence)',
        '[f](file:///etc/passwd)',
        '[g](../secrets.md)',
        '<javascript:alert(1)>',
        '[h][ref]',
        '',
        '[ref]: javascript:alert(2)',
      ].join('\n'),
    );
    assert.doesNotMatch(out.html, /<a /);
    assert.doesNotMatch(out.html, /href=/);
    assert.deepEqual(out.links, []);
  });

  it('does not turn bare URLs into links (linkify off)', () => {
    const out = md.render('Open http://localhost:8888 in the browser.');
    assert.doesNotMatch(out.html, /<a /);
  });

  it('shows images only from https, otherwise their alt text', () => {
    const ok = md.render('![diagram](https://example.com/d.png)');
    assert.match(ok.html, /<img src="https:\/\/example\.com\/d\.png" alt="diagram">/);
    for (const src of ['http://example.com/d.png', 'data:image/png;base64,AAAA', 'file:///tmp/x.png', 'javascript:alert(1)', 'd.png']) {
      const out = md.render(`![alt <b>text</b>](${src})`);
      assert.doesNotMatch(out.html, /<img/, src);
      assert.doesNotMatch(out.html, /<b>/, src);
    }
  });

  it('loads no remote image when told not to (a workspace lab in Restricted Mode), and says what was left out', () => {
    const out = md.render('Look: ![the <b>diagram</b>](https://tracker.example/pixel.png?who=me)', { remoteImages: false });
    assert.doesNotMatch(out.html, /<img/);
    assert.match(out.html, /\[image: the &lt;b&gt;diagram&lt;\/b&gt;, from tracker\.example, not loaded in Restricted Mode\]/);
    assert.match(md.render('![d](https://example.com/d.png)', { remoteImages: true }).html, /<img src="https:\/\/example\.com\/d\.png"/);
  });

  it('moves lab headings below the page headings', () => {
    const out = md.render('# Big\n\n## Smaller\n\n##### Tiny');
    assert.match(out.html, /<h3>Big<\/h3>/);
    assert.match(out.html, /<h4>Smaller<\/h4>/);
    assert.match(out.html, /<h6>Tiny<\/h6>/);
  });

  it('escapes attribute breakouts in link titles and code fences', () => {
    const out = md.render('[x](https://example.com/" onmouseover="alert(1) "t")\n\n```"><script>\nx\n```');
    assert.doesNotMatch(out.html, /onmouseover="/);
    assert.doesNotMatch(out.html, /<script>/);
  });
});

describe('walkthrough page shell', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

  it('has a strict CSP with a fresh nonce and nothing inline', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(makeNonce(), nonce);
    const html = renderShellHtml({ cspSource, nonce, scriptUri: `${cspSource}/ext/dist/webview.js`, styleUri: `${cspSource}/ext/dist/webview.css`, language: 'en', title: 'Lab walkthrough', loading: 'Loading' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.equal(csp, contentSecurityPolicy(cspSource, nonce));
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}';`));
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net;/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    // One script, by nonce and src; no inline script body, no style attribute or element.
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="`));
    assert.match(html, /<script[^>]*><\/script>/);
    assert.doesNotMatch(html, /style=|<style/);
  });

  it('carries the display language and the l10n bundle, escaped, as data (never as script)', () => {
    const bundle = JSON.stringify({ 'Check now': 'Comprobar ahora', '"><script>x</script>': '<b>' });
    const html = renderShellHtml({ cspSource, nonce: makeNonce(), scriptUri: 'a', styleUri: 'b', language: 'es', title: 'Guía del laboratorio', loading: 'Cargando…', l10nBundle: bundle });
    assert.match(html, /<html lang="es">/);
    assert.match(html, /<title>Guía del laboratorio<\/title>/);
    const meta = /<meta name="container-labs-l10n" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(meta !== undefined, html);
    const unescaped = meta.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    assert.deepEqual(JSON.parse(unescaped), JSON.parse(bundle));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });
});
