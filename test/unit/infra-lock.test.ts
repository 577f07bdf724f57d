/**
 * scripts/lib/lock.mjs, the machine-wide lock that makes two clones' test runs take turns on
 * the real labs, used as test-all uses it, from separate processes: a held lock makes the next
 * taker wait and names its owner, a released one is free at once, and a lock whose owner died
 * is taken over. The locks here have this run's own name.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { uniqueName } from '../support/run';
import { sleep, waitFor } from '../support/wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const lockModule = pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'lock.mjs')).href;

interface Taker {
  child: ChildProcess;
  lines: string[];
  /** Ends its stdin: it releases the lock and exits. */
  release: () => Promise<void>;
  kill: () => Promise<void>;
}

/** A process that takes the lock (printing `wait PID` if it must wait, then `held`) and holds it until its stdin ends. */
function taker(name: string): Taker {
  const code = [
    `const { acquireMachineLock } = await import(${JSON.stringify(lockModule)});`,
    `const release = await acquireMachineLock(${JSON.stringify(name)}, { pollMs: 50, onWait: (pid) => console.log('wait ' + pid) });`,
    `console.log('held');`,
    `process.stdin.resume(); process.stdin.on('end', () => { release(); process.exit(0); });`,
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    release: async () => {
      child.stdin?.end();
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('infra: the machine-wide lock of the real labs', function () {
  this.timeout(30_000);
  const takers: Taker[] = [];
  const start = (name: string): Taker => {
    const t = taker(name);
    takers.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(takers.splice(0).map((t) => t.kill()));
  });

  it('is free at once after its holder released it', async () => {
    const name = uniqueName('lock');
    const first = start(name);
    await waitFor('the first to hold it', () => first.lines.includes('held'));
    await first.release();
    const second = start(name);
    await waitFor('the second to hold it', () => second.lines.includes('held'));
    assert.deepEqual(second.lines, ['held'], 'it did not wait');
  });

  it('makes a second taker wait, naming the holder, and hands over when the holder died', async () => {
    const name = uniqueName('lock');
    const first = start(name);
    await waitFor('the first to hold it', () => first.lines.includes('held'));
    const second = start(name);
    await waitFor('the second to wait', () => second.lines.length > 0);
    await sleep(300);
    assert.deepEqual(second.lines, [`wait ${first.child.pid ?? ''}`], 'it waits while the holder lives');
    await first.kill();
    await waitFor('the second to take it over', () => second.lines.includes('held'));
    assert.deepEqual(second.lines, [`wait ${first.child.pid ?? ''}`, 'held']);
  });
});
