/**
 * The event stream and live checks against real engines: the machine's engine for events
 * and latency, and a PRIVATE second dockerd that this test stops (SIGTERM) and restarts to
 * see the stream drop, the live check report "cannot check", and both recover.
 */
import * as assert from 'node:assert/strict';
import { errorMessage } from '../../src/core/text';
import type Dockerode from 'dockerode';
import type { Check, CheckResult } from '../../src/core/model';
import { evaluateCheck } from '../../src/core/checks/evaluate';
import { EngineEvents, JsonLineParser, toEngineEvent, type EngineEvent, type EngineStatus } from '../../src/core/checks/events';
import { LiveCheck, isRelevantEvent } from '../../src/core/checks/live';
import { checkHealth } from '../../src/core/engine/health';
import { createDocker, resolveEndpoint } from '../../src/core/engine/connection';
import { BUSYBOX, connectedEvents, ensureBusybox, isPodman, mainDocker } from '../support/engine';
import { freePort } from '../support/ports';
import { RUN_ID } from '../support/run';
import { sleep, waitFor } from '../support/wait';
import { PrivateEngine } from '../support/private-engine';
import { HTTPD_SCRIPT, Resources, WAIT_FOR_GATE, openGate } from './checks-fixture';

describe('checks: JSON event stream parsing', function () {
  it('joins lines split across chunks, even inside a UTF-8 character, and skips bad lines', function () {
    const parser = new JsonLineParser();
    const line1 = JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'café', image: 'alpine' } }, timeNano: 1_700_000_000_123_456_768 });
    const line2 = JSON.stringify({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1', Attributes: { name: 'alpine:latest' } }, time: 1_700_000_001 });
    const bytes = Buffer.from(`${line1}\nnot json\n${line2}\n`);
    const cut1 = bytes.indexOf(Buffer.from('é')) + 1; // in the middle of the two bytes of é
    const out: unknown[] = [];
    out.push(...parser.push(bytes.subarray(0, 10)));
    out.push(...parser.push(bytes.subarray(10, cut1)));
    out.push(...parser.push(bytes.subarray(cut1, cut1 + 40)));
    out.push(...parser.push(bytes.subarray(cut1 + 40)));
    assert.equal(out.length, 2);
    const events = out.map(toEngineEvent);
    assert.deepEqual(events[0], { type: 'container', action: 'start', id: 'abc', name: 'café', image: 'alpine', time: 1_700_000_000_123, attributes: { name: 'café', image: 'alpine' } });
    assert.equal(events[1]?.type, 'image');
    assert.equal(events[1]?.time, 1_700_000_001_000);
    assert.equal(toEngineEvent({ Type: 'plugin', Action: 'enable' }), undefined);
  });

  it('relevant events are the ones that can change a check (not our own exec calls)', function () {
    const ev = (type: EngineEvent['type'], action: string): EngineEvent => ({ type, action, id: 'x', time: 0, attributes: {} });
    for (const [t, a] of [['container', 'create'], ['container', 'start'], ['container', 'die'], ['container', 'destroy'], ['image', 'pull'], ['image', 'tag'], ['image', 'untag'], ['image', 'delete'], ['volume', 'mount'], ['volume', 'create'], ['volume', 'destroy'], ['container', 'health_status: healthy'], ['container', 'health_status: unhealthy'], ['container', 'health_status']] as const) {
      assert.equal(isRelevantEvent(ev(t, a)), true, `${t} ${a}`);
    }
    assert.equal(isRelevantEvent(ev('container', 'exec_start: cat /x')), false);
    assert.equal(isRelevantEvent(ev('container', 'exec_die')), false);
  });
});

describe('checks: EngineEvents and LiveCheck on the real engine', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const res = new Resources(docker);
  /** The label key of this run's cases: a check selecting by it sees only this run's containers. */
  const CASE = `cl-test-case-${RUN_ID}`;
  let events: EngineEvents;

  before(async function () {
    await ensureBusybox(docker);
    events = await connectedEvents(docker);
  });

  after(async function () {
    events.dispose();
    await res.cleanup();
  });

  it('one stream delivers typed container events with name and image', async function () {
    const seen: EngineEvent[] = [];
    const sub = events.onEvent((e) => seen.push(e));
    try {
      const { container, name } = await res.run({ Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
      await waitFor('create, start and die events', () => ['create', 'start', 'die'].every((a) => seen.some((e) => e.id === container.id && e.action === a)), 10_000, 20);
      const create = seen.find((e) => e.id === container.id && e.action === 'create');
      assert.equal(create?.type, 'container');
      assert.equal(create?.name, name);
      // Docker repeats the name the container was created with; Podman's full name
      // (docker.io/library/cl-test-busybox:latest) is given as a student writes it.
      assert.equal(create?.image, (await isPodman(docker)) ? 'cl-test-busybox' : 'cl-test-busybox:latest');
      assert.ok(Math.abs((create?.time ?? 0) - Date.now()) < 60_000);
      assert.equal(events.connected, true);
    } finally {
      sub.dispose();
    }
  });

  it('a live check passes by itself after a container starts, 5 times (event-to-passed median printed for the benchmark)', async function () {
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const label = `${CASE}=live-${i}`;
      const since = Date.now();
      // A generous deadline: the claim is that it passes by itself, not how fast (the ssh lane on a loaded machine is slow).
      const live = new LiveCheck({ check: { container: { label, state: 'running' } }, ctx: { docker, publishedHost: '127.0.0.1', since, timeoutMs: 20_000 }, events });
      let startAt = 0;
      let firstAt = 0;
      const sub = events.onEvent((e) => {
        if (e.attributes[CASE] !== `live-${i}`) return;
        if (!firstAt) firstAt = Date.now();
        if (e.action === 'start' && !startAt) startAt = Date.now();
      });
      const passed = new Promise<number>((resolve) => {
        live.onResult((r) => {
          if (r.status === 'passed') resolve(Date.now());
        });
      });
      try {
        const first = await live.checkNow();
        assert.equal(first.status, 'failed', first.reason);
        await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: `live-${i}` }, HostConfig: { NetworkMode: 'none' } });
        const at = await passed;
        // Event-driven: an event of the container came first. Docker's `start` comes before the
        // container shows as running; Podman's can come after (its `init` already woke the check).
        assert.ok(firstAt > 0 && firstAt <= at, 'an event of the container arrived before it passed');
        latencies.push(at - (startAt > 0 && startAt <= at ? startAt : firstAt));
      } finally {
        sub.dispose();
        live.dispose();
      }
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[2] ?? Infinity;
     
    console.log(`      start event -> passed: median ${median} ms (${latencies.join(', ')})`);
    // The figure (target 300 ms) is the benchmark's, scripts/bench.mjs: not a pass/fail matter on a shared machine.
  });

  it('polls an HTTP check until the server inside a starting container answers', async function () {
    const port = await freePort();
    const since = Date.now();
    const check: Check = { http: { container: { label: `${CASE}=live-http` }, containerPort: 80, timeoutMs: 1000 } };
    const live = new LiveCheck({ check, ctx: { docker, publishedHost: '127.0.0.1', since }, events, pollMs: 300 });
    const results: CheckResult[] = [];
    live.onResult((r) => results.push(r));
    try {
      const { container } = await res.run({
        // The server starts when the test says so: first the live check must have polled and failed.
        Cmd: ['sh', '-c', `${WAIT_FOR_GATE}; ${HTTPD_SCRIPT}`],
        Labels: { [CASE]: 'live-http' },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
      });
      // It keeps polling: three failures while the container runs without a server.
      const started = results.length;
      await waitFor('three failed polls while the server is not up', () => results.slice(started).filter((r) => r.status === 'failed').length >= 3, 20_000, 50);
      assert.equal(results.some((r) => r.status === 'passed'), false, results.map((r) => r.reason).join('\n'));
      await openGate(container);
      await waitFor('the live http check to pass', () => results.some((r) => r.status === 'passed'), 20_000, 50);
    } finally {
      live.dispose();
    }
  });

  it('never runs two evaluations of one step at once: a burst of Check clicks runs at most two', async function () {
    const live = new LiveCheck({ check: { image: { ref: BUSYBOX } }, ctx: { docker, publishedHost: '127.0.0.1', since: 0 }, events });
    try {
      const results = await Promise.all([live.checkNow(), live.checkNow(), live.checkNow(), live.checkNow(), live.checkNow()]);
      assert.ok(results.every((r) => r.status === 'passed'));
      // The first click runs; the other four share the one queued evaluation (the same result).
      assert.equal(live.evaluations, 2);
      assert.notEqual(results[1], results[0]);
      assert.ok(results.slice(2).every((r) => r === results[1]));
    } finally {
      live.dispose();
    }
  });
});

describe('checks: engine stopped before, during a check and during the event stream (private dockerd)', function () {
  this.timeout(400_000);
  const engine = new PrivateEngine();
  let docker: Dockerode;
  const check: Check = { container: { name: 'cl-test-private-keeper', state: 'running', since: 'any' } };
  const endpoint = resolveEndpoint({ override: `unix://${engine.socket}` });


  before(async function () {
    await engine.start();
    docker = engine.docker;
    await ensureBusybox(docker);
    const c = await docker.createContainer({
      name: 'cl-test-private-keeper',
      Image: 'cl-test-busybox:latest',
      // sh as PID 1 ignores SIGTERM unless it traps it: trap it so dockerd stops it quickly.
      Cmd: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"],
      StopTimeout: 2,
      HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'always' } },
    });
    await c.start();
  });

  after(async function () {
    try {
      await docker.getContainer('cl-test-private-keeper').remove({ force: true });
    } catch {
      // the engine may be down if a test failed midway
    }
    await engine.destroy();
  });

  it('a quiet stream survives the client\'s inactivity timeout (createDocker with 300 ms); this engine has no other users', async function () {
    const quiet = new EngineEvents(() => createDocker(endpoint, { timeoutMs: 300 }));
    const statuses: EngineStatus[] = [];
    const seen: EngineEvent[] = [];
    quiet.onStatus((st) => statuses.push(st));
    quiet.onEvent((e) => seen.push(e));
    try {
      quiet.start();
      await waitFor('connected', () => quiet.connected, 10_000, 20);
      await sleep(1500);
      assert.deepEqual(seen, [], 'the stream really was quiet');
      assert.deepEqual(statuses.map((st) => st.state), ['connected']);
      assert.equal(quiet.connected, true);
    } finally {
      quiet.dispose();
    }
  });

  it('engine stopped before a check: status error with the reason, and the health report says not running', async function () {
    assert.equal((await evaluateCheck(check, { docker, endpoint, since: 0 })).status, 'passed');
    await engine.stop();
    const r = await evaluateCheck(check, { docker, endpoint, since: 0, timeoutMs: 2000 });
    assert.equal(r.status, 'error');
    assert.equal(r.reason, `cannot check: nothing listens at ${engine.socket} (the socket does not exist)`);
    const health = await checkHealth(endpoint, { env: {} });
    assert.equal(health.problem, 'not-running');
    await engine.start();
    await waitFor('the keeper to run again', async () => (await evaluateCheck(check, { docker, endpoint, since: 0 })).status === 'passed', 60_000, 200);
  });

  it('engine stopped during checks: every result is passed, failed or error (never a throw or a hang)', async function () {
    const results: CheckResult[] = [];
    let stop = false;
    // Each evaluation has a 2 s deadline; one that has not returned long after that hangs.
    const hangAfterMs = 30_000;
    const evaluateOrHang = async (): Promise<CheckResult> => {
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`evaluateCheck did not return within ${hangAfterMs / 1000} s (its deadline is 2 s): it hangs`)), hangAfterMs);
      });
      try {
        return await Promise.race([evaluateCheck({ all: [check, { image: { ref: 'cl-test-busybox' } }] }, { docker, endpoint, since: 0, timeoutMs: 2000 }), hang]);
      } finally {
        clearTimeout(timer);
      }
    };
    // A throw or a hang ends the loop; the waits below report it at once.
    let failure: unknown;
    const loop = (async () => {
      while (!stop) results.push(await evaluateOrHang());
    })().catch((error: unknown) => {
      failure = error;
    });
    const evaluated = (count: number) => (): boolean => {
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
      return results.length >= count;
    };
    try {
      await waitFor('two evaluations while the engine runs', evaluated(2), 30_000, 20);
      const beforeKill = results.length;
      await engine.stop();
      const afterKill = results.length;
      await waitFor('an evaluation begun after the engine stopped', evaluated(afterKill + 2), 30_000, 20);
      stop = true;
      await loop;
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
      assert.ok(results.slice(0, beforeKill).every((r) => r.status === 'passed'), JSON.stringify(results.slice(0, beforeKill)));
      assert.ok(results.every((r) => ['passed', 'failed', 'error'].includes(r.status)));
      const last = results[results.length - 1];
      assert.equal(last?.status, 'error');
    } finally {
      stop = true;
      await loop;
      await engine.start();
    }
  });

  it('a frozen engine (SIGSTOP: the connection stays open) is noticed by the heartbeat, and the stream recovers on SIGCONT', async function () {
    const statuses: EngineStatus[] = [];
    const events = new EngineEvents(() => engine.docker, { minBackoffMs: 100, maxBackoffMs: 500, heartbeatMs: 300, connectTimeoutMs: 1000 });
    events.onStatus((st) => statuses.push(st));
    try {
      events.start();
      await waitFor('connected', () => events.connected, 30_000, 20);
      engine.signal('SIGSTOP');
      try {
        await waitFor('the heartbeat to notice', () => statuses.some((st) => st.state === 'disconnected'), 10_000, 20);
      } finally {
        engine.signal('SIGCONT');
      }
      const lost = statuses.find((st) => st.state === 'disconnected');
      assert.match(lost?.reason ?? '', /^the engine stopped answering: the Docker Engine did not answer within 0\.3 s$/);
      await waitFor('reconnected', () => events.connected, 30_000, 20);
    } finally {
      events.dispose();
    }
  });

  it('engine stopped during the event stream: the live check reports error, then passes again after the restart', async function () {
    const statuses: EngineStatus[] = [];
    const events = new EngineEvents(() => engine.docker, { minBackoffMs: 100, maxBackoffMs: 1000 });
    events.onStatus((s) => statuses.push(s));
    const live = new LiveCheck({ check, ctx: { docker, endpoint, since: 0, timeoutMs: 2000 }, events, pollMs: 500 });
    const results: Array<{ at: number; result: CheckResult }> = [];
    live.onResult((result) => results.push({ at: Date.now(), result }));
    try {
      await waitFor('connected and passed', () => events.connected && results.some((r) => r.result.status === 'passed'), 60_000, 50);
      const killedAt = Date.now();
      await engine.stop();
      await waitFor('the live check to report error', () => results.some((r) => r.at >= killedAt && r.result.status === 'error'), 10_000, 50);
      // The check's own engine call and the stream notice the stop independently, in either order.
      await waitFor('the stream to report the disconnect', () => statuses.some((s) => s.state === 'disconnected'), 10_000, 50);
      const errored = results.find((r) => r.at >= killedAt && r.result.status === 'error');
      assert.ok(errored?.result.reason.startsWith('cannot check: '), errored?.result.reason);
      const restartedAt = Date.now();
      await engine.start();
      await waitFor('the live check to pass again', () => results.some((r) => r.at >= restartedAt && r.result.status === 'passed'), 60_000, 50);
      await waitFor('the event stream to reconnect', () => statuses.filter((s) => s.state === 'connected').length >= 2, 10_000, 50);
      const reconnects = statuses.filter((s) => s.state === 'connected');
      assert.match(reconnects[reconnects.length - 1]?.reason ?? '', /^reconnected after \d+ attempt\(s\)$/);
    } finally {
      live.dispose();
      events.dispose();
    }
  });
});
