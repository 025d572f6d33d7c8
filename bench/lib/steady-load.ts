import { Agent } from 'node:http';
import { httpCall, HttpResponse, sleep } from './http-client';

export interface LoadSample {
  startedAt: number;
  route: string;
  status: number;
  ms: number;
  body: string;
  cache?: string;
}

export interface SteadyRequest {
  route: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
}

/** Open-loop arrivals at `rate` per second over `requests` (round-robin) until `stop()`; every answer is kept. */
export function steadyLoad(input: {
  port: number;
  key: string;
  rate: number;
  requests: SteadyRequest[];
  agent?: Agent;
  timeoutMs?: number;
}) {
  const samples: LoadSample[] = [];
  const pending = new Set<Promise<void>>();
  let running = true;
  const loop = (async () => {
    const started = performance.now();
    for (let i = 0; running; i++) {
      const wait = started + (i * 1000) / input.rate - performance.now();
      if (wait > 1) await sleep(wait);
      if (!running) break;
      const r = input.requests[i % input.requests.length];
      const at = Date.now();
      const p: Promise<void> = httpCall({
        port: input.port,
        method: r.method,
        path: r.path,
        key: input.key,
        body: r.body,
        agent: input.agent,
        timeoutMs: input.timeoutMs ?? 10_000,
      }).then((res: HttpResponse) => {
        samples.push({
          startedAt: at,
          route: r.route,
          status: res.status,
          ms: res.ms,
          body: res.body.slice(0, 300),
          cache: res.headers['x-cache'] as string | undefined,
        });
        pending.delete(p);
      });
      pending.add(p);
    }
  })();
  return {
    samples,
    async stop(): Promise<LoadSample[]> {
      running = false;
      await loop;
      await Promise.all([...pending]);
      return samples;
    },
  };
}
