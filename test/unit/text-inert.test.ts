/**
 * The one helper untrusted text goes through (src/core/text.ts): each surface's active syntax
 * is taken away, secrets are masked, and ordinary text reads the same.
 */
import * as assert from 'node:assert/strict';
import { errorMessage, hasControlChars, inert, maskSecrets, type TextSurface } from '../../src/core/text';

/** VS Code's notification link syntax: `[label](command:...|https://...|file:...)`. */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;

describe('inert text: lab files and engine output stay text', function () {
  const injected = 'Docker basics [(trust & run)](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20pwned%5Cr%22%7D)';

  it('notification: no link VS Code would render survives, and the words read the same', () => {
    assert.match(injected, NOTIFICATION_LINK, 'the fixture is a real link');
    const shown = inert(injected, 'notification');
    assert.doesNotMatch(shown, NOTIFICATION_LINK);
    assert.equal(shown.replace(/\u200b/g, ''), injected);
    for (const href of ['https://evil.example/x', 'file:///etc/passwd', 'COMMAND:x']) {
      assert.doesNotMatch(inert(`[open](${href})`, 'notification'), NOTIFICATION_LINK, href);
    }
  });

  it('notification and plain: a line break or escape cannot fake a second message or log line', () => {
    for (const surface of ['notification', 'plain', 'statusBar', 'markdown'] as TextSurface[]) {
      const shown = inert('step one\n[info] trusted: yes\u001b[2K\r', surface);
      assert.equal(hasControlChars(shown), false, `${surface}: ${JSON.stringify(shown)}`);
    }
    assert.equal(inert('a\nb\tc\u001b', 'plain'), 'a\u2424b\\x09c\\x1b');
  });

  it('statusBar: $(icon) syntax is shown, not rendered', () => {
    assert.equal(inert('Lab $(sync~spin) one', 'statusBar'), 'Lab $\u200b(sync~spin) one');
  });

  it('markdown: every Markdown and HTML special character is escaped', () => {
    assert.equal(inert('a *b* [c](command:x) <img src=x> _d_ `e` $(f) | g', 'markdown'), 'a \\*b\\* \\[c\\]\\(command:x\\) \\<img src=x\\> \\_d\\_ \\`e\\` \\$\\(f\\) \\| g');
  });

  it('masks secrets on every surface', () => {
    for (const surface of ['notification', 'plain', 'statusBar', 'markdown'] as TextSurface[]) {
      assert.ok(!inert('docker run -e PASSWORD=hunter2 rocker/rstudio', surface).includes('hunter2'), surface);
    }
  });
});

describe('maskSecrets', function () {
  const cases: Array<[string, string]> = [
    ['docker run -d -e PASSWORD=hunter2 -p 8787:8787 rocker/rstudio', 'docker run -d -e PASSWORD=*** -p 8787:8787 rocker/rstudio'],
    ['docker run --env DISABLE_AUTH=true x', 'docker run --env DISABLE_AUTH=*** x'],
    ['docker run --env=NAME="a b" x', 'docker run --env=NAME=*** x'],
    ["docker run -e 'X=1 2' -e \"Y=3\" x", "docker run -e 'X=***' -e \"Y=***\" x"],
    ['docker login --password s3cret -u me localhost:5000', 'docker login --password *** -u me localhost:5000'],
    ['docker login --password=s3cret localhost:5000', 'docker login --password=*** localhost:5000'],
    ['docker login -u me -p s3cret localhost:5000', 'docker login -u me -p *** localhost:5000'],
    ['http://127.0.0.1:8888/?token=0123abcd&next=/tree', 'http://127.0.0.1:8888/?token=***&next=/tree'],
    ['export GITHUB_TOKEN=ghp_x; MY_API_KEY="k v" ls', 'export GITHUB_TOKEN=***; MY_API_KEY=*** ls'],
    ['AWS_SECRET_ACCESS_KEY=abc', 'AWS_SECRET_ACCESS_KEY=***'],
    ['docker run -p 8888:8888 jupyter/base-notebook', 'docker run -p 8888:8888 jupyter/base-notebook'],
    ['nothing secret here: tokens and passwords are words', 'nothing secret here: tokens and passwords are words'],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => assert.equal(maskSecrets(input), expected));
  }
});

describe('errorMessage and hasControlChars', function () {
  it('reads any thrown value', () => {
    assert.equal(errorMessage(new Error('boom')), 'boom');
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorMessage(undefined), 'undefined');
    assert.equal(errorMessage(42), '42');
  });
  it('finds C0, DEL and C1 control characters only', () => {
    assert.equal(hasControlChars('tab\there'), true);
    assert.equal(hasControlChars('del\u007f'), true);
    assert.equal(hasControlChars('c1\u0085'), true);
    assert.equal(hasControlChars('café ✓ 日本'), false);
  });
});
