/**
 * The one home of host ports in the tests. Never a fixed port: the real labs and other
 * layers publish 5000, 8787, 8888, ... on the same machine at the same moment.
 */
import * as net from 'node:net';

/** Ports this process handed out already: never handed out twice (a removed container's port may still be closing). */
const handedOut = new Set<number>();

/** A TCP port that nothing listens on right now (the kernel's pick on 0.0.0.0, where the engine publishes). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = await holdPort();
    await server.release();
    if (!handedOut.has(server.port)) {
      handedOut.add(server.port);
      return server.port;
    }
  }
  throw new Error('no free TCP port after 20 tries');
}

export interface HeldPort {
  port: number;
  /** Stop listening. */
  release(): Promise<void>;
}

/** A port that is in use by this process until `release()` (for "the port is already taken" cases). */
export function holdPort(): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) {
        server.close();
        reject(new Error('the kernel gave no port'));
        return;
      }
      resolve({ port: address.port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
