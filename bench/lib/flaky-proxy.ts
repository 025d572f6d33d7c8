import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of the OpenAI double that fails a share of requests: `rate429` answered 429 with
 * Retry-After 0, `rateHang` never answered (the client's timeout must fire); the rest are forwarded.
 * Seeded, so runs are comparable.
 */
export class FlakyProxy {
  counters = { forwarded: 0, tooMany: 0, hung: 0 };
  private readonly sockets = new Set<Socket>();
  private state: number;

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    private rates: { rate429: number; rateHang: number },
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  static async start(input: {
    upstream: string;
    rate429: number;
    rateHang: number;
    seed?: number;
  }): Promise<FlakyProxy> {
    const server = createServer();
    const proxy = new FlakyProxy(server, new URL(input.upstream), input, input.seed ?? 7);
    server.on('request', (req, res) => proxy.handle(req, res));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Change the failure shares from now on (e.g. 0 while seeding data, then the fault under test). */
  setRates(rates: { rate429: number; rateHang: number }): void {
    this.rates = rates;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const roll = this.random();
    if (roll < this.rates.rate429) {
      this.counters.tooMany++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ error: { message: 'rate limited (injected)', type: 'rate_limit_exceeded' } }));
      return;
    }
    if (roll < this.rates.rate429 + this.rates.rateHang) {
      this.counters.hung++;
      req.resume();
      return;
    }
    this.counters.forwarded++;
    const upstream = request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
