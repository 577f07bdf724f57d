import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { ForegroundProcess, runShell, TailBuffer } from '../../src/core/runner/shell';
import { waitFor } from '../support/wait';

const opts = { cwd: os.tmpdir(), env: { ...process.env, CL_TEST_VALUE: 'from-env' } };

/** Running (a zombie waiting for a reaper counts as stopped). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runner shell', function () {
  this.timeout(20_000);

  it('runs through /bin/sh -c in the given folder and environment, with stdin from /dev/null', async () => {
    const r = await runShell('pwd; echo "$CL_TEST_VALUE"; cat; echo done', opts);
    assert.equal(r.exitCode, 0);
    assert.equal(r.timedOut, false);
    // `cat` would wait forever on a terminal; with /dev/null it ends at once.
    assert.deepEqual(r.tail, [os.tmpdir(), 'from-env', 'done']);
  });

  it('reports the exit code and keeps only the last lines of output', async () => {
    const r = await runShell('for i in $(seq 1 50); do echo line-$i; done; echo oops >&2; exit 7', opts);
    assert.equal(r.exitCode, 7);
    assert.equal(r.tail.length, 20);
    assert.equal(r.tail[0], 'line-32');
    assert.equal(r.tail[19], 'oops');
  });

  it('stops a command at its deadline, with everything it started', async () => {
    // Were it to wait for `sleep 30`, the test's 20 s timeout would fail it.
    const r = await runShell('sleep 30 & echo $! ; wait', { ...opts, timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.exitCode, 0);
    const child = Number(r.tail[0]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(child), false, 'the background sleep was stopped with its group');
  });

  it('stops when the caller aborts', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const r = await runShell('sleep 30', { ...opts, signal: abort.signal });
    assert.equal(r.signal, 'SIGTERM');
  });

  it('keeps the tail of output that ends without a newline, and cuts endless lines', () => {
    const t = new TailBuffer(3);
    t.push('a\nb\nc\nd');
    t.push('e\n');
    assert.deepEqual(t.tail, ['b', 'c', 'de']);
    t.push('x'.repeat(10_000));
    assert.equal(t.tail[2].length, 4096);
  });

  it('stops a foreground process with Ctrl+C (SIGINT) first', async () => {
    const p = new ForegroundProcess("trap 'echo got-int; exit 0' INT; echo ready; while :; do sleep 0.1; done", opts);
    await waitFor('the trap to be set', () => p.tail.includes('ready'));
    assert.equal(p.running, true);
    assert.equal(await p.stop(2000), 'interrupted');
    assert.equal(p.running, false);
    assert.deepEqual(p.tail, ['ready', 'got-int']);
  });

  it('escalates to SIGTERM, then SIGKILL, when SIGINT is ignored', async () => {
    const ignoresInt = new ForegroundProcess("trap '' INT; echo ready; while :; do sleep 0.1; done", opts);
    const ignoresBoth = new ForegroundProcess("trap '' INT TERM; echo ready; while :; do sleep 0.1; done", opts);
    await waitFor('both traps to be set', () => ignoresInt.tail.includes('ready') && ignoresBoth.tail.includes('ready'));
    const [a, b] = await Promise.all([ignoresInt.stop(300), ignoresBoth.stop(300)]);
    assert.equal(a, 'terminated');
    assert.equal(b, 'killed');
    assert.equal(ignoresBoth.running, false);
  });

  it('says when a foreground process already exited', async () => {
    const p = new ForegroundProcess('echo bye; exit 3', opts);
    await waitFor('it to exit', () => !p.running);
    assert.equal(p.exitCode, 3);
    assert.equal(await p.stop(), 'exited');
  });
});
