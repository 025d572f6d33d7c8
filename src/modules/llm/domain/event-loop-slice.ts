/**
 * Cooperative time slicing for CPU-bound loops on the event loop (local models in the embedded app): call
 * `maybeYield()` between items; once the slice has run `sliceMs`, it waits one macrotask turn so timers,
 * sockets and HTTP requests are served in between. Cheap when not yielding (one clock read).
 */
export class EventLoopSlice {
  private sliceStarted = performance.now();

  constructor(private readonly sliceMs = 10) {}

  maybeYield(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.sliceStarted < this.sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.sliceStarted = performance.now();
        resolve();
      }),
    );
  }
}
