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

  it('code-server reached on a loopback address (npm start): its path proxy would break Jupyter, the own address works', () => {
    for (const ide of ['http://127.0.0.1:8080/proxy/8888/', 'http://localhost:8080/proxy/8888/', 'http://[::1]:8080/proxy/8888/']) {
      assert.deepEqual(serviceAddress(DIRECT, ide), { url: DIRECT }, ide);
    }
  });

  it('code-server on another machine behind a path proxy: the proxied address, flagged so the student is told what works', () => {
    assert.deepEqual(serviceAddress(DIRECT, 'https://lab.example.edu/user/ana/proxy/8888/'), {
      url: 'https://lab.example.edu/user/ana/proxy/8888/?token=3f2c9a',
      pathProxied: { direct: DIRECT, proxied: 'https://lab.example.edu/user/ana/proxy/8888/?token=3f2c9a' },
    });
  });

  it('a service with a path of its own keeps it; an address that cannot be read is opened as it is', () => {
    assert.deepEqual(serviceAddress('http://127.0.0.1:8787/auth-sign-in', 'https://x-8787.app.github.dev/auth-sign-in'), { url: 'https://x-8787.app.github.dev/auth-sign-in' });
    assert.deepEqual(serviceAddress(DIRECT, 'not a url'), { url: DIRECT });
  });
});
