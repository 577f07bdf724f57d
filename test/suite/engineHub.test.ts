/**
 * The engine hub in the extension host: its health report always belongs to the endpoint in
 * use, even when the endpoint setting changes while a check runs (as it can at start-up).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createLogger } from '../../src/common/logger';
import { EngineHub } from '../../src/session/engineHub';
import { activateExtension, viewStateFor, waitFor } from './helpers';

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

  it('the Docker Engine view follows the endpoint setting, and shows the current endpoint\'s state after a late start-up step', async () => {
    const api = await activateExtension();
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('containerLabs');
    const before = api.engine.endpoint.url;
    try {
      await config().update('engine.host', NOWHERE, vscode.ConfigurationTarget.Workspace);
      await waitFor('the view to show the new endpoint\'s problem', () => api.engineView.state === 'not-running', 15_000);
      assert.strictEqual(api.engine.health?.endpoint.url, NOWHERE);
      assert.strictEqual(api.engineView.view.description, NOWHERE, 'the view names the endpoint it asked');
      // What start-up does once its first check is over (the check ran against the old
      // endpoint, which answered): the view keeps the current endpoint's state.
      api.engineView.sync();
      await api.engineView.settled();
      assert.strictEqual(api.engineView.state, 'not-running');
    } finally {
      await config().update('engine.host', undefined, vscode.ConfigurationTarget.Workspace);
    }
    // Back on the engine that answers (whether within the check's 3 s is up to the shared
    // engine's load): the view shows the hub's report for it.
    const back = await waitFor('a report for the endpoint in use again', () => (api.engine.endpoint.url === before && api.engine.health ? api.engine.health : undefined), 15_000);
    await api.engineView.settled();
    assert.strictEqual(api.engineView.state, viewStateFor(back), back.message);
    assert.strictEqual(api.engineView.view.description, back.ok ? undefined : before);
  });
});
