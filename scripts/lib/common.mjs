// Small helpers shared by the scripts in scripts/: paths, child processes, ports, temp copies.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/lib/common.mjs). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The cache directory kept OUTSIDE the clone: code-server installs, the dockerd we start, logs.
 * ~/.cache/container-labs unless CONTAINER_LABS_CACHE says otherwise.
 */
export function cacheRoot() {
  const dir = process.env.CONTAINER_LABS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'container-labs');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** An error whose message is meant for a person; CLIs print it without a stack trace. */
export class UserError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/**
 * Runs the main function of a CLI script: prints a UserError's message (no stack), any other
 * error with its stack, and sets the exit code.
 */
export function runMain(fn, prefix) {
  fn().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error) => {
      if (error instanceof UserError) {
        process.stderr.write(`${prefix}: ${error.message}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

/** A line printed by the scripts, prefixed with the script's name. */
export function say(prefix, message) {
  process.stdout.write(`[${prefix}] ${message}\n`);
}

/**
 * Runs a command. With `capture`, collects stdout/stderr (and still streams them if `echo`);
 * otherwise inherits stdio. Resolves with { code, signal, stdout, stderr }; never rejects on a
 * non-zero exit (the caller decides), rejects only when the command cannot start.
 * `timeoutMs` kills the whole process group when exceeded (code is then null, timedOut true).
 * `sink(chunk)` receives stdout and stderr as they come, in place of the terminal (test-all
 * collects each layer's output this way when layers run at once). `signal` (an AbortSignal)
 * sends the child SIGTERM when it fires: a background helper asked to finish. `forwardSignals`
 * passes this process's SIGINT/SIGTERM on to the child (a runner signalled on its own, not
 * through its terminal, must end its children before it can stop what it started).
 */
export function run(cmd, args, { cwd = repoRoot, env = process.env, capture = false, echo = !capture, timeoutMs, input, sink, signal, forwardSignals = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const piped = capture || sink !== undefined;
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit'],
      // Its own process group when signals are passed on: they then reach the whole tree.
      detached: timeoutMs !== undefined || forwardSignals,
    });
    let stdout = '';
    let stderr = '';
    if (piped) {
      child.stdout.on('data', (d) => {
        if (capture) stdout += d;
        if (sink) sink(d);
        else if (echo) process.stdout.write(d);
      });
      child.stderr.on('data', (d) => {
        if (capture) stderr += d;
        if (sink) sink(d);
        else if (echo) process.stderr.write(d);
      });
    }
    if (input !== undefined) child.stdin.end(input);
    const finish = () => child.kill('SIGTERM');
    if (signal?.aborted) finish();
    else signal?.addEventListener('abort', finish, { once: true });
    let timedOut = false;
    let timer;
    // A detached child is in its own process group, out of reach of the terminal's Ctrl+C:
    // pass the signal on.
    const forward = (signal) => killGroup(child.pid, signal);
    if (timeoutMs !== undefined || forwardSignals) {
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid, 'SIGTERM');
        setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000).unref();
      }, timeoutMs);
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.on('error', (error) => {
      done();
      reject(new UserError(`cannot run ${cmd}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      done();
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Sends a signal to a process group we created (detached child); ignores "already gone". */
export function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Whether a command is on PATH. */
export async function which(cmd) {
  const r = await run('sh', ['-c', `command -v ${cmd}`], { capture: true, echo: false });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** A free TCP port on 127.0.0.1 (listen on port 0, read it back, close). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(false)));
  });
}

/** A fresh temp copy of test/fixtures/workspace; returns its path. */
export function copyFixtureWorkspace(label = 'ws') {
  const base = mkdtempSync(join(tmpdir(), `cl-test-${label}-`));
  const target = join(base, 'workspace');
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), target, { recursive: true });
  return target;
}

/** A fresh temp directory named cl-test-<label>-XXXX. */
export function tempDir(label) {
  return mkdtempSync(join(tmpdir(), `cl-test-${label}-`));
}

/** "1.2 s" / "3 min 4 s". */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Resolves after ms. */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether a process with this pid exists (one we may not signal counts as alive). */
export function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error?.code === 'EPERM';
  }
}

/**
 * Runs `fn` holding a lock: the directory `dir` with our pid inside, so that two runs at once
 * (test-all and a developer, or two clones sharing the cache) do not do the same work twice.
 * A lock whose owner died is taken over; after `waitMs` the caller gets a UserError naming
 * the owner. `what` names the work for the messages ("images.mjs").
 */
export async function withDirLock(dir, { what, waitMs = 20 * 60_000, log = () => undefined }, fn) {
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // the owner is between mkdir and writing its pid; wait a moment
      }
      if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > waitMs) throw new UserError(`another ${what} (pid ${owner}) has held ${dir} for ${Math.round(waitMs / 60_000)} min; if it is gone, remove that directory`);
      if (!announced && Number.isInteger(owner)) {
        log(`waiting for another ${what} (pid ${owner}) to finish`);
        announced = true;
      }
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
