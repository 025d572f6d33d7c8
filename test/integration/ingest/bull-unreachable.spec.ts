import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { startTestApp } from '../../setup/test-app';

/** A TCP server that accepts connections and never answers: a frozen Redis. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/**
 * A worker whose queue Redis never became ready, shut down: Bull's worker-name call (made when a handler is
 * registered) rejects with no error when its connection ends before it was ready, and Bull's own catch then
 * throws a TypeError that nobody handles. Node ends a process on an unhandled rejection.
 */
describe.each([
  ['nothing listens on the queue Redis port', 'refused'],
  ['the queue Redis accepts connections and never answers', 'silent'],
])('Bull queue closed before its Redis was ready: %s', (_label, kind) => {
  it('leaves no unhandled rejection behind', async () => {
    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', record);
    const silent = kind === 'silent' ? await silentServer() : undefined;
    try {
      // Port 1 (tcpmux) is privileged and unused: a refused connection.
      const url = `redis://127.0.0.1:${silent?.port ?? 1}/0`;
      const t = await startTestApp('sqlite', { APP_ROLE: 'all', REDIS_URL: url, QUEUE_REDIS_URL: url });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await t.close();
      // Bull's rejection surfaces once its connections end; a connection still opening at close is given up to
      // 2 s to finish first (BullConnections), so wait past that.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
    } finally {
      process.off('unhandledRejection', record);
      for (const socket of silent?.sockets ?? []) socket.destroy();
      silent?.server.close();
    }
    expect(rejections.map(String)).toEqual([]);
  }, 60_000);
});
