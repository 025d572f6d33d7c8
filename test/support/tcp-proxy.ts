import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service (PostgreSQL, Redis) that a test or the soak can break without touching
 * the service itself, which other suites share:
 * - `cut()`: every open connection is reset (TCP RST, so its client reads ECONNRESET) and new ones are
 *   refused-like (accepted, then reset at once), as a restarting or crashed server looks to its clients;
 * - `freeze()`: connections stay open and new ones are accepted, but nothing is forwarded either way — a
 *   SIGSTOPped or partitioned server; `resume()` delivers what was held, in order, like a SIGCONT;
 * - `abandon()`: back to forwarding for new connections, while every connection open now stays frozen for good
 *   and is never reset — a failover or a partition that outlived the server's memory of its clients: only a
 *   client-side timeout gets such a client out.
 */
export class TcpProxy {
  private mode: 'open' | 'cut' | 'frozen' = 'open';
  private readonly pairs = new Set<ProxiedPair>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `url` with its host and port replaced by this proxy's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) pair.reset();
  }

  freeze(): void {
    this.mode = 'frozen';
  }

  /** Ends a freeze (held bytes are delivered) or a cut. */
  resume(): void {
    this.mode = 'open';
    for (const pair of this.pairs) pair.flush();
  }

  abandon(): void {
    for (const pair of this.pairs) pair.abandon();
    this.mode = 'open';
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) pair.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(this.target);
    const pair = new ProxiedPair(client, upstream, () => this.mode === 'frozen');
    this.pairs.add(pair);
    pair.onClose(() => this.pairs.delete(pair));
  }
}

class ProxiedPair {
  private readonly held: Array<{ to: Socket; chunk: Buffer }> = [];
  private closed = false;
  private abandoned = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly frozen: () => boolean,
  ) {
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.forward(upstream, chunk));
    upstream.on('data', (chunk: Buffer) => this.forward(client, chunk));
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    // The client of an abandoned connection is not told when the server side goes: that is the point.
    upstream.on('error', () => !this.abandoned && this.destroy());
    upstream.on('close', () => !this.abandoned && this.destroy());
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  abandon(): void {
    this.abandoned = true;
  }

  flush(): void {
    if (this.abandoned) return;
    for (const { to, chunk } of this.held.splice(0)) if (!to.destroyed) to.write(chunk);
  }

  destroy(): void {
    this.close(() => this.client.destroy());
  }

  /** The client's side is reset (RST), not closed (FIN): a plain close read as a clean end would test less. */
  reset(): void {
    this.close(() => this.client.resetAndDestroy());
  }

  private close(closeClient: () => void): void {
    if (this.closed) return;
    this.closed = true;
    closeClient();
    this.upstream.destroy();
    for (const listener of this.closeListeners) listener();
  }

  private forward(to: Socket, chunk: Buffer): void {
    this.held.push({ to, chunk });
    if (!this.frozen() && !this.abandoned) this.flush();
  }
}
