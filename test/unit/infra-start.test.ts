/**
 * `npm start` as a student stops it (issue 12, item 16): SIGINT to npm's own process, as a
 * `kill -INT` or a process manager sends it, not only Ctrl+C in a terminal (which reaches the
 * whole process group). npm passes the signal to the shell that runs the script; the script is
 * `exec`ed, so the signal reaches scripts/open.mjs, which stops code-server and ends.
 *
 * The run is the test's own: its workspace and code-server state in temp folders
 * (CONTAINER_LABS_OPEN_DIR), a free port, and the VSIX `npm test` packaged
 * (CONTAINER_LABS_VSIX, so this run does not rebuild it under the UI tests' feet).
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/ports';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const vsix = process.env.CONTAINER_LABS_VSIX ?? path.join(repoRoot, 'dist', 'container-labs.vsix');

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('infra: npm start stops on SIGINT to npm itself (issue 12, item 16)', function () {
  this.timeout(300_000);
  let base: string;
  let child: ChildProcess | undefined;

  before(function () {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing: npm run package (npm test packages it first)`);
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-start-'));
  });

  after(function () {
    // Whatever is left of the run it started (its whole process group: code-server too, had it outlived npm).
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // nothing left of it
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('code-server answers, then one SIGINT to npm stops it and npm ends with 0', async function () {
    const port = await freePort();
    const folder = path.join(base, 'workspace');
    let out = '';
    // Its own process group (detached), as npm in a terminal has: the signal goes to npm's pid only.
    child = spawn('npm', ['start', '--', folder], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(port), CONTAINER_LABS_OPEN_DIR: path.join(base, 'state'), CONTAINER_LABS_VSIX: vsix },
    });
    const run = child;
    run.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    run.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => run.once('exit', (code) => resolve(code)));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not say it was ready within 240 s:\n${out}`)), 240_000);
      const poll = setInterval(() => {
        if (out.includes('Press Ctrl+C to stop.')) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        }
      }, 200);
      run.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`npm start ended (exit ${code}) before it was ready:\n${out}`));
      });
    });
    assert.match(out, new RegExp(`open at http://127\\.0\\.0\\.1:${port}/`), out);
    assert.equal(await listening(port), true, 'code-server listens on the port npm start printed');

    assert.ok(run.pid !== undefined);
    process.kill(run.pid, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000))]);
    assert.notEqual(code, 'hung', `npm start still ran 60 s after SIGINT to npm:\n${out}`);
    assert.equal(code, 0, out);
    assert.match(out, /stopping code-server/);
    assert.equal(await listening(port), false, 'nothing listens on the port any more');
  });
});
