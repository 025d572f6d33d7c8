/**
 * Per-key FIFO queues served in rotation: one item from each key with work, then the next key.
 * Gives every company an equal turn so one company's bulk job cannot starve another's.
 */
export class RoundRobinQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys with pending items, in serving order. */
  private readonly rotation: string[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  sizeOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  push(key: string, item: T): void {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
      this.rotation.push(key);
    }
    queue.push(item);
    this.total++;
  }

  shift(): T | undefined {
    const key = this.rotation.shift();
    if (key === undefined) return undefined;
    const queue = this.queues.get(key)!;
    const item = queue.shift()!;
    this.total--;
    if (queue.length > 0) this.rotation.push(key);
    else this.queues.delete(key);
    return item;
  }

  /** Removes a queued item (its caller gave up); true when it was still queued. */
  remove(key: string, item: T): boolean {
    const queue = this.queues.get(key);
    const index = queue?.indexOf(item) ?? -1;
    if (!queue || index < 0) return false;
    queue.splice(index, 1);
    this.total--;
    if (queue.length === 0) {
      this.queues.delete(key);
      this.rotation.splice(this.rotation.indexOf(key), 1);
    }
    return true;
  }
}
