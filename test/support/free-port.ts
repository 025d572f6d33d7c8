import { createServer } from 'node:net';

/**
 * A port the OS just handed out and released, for a server a test spawns. A fixed or random port in a range can
 * be taken by another test run on the same machine (CI runs two suites at once).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
