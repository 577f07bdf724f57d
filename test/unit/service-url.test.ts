/**
 * The address "Open Jupyter" opens, for each place students use, from the service's own
 * address and what the editor's asExternalUri gave (the shapes each editor really gives).
 */
import * as assert from 'node:assert/strict';
import { serviceAddress } from '../../src/core/runtime/serviceUrl';

const DIRECT = 'http://127.0.0.1:8888/?token=3f2c9a';

describe('Open the service: the address for the student\'s browser', () => {
  it('desktop VS Code: the service\'s own address', () => {
    assert.deepEqual(serviceAddress(DIRECT, DIRECT), { url: DIRECT });
  });

  it('Codespaces (a forwarded host): that host, the token kept even when the forwarding dropped it', () => {
    assert.deepEqual(serviceAddress(DIRECT, 'https://fuzzy-space-8888.app.github.dev/'), { url: 'https://fuzzy-space-8888.app.github.dev/?token=3f2c9a' });
    assert.deepEqual(serviceAddress(DIRECT, 'https://fuzzy-space-8888.app.github.dev/?token=3f2c9a'), { url: 'https://fuzzy-space-8888.app.github.dev/?token=3f2c9a' });
  });

  it('code-server with its host proxy (npm start): that address, with the token it dropped', () => {
    assert.deepEqual(serviceAddress(DIRECT, 'http://8888.localhost:8080/'), { url: 'http://8888.localhost:8080/?token=3f2c9a' });
  });

  it('code-server behind a path proxy, here or elsewhere: the proxied address, flagged so the student is told what works', () => {
    for (const ide of ['http://127.0.0.1:8080/proxy/8888/', 'https://lab.example.edu/user/ana/proxy/8888/']) {
      const proxied = `${ide}?token=3f2c9a`;
      assert.deepEqual(serviceAddress(DIRECT, ide), { url: proxied, pathProxied: { direct: DIRECT, proxied } }, ide);
    }
  });

  it('a service with a path of its own keeps it; an address that cannot be read is opened as it is', () => {
    assert.deepEqual(serviceAddress('http://127.0.0.1:8787/auth-sign-in', 'https://x-8787.app.github.dev/auth-sign-in'), { url: 'https://x-8787.app.github.dev/auth-sign-in' });
    assert.deepEqual(serviceAddress(DIRECT, 'not a url'), { url: DIRECT });
  });
});
