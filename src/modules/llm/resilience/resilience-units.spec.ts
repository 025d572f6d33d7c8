import { getEventListeners } from 'node:events';
import { parseRetryAfter, UpstreamError } from '../domain/upstream-error';
import { LaneScheduler } from './lane-scheduler';
import { RetryAfterBackoff } from './retry-after.backoff';
import { SingleFlight } from '../../../common/async/single-flight';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('parseRetryAfter', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });
});

describe('RetryAfterBackoff', () => {
  it('waits at least the Retry-After, capped at the max delay', () => {
    const backoff = new RetryAfterBackoff({ initialDelay: 10, maxDelay: 5000 });
    const error = new UpstreamError('x', '429', { retryable: true, status: 429, retryAfterMs: 1200 });
    const first = backoff.next({ attempt: 1, result: { error }, signal: new AbortController().signal });
    expect(first.duration).toBe(1200);
    const capped = first.next({
      attempt: 2,
      result: { error: new UpstreamError('x', '429', { retryable: true, retryAfterMs: 60_000 }) },
      signal: new AbortController().signal,
    });
    expect(capped.duration).toBe(5000);
    const plain = backoff.next({
      attempt: 1,
      result: { error: new Error('x') },
      signal: new AbortController().signal,
    });
    expect(plain.duration).toBeLessThan(1000);
  });
});

describe('SingleFlight', () => {
  it('shares a call while it is in flight only', async () => {
    const flights = new SingleFlight();
    let calls = 0;
    const call = () => new Promise<number>((resolve) => setTimeout(() => resolve(++calls), 10));
    const [a, b] = await Promise.all([flights.run('k', call), flights.run('k', call)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    await flights.run('k', call);
    expect(calls).toBe(2);
    expect(flights.size).toBe(0);
  });
});

describe('LaneScheduler', () => {
  it('keeps background within its lane and lets interactive work pass the backlog', async () => {
    const lanes = new LaneScheduler({ max: 3, background: 2 });
    let active = 0;
    let peak = 0;
    const work = () => {
      active++;
      peak = Math.max(peak, active);
      return new Promise<void>((resolve) => setTimeout(() => (active--, resolve()), 5));
    };
    const background = Array.from({ length: 20 }, () =>
      lanes.run({ priority: 'background', companyId: 'a' }, work),
    );
    expect(lanes.stats()).toMatchObject({ backgroundActive: 2, backgroundQueued: 18 });
    const order: string[] = [];
    await lanes.run({ priority: 'interactive', companyId: 'b' }, async () => void order.push('interactive'));
    expect(lanes.stats().backgroundQueued).toBeGreaterThan(10);
    await Promise.all(background);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('watches a signal shared by queued calls with one listener; aborting it rejects every queued call', async () => {
    const lanes = new LaneScheduler({ max: 2, background: 1 });
    let release!: () => void;
    const running = lanes.run(
      { priority: 'background', companyId: 'a' },
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    const job = new AbortController();
    const ran: number[] = [];
    const queued = Array.from({ length: 20 }, (_, i) =>
      lanes.run({ priority: 'background', companyId: 'a', signal: job.signal }, async () => void ran.push(i)),
    );
    expect(lanes.stats().backgroundQueued).toBe(20);
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(1);
    job.abort(new Error('job cancelled'));
    for (const call of queued) await expect(call).rejects.toThrow('job cancelled');
    expect(lanes.stats().backgroundQueued).toBe(0);
    release();
    await running;
    expect(ran).toEqual([]);
  });

  it('removes the listener once the last queued call under its signal has started', async () => {
    const lanes = new LaneScheduler({ max: 2, background: 1 });
    const signal = new AbortController().signal;
    const calls = Array.from({ length: 12 }, (_, i) =>
      lanes.run({ priority: 'background', companyId: `c${i % 3}`, signal }, async () => i),
    );
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    expect(await Promise.all(calls)).toHaveLength(12);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
