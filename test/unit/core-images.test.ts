/**
 * The one image-reference normaliser (src/core/images.ts): a reference as the engine lists it.
 * Plain Node, no engine.
 */
import * as assert from 'node:assert/strict';
import { imageRepository, normalizeImageRef, parseImageRef, sameImageRef } from '../../src/core/images';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references (src/core/images.ts)', () => {
  const cases: Array<[written: string, listed: string]> = [
    ['alpine', 'alpine:latest'],
    ['alpine:3.19', 'alpine:3.19'],
    ['  alpine  ', 'alpine:latest'],
    ['library/alpine', 'alpine:latest'],
    ['docker.io/alpine', 'alpine:latest'],
    ['docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['index.docker.io/library/alpine', 'alpine:latest'],
    ['registry-1.docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['registry-1.docker.io/jupyter/base-notebook', 'jupyter/base-notebook:latest'],
    ['jupyter/base-notebook', 'jupyter/base-notebook:latest'],
    ['docker.io/jupyter/base-notebook:2024-01-01', 'jupyter/base-notebook:2024-01-01'],
    ['rocker/rstudio:4.4', 'rocker/rstudio:4.4'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['localhost:5000/me/app', 'localhost:5000/me/app:latest'],
    ['localhost:5000/me/app:v1', 'localhost:5000/me/app:v1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost/library/app', 'localhost/library/app:latest'],
    ['ghcr.io/owner/tool', 'ghcr.io/owner/tool:latest'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    ['${registry}/hello', '${registry}/hello:latest'],
    ['${registry}/hello:v1', '${registry}/hello:v1'],
    [`alpine@${DIGEST}`, `alpine@${DIGEST}`],
    [`docker.io/library/alpine@${DIGEST}`, `alpine@${DIGEST}`],
    [`alpine:3.19@${DIGEST}`, `alpine:3.19@${DIGEST}`],
    [`localhost:5000/app@${DIGEST}`, `localhost:5000/app@${DIGEST}`],
  ];
  for (const [written, listed] of cases) {
    it(`${JSON.stringify(written)} is listed as ${listed}`, () => {
      assert.equal(normalizeImageRef(written), listed);
    });
  }

  it('normalising twice changes nothing', () => {
    for (const [, listed] of cases) assert.equal(normalizeImageRef(listed), listed);
  });

  it('reads a reference apart: registry, path, tag, digest', () => {
    assert.deepEqual(parseImageRef('localhost:5000/me/app:v1'), { registry: 'localhost:5000', path: 'me/app', tag: 'v1' });
    assert.deepEqual(parseImageRef('docker.io/library/alpine'), { path: 'alpine' });
    assert.deepEqual(parseImageRef(`ghcr.io/o/t:2@${DIGEST}`), { registry: 'ghcr.io', path: 'o/t', tag: '2', digest: DIGEST });
    assert.deepEqual(parseImageRef('jupyter/base-notebook'), { path: 'jupyter/base-notebook' });
  });

  it('the repository has no tag or digest and keeps a registry other than Docker Hub', () => {
    assert.equal(imageRepository('docker.io/library/alpine:3.19'), 'alpine');
    assert.equal(imageRepository('localhost:5000/me/app:v1'), 'localhost:5000/me/app');
    assert.equal(imageRepository(`alpine@${DIGEST}`), 'alpine');
  });

  it('compares references as the engine lists them', () => {
    assert.equal(sameImageRef('alpine', 'docker.io/library/alpine:latest'), true);
    assert.equal(sameImageRef('jupyter/base-notebook', 'index.docker.io/jupyter/base-notebook:latest'), true);
    assert.equal(sameImageRef('alpine', 'alpine:3.19'), false);
    assert.equal(sameImageRef('localhost/app', 'app'), false);
    assert.equal(sameImageRef('localhost:5000/app', 'app'), false);
  });
});
