/**
 * scripts/images.mjs building images for real, in a PRIVATE engine (test/support/private-engine.ts:
 * its own socket, data root and network namespace, vfs storage, a bridge of its own for the
 * builds), so nothing in the shared engine is built, retagged or removed. The Debian-based
 * images are too slow to build here (minutes); images-fixtures.test.ts checks those in the
 * main engine.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ensureBusybox } from '../support/engine';
import { PrivateEngine } from '../support/private-engine';
import { FIXTURE_LABEL, runImagesCli } from './images-support';

const LABEL = FIXTURE_LABEL;


describe('scripts/images.mjs builds only what is missing (private engine)', function () {
  this.timeout(120_000);
  const engine = new PrivateEngine({ bridge: true, storageDriver: 'vfs', clientTimeoutMs: 30_000 });

  before(async function () {
    assert.ok(fs.existsSync('/bin/busybox'), 'busybox-static is needed (apt-get install busybox-static)');
    await engine.start();
  });

  after(async function () {
    await engine.destroy();
  });

  it('--check on an empty engine lists the images as missing and exits 1', async function () {
    const run = await runImagesCli(['--check'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 1);
    for (const name of ['alpine:latest', 'hello-world:latest', 'jupyter/base-notebook:latest', 'rocker/rstudio:latest', 'registry:2']) {
      assert.match(run.stdout, new RegExp(`${name.replace(/[/.]/g, '\\$&')}: missing`));
    }
    assert.match(run.stderr, /5 image\(s\) missing/);
  });

  it('builds a missing image with the label, and leaves a foreign image of the same kind alone', async function () {
    // Stands for an image a user pulled: same name, not built by us (no label).
    await ensureBusybox(engine.docker, 'hello-world:latest');
    const foreign = await engine.docker.getImage('hello-world:latest').inspect();
    assert.equal(foreign.Config.Labels?.[LABEL], undefined);

    const run = await runImagesCli(['--only', 'alpine,hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /alpine:latest: built in \d+ s/);
    assert.match(run.stdout, /hello-world:latest: present \(not built by us; left alone\)/);

    const alpine = await engine.docker.getImage('alpine:latest').inspect();
    assert.equal(alpine.Config.Labels?.[LABEL], 'true');
    assert.deepEqual(alpine.Config.Cmd, ['/bin/sh']);
    const after = await engine.docker.getImage('hello-world:latest').inspect();
    assert.equal(after.Id, foreign.Id, 'the foreign hello-world was replaced');
  });

  it('a second run builds nothing, and --refresh does not touch an image without our label', async function () {
    const before = await engine.docker.getImage('alpine:latest').inspect();
    const again = await runImagesCli(['--only', 'alpine'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /alpine:latest: present \(a Container Labs fixture\)/);
    const refresh = await runImagesCli(['--refresh', '--only', 'alpine,hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.match(refresh.stdout, /hello-world:latest: present \(not built by us; left alone\)/);
    assert.doesNotMatch(refresh.stdout, /built in/);
    assert.equal((await engine.docker.getImage('alpine:latest').inspect()).Id, before.Id);
  });

  it('the built hello-world greets in two lines and exits 0 (fresh engine, no network)', async function () {
    await engine.docker.getImage('hello-world:latest').remove();
    const run = await runImagesCli(['--only', 'hello-world'], { env: engine.env(), timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /hello-world:latest: built in \d+ s/);

    const container = await engine.docker.createContainer({ Image: 'hello-world:latest', name: 'cl-test-images-hello', HostConfig: { NetworkMode: 'none' } });
    try {
      await container.start();
      const result = (await container.wait()) as { StatusCode: number };
      assert.equal(result.StatusCode, 0);
      const raw: unknown = await container.logs({ stdout: true, stderr: true });
      const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
      // Multiplexed stream: 8-byte frame headers, then the text.
      let text = '';
      for (let off = 0; off + 8 <= buffer.length; off += 8 + buffer.readUInt32BE(off + 4)) {
        text += buffer.subarray(off + 8, off + 8 + buffer.readUInt32BE(off + 4)).toString('utf8');
      }
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 2, text);
      assert.equal(lines[0], 'Hello from Docker!');
      assert.match(lines[1] ?? '', /Container Labs offline stand-in/);
    } finally {
      await container.remove({ force: true });
    }
  });
});
