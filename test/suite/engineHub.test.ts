/**
 * The engine hub in the extension host: its health report always belongs to the endpoint in
 * use, even when the endpoint setting changes while a check runs (as it can at start-up).
 */
import * as assert from 'assert';
import { createLogger } from '../../src/common/logger';
import { EngineHub } from '../../src/session/engineHub';

const MAIN = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST : 'unix:///var/run/docker.sock';
const NOWHERE = 'unix:///tmp/cl-test-no-engine-here.sock';

describe('Engine hub', function () {
  this.timeout(30_000);
  // The hub's log lines, kept here (an output channel made and disposed within a test leaks).
  const lines: string[] = [];
  const keep = (message: string): void => {
    lines.push(message);
  };
  const sink = { trace: keep, debug: keep, info: keep, warn: keep, error: keep };

  it('a check that was running when the endpoint changed does not decide the health', async () => {
    const hub = new EngineHub(createLogger(sink, 'hub-test'), MAIN);
    const fired: boolean[] = [];
    const sub = hub.onDidChangeHealth((r) => fired.push(r.ok));
    try {
      // The first check starts against the engine that answers; the setting changes meanwhile.
      const first = hub.checkHealth();
      hub.setOverride(NOWHERE);
      const second = hub.checkHealth();
      const [a, b] = await Promise.all([first, second]);
      assert.strictEqual(b.ok, false, 'the report for the new endpoint');
      assert.strictEqual(b.endpoint.url, NOWHERE);
      assert.strictEqual(a.endpoint.url, NOWHERE, 'the first caller gets the current endpoint\'s report too');
      assert.strictEqual(hub.health?.ok, false);
      assert.strictEqual(hub.health?.problem, 'not-running');
      assert.deepStrictEqual(fired, [false], 'views hear of the new endpoint\'s problem only');
      assert.ok(lines.some((l) => /endpoint changed during its health check/.test(l)), lines.join('\n'));
      // And back: the engine answers again.
      hub.setOverride(MAIN);
      assert.strictEqual((await hub.checkHealth()).ok, true);
      assert.strictEqual(hub.health?.ok, true);
    } finally {
      sub.dispose();
      hub.dispose();
    }
  });
});
