/**
 * Host file checks cannot stall the process: FIFOs, links, devices and folders are refused at
 * once with a reason, a regular file is read up to its cap, and an `all` of several FIFO checks
 * (the extension-host hang of the security review) leaves Node's thread pool free.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { evaluateCheck } from '../../src/core/checks/evaluate';
import { readHostFile } from '../../src/core/hostFile';

describe('host file reads: regular files only, bounded', function () {
  // A hang is what these tests catch: mocha's timeout is the bound.
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-hostfile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fifo(name: string): string {
    const p = path.join(dir, name);
    const r = spawnSync('mkfifo', [p]);
    assert.equal(r.status, 0, `mkfifo: ${String(r.stderr)}`);
    return p;
  }

  it('reads a regular file, and at most maxBytes of it', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'hello from the host\n'.repeat(100));
    assert.deepEqual(await readHostFile(file), { ok: true, text: 'hello from the host\n'.repeat(100), truncated: false });
    const capped = await readHostFile(file, { maxBytes: 5 });
    assert.deepEqual(capped, { ok: true, text: 'hello', truncated: true });
  });

  it('refuses a FIFO, a link, a folder and a device with a reason, at once', async () => {
    const pipe = fifo('pipe');
    const target = path.join(dir, 'secret.txt');
    fs.writeFileSync(target, 'secret');
    const link = path.join(dir, 'notes.txt');
    fs.symlinkSync(target, link);
    assert.deepEqual(await readHostFile(pipe), { ok: false, problem: 'not-a-file', reason: `${pipe} is a named pipe (FIFO), not a file` });
    assert.deepEqual(await readHostFile(link), { ok: false, problem: 'not-a-file', reason: `${link} is a symbolic link (checks read regular files only), not a file` });
    assert.deepEqual(await readHostFile(dir), { ok: false, problem: 'not-a-file', reason: `${dir} is a directory, not a file` });
    assert.deepEqual(await readHostFile('/dev/zero'), { ok: false, problem: 'not-a-file', reason: '/dev/zero is a device, not a file' });
    assert.deepEqual(await readHostFile(path.join(dir, 'gone')), { ok: false, problem: 'missing', reason: `${path.join(dir, 'gone')} does not exist on this computer` });
  });

  it('an all: of four FIFO file checks fails each with its reason and leaves fs and dns working', async () => {
    const pipes = ['a', 'b', 'c', 'd'].map(fifo);
    // No engine call is made for host files; an endpoint nobody listens on proves it.
    const docker = new Dockerode({ socketPath: path.join(dir, 'no-engine.sock') });
    const result = await evaluateCheck({ all: pipes.map((p) => ({ file: { path: p, contains: 'x' } })) }, { docker, timeoutMs: 1000 });
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.children?.map((c) => c.reason), pipes.map((p) => `${p} is a named pipe (FIFO), not a file`));
    // The thread pool is free: a file read and a DNS lookup both finish (a blocked pool hangs them).
    const other = path.join(dir, 'other.txt');
    fs.writeFileSync(other, 'still readable');
    assert.equal(await fs.promises.readFile(other, 'utf8'), 'still readable');
    assert.ok((await dns.lookup('localhost')).address.length > 0);
  });
});
