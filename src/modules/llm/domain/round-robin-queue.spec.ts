import { RoundRobinQueue } from './round-robin-queue';

describe('RoundRobinQueue', () => {
  it('serves keys in turn, FIFO within a key', () => {
    const queue = new RoundRobinQueue<string>();
    for (let i = 0; i < 4; i++) queue.push('bulk', `b${i}`);
    queue.push('small', 's0');
    queue.push('other', 'o0');
    const order = Array.from({ length: 6 }, () => queue.shift());
    expect(order).toEqual(['b0', 's0', 'o0', 'b1', 'b2', 'b3']);
    expect(queue.shift()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('removes a queued item', () => {
    const queue = new RoundRobinQueue<string>();
    queue.push('a', 'x');
    expect(queue.remove('a', 'x')).toBe(true);
    expect(queue.remove('a', 'x')).toBe(false);
    expect(queue.size).toBe(0);
  });
});
