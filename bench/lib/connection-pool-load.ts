import { connect, Socket } from 'node:net';
import { sleep } from './http-client';

export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PoolLoadResult {
  opened: number;
  /** Connections the server closed while the load ran. */
  closedByServer: number;
  sent: number;
  completed: number;
  /** Non-2xx responses, by status. */
  statuses: Record<string, number>;
  /** Answered, but later than `timeoutMs`. */
  late: number;
  /** Never answered: still pending at the end of the drain, or lost with a closed connection. */
  unanswered: number;
  latenciesMs: number[];
  achievedRate: number;
}

interface Conn {
  socket: Socket;
  buffer: Buffer;
  pending: number[];
  alive: boolean;
}

/**
 * Holds `connections` keep-alive HTTP/1.1 sockets open and sends requests across them round-robin at a fixed
 * aggregate rate (open loop: a slow answer does not slow the arrivals), like many agents with the sidebar open.
 * Responses are parsed minimally (status line, Content-Length); the app never answers chunked to these routes.
 */
export async function runPoolLoad(input: {
  port: number;
  connections: number;
  rate: number;
  durationS: number;
  timeoutMs: number;
  requests: RawRequest[];
}): Promise<PoolLoadResult> {
  const wire = input.requests.map((r) => {
    const body = r.body ?? '';
    const headers = {
      host: '127.0.0.1',
      connection: 'keep-alive',
      ...r.headers,
      ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    };
    return Buffer.from(
      `${r.method} ${r.path} HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n${body}`,
    );
  });
  const result: PoolLoadResult = {
    opened: 0,
    closedByServer: 0,
    sent: 0,
    completed: 0,
    statuses: {},
    late: 0,
    unanswered: 0,
    latenciesMs: [],
    achievedRate: 0,
  };
  const conns: Conn[] = [];
  const onData = (conn: Conn, chunk: Buffer) => {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      const end = conn.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = conn.buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (conn.buffer.length < end + 4 + length) return;
      conn.buffer = conn.buffer.subarray(end + 4 + length);
      const status = Number(head.slice(9, 12));
      const started = conn.pending.shift();
      if (started === undefined) continue;
      const ms = performance.now() - started;
      result.completed++;
      if (ms > input.timeoutMs) result.late++;
      result.latenciesMs.push(ms);
      if (status < 200 || status >= 300) result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    }
  };
  // Open in waves so the listen backlog is not the thing being measured.
  for (let i = 0; i < input.connections; i += 500) {
    const wave = Array.from(
      { length: Math.min(500, input.connections - i) },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: input.port });
          const conn: Conn = { socket, buffer: Buffer.alloc(0), pending: [], alive: false };
          socket.setNoDelay(true);
          socket.once('connect', () => {
            conn.alive = true;
            result.opened++;
            conns.push(conn);
            resolve();
          });
          socket.on('data', (chunk: Buffer) => onData(conn, chunk));
          socket.on('error', () => undefined);
          socket.once('close', () => {
            if (conn.alive) result.closedByServer++;
            conn.alive = false;
            result.unanswered += conn.pending.length;
            conn.pending.length = 0;
            resolve();
          });
        }),
    );
    await Promise.all(wave);
  }
  const started = performance.now();
  const total = Math.round(input.rate * input.durationS);
  let next = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / input.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    let conn = conns[next++ % conns.length];
    for (let tries = 0; !conn.alive && tries < conns.length; tries++) conn = conns[next++ % conns.length];
    if (!conn.alive) break;
    conn.pending.push(performance.now());
    conn.socket.write(wire[i % wire.length]);
    result.sent++;
  }
  result.achievedRate = result.sent / ((performance.now() - started) / 1000);
  const drainUntil = performance.now() + input.timeoutMs;
  while (
    result.completed < result.sent &&
    performance.now() < drainUntil &&
    conns.some((c) => c.alive && c.pending.length)
  )
    await sleep(50);
  for (const conn of conns) {
    result.unanswered += conn.pending.length;
    conn.pending.length = 0;
    conn.alive = false;
    conn.socket.destroy();
  }
  return result;
}
