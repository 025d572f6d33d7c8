/**
 * A Map for Keyv's in-memory store that keeps at most `maxEntries` entries, dropping the least recently
 * written first, and tracks the approximate bytes it holds. Keyv drops expired entries only when they are
 * read, so without a bound an embedded cache would grow without end.
 */
export class BoundedMap extends Map<string, unknown> {
  private bytes = 0;

  constructor(private readonly maxEntries: number) {
    super();
  }

  get approximateBytes(): number {
    return this.bytes;
  }

  override set(key: string, value: unknown): this {
    if (super.has(key)) this.delete(key);
    super.set(key, value);
    this.bytes += sizeOf(key, value);
    while (this.size > this.maxEntries) {
      const oldest = this.keys().next().value as string;
      this.delete(oldest);
    }
    return this;
  }

  override delete(key: string): boolean {
    if (!super.has(key)) return false;
    this.bytes -= sizeOf(key, super.get(key));
    return super.delete(key);
  }

  override clear(): void {
    super.clear();
    this.bytes = 0;
  }
}

/** UTF-16 in V8: two bytes a character is close enough for a memory figure. */
function sizeOf(key: string, value: unknown): number {
  return 2 * (key.length + (typeof value === 'string' ? value.length : 64));
}
