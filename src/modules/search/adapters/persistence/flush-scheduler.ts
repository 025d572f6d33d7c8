/**
 * Batches persistence: the first change to a key arms one timer; every key changed until it fires is
 * saved together. A change during a save re-arms the timer, so nothing is lost and nothing is saved twice
 * at once. `flushAll` (shutdown) saves whatever is pending immediately.
 */
export class FlushScheduler {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly delayMs: number,
    private readonly save: (key: string) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  markDirty(key: string): void {
    this.dirty.add(key);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flushAll();
    }, this.delayMs);
    // Pending saves must not keep a finished process (or a test run) alive; shutdown flushes explicitly.
    this.timer.unref();
  }

  get pending(): number {
    return this.dirty.size;
  }

  /** Saves every pending key; resolves once they (and any save already running) are on disk. */
  flushAll(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.running = this.running.then(async () => {
      const keys = [...this.dirty];
      this.dirty.clear();
      for (const key of keys) {
        try {
          await this.save(key);
        } catch (error) {
          this.onError(key, error);
        }
      }
    });
    return this.running;
  }
}
