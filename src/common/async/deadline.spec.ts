import { remainingMs, withinDeadline } from './deadline';

describe('withinDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('returns the value of work that finishes in time', async () => {
    await expect(withinDeadline(Promise.resolve(7), 100)).resolves.toEqual({ ok: true, value: 7 });
  });

  it('times out without cancelling the work, and never leaks its later rejection', async () => {
    let reject!: (error: Error) => void;
    const work = new Promise<number>((_, r) => (reject = r));
    const timed = withinDeadline(work, 100);
    jest.advanceTimersByTime(100);
    await expect(timed).resolves.toEqual({ ok: false, reason: 'timeout' });
    reject(new Error('late failure'));
    await Promise.resolve();
  });

  it('reports a failure before the deadline as an error', async () => {
    const error = new Error('boom');
    await expect(withinDeadline(Promise.reject(error), 100)).resolves.toEqual({
      ok: false,
      reason: 'error',
      error,
    });
  });

  it('times out at once when no time is left', async () => {
    await expect(withinDeadline(new Promise(() => undefined), 0)).resolves.toEqual({
      ok: false,
      reason: 'timeout',
    });
  });
});

describe('remainingMs', () => {
  it('counts down from the start and never goes below zero', () => {
    expect(remainingMs(1_000, 1_500, 1_200)).toBe(1_300);
    expect(remainingMs(1_000, 1_500, 3_000)).toBe(0);
  });
});
