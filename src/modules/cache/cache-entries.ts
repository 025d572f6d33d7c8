import { Injectable } from '@nestjs/common';
import { CacheGuard } from '../../common/async/cache-guard';
import { CacheRecorder, StoreOperation } from './cache-recorder';
import { CacheStore } from '../cache-store/ports/cache-store.port';
import type { CacheCredit, CacheLayer } from './ports/layered-cache.port';
import { encodeResponseEntry, parseResponseEntry, ResponseEntry } from './response-entry.codec';

/** What is stored for a value: the value, when it goes stale, and what computing it cost (credited on each hit). */
export interface Envelope<T> {
  v: T;
  exp: number;
  credit?: CacheCredit;
}

/**
 * Entries under their stored (generation-versioned) keys: value envelopes, and responses as text
 * (response-entry.codec). An entry the process holds in memory (near cache) is read at once; every store call
 * runs behind the guard (the cache's timeout) and is recorded; a failure throws, and the caller turns it into a
 * miss or a skipped write.
 */
@Injectable()
export class CacheEntries {
  constructor(
    private readonly store: CacheStore,
    private readonly guard: CacheGuard,
    private readonly recorder: CacheRecorder,
  ) {}

  async readValue<T>(storedKey: string, layer: CacheLayer): Promise<Envelope<T> | undefined> {
    const held = this.store.held(storedKey);
    const envelope = held
      ? (held.value as Envelope<T> | undefined)
      : await this.call('get', layer, () => this.store.getValue<Envelope<T>>(storedKey));
    return envelope && typeof envelope === 'object' && 'exp' in envelope ? envelope : undefined;
  }

  /** Kept in the store `graceMs` past its expiry (the stale-while-revalidate window). */
  async writeValue<T>(input: {
    storedKey: string;
    layer: CacheLayer;
    value: T;
    credit?: CacheCredit;
    ttlMs: number;
    graceMs?: number;
  }): Promise<void> {
    const { credit, ttlMs } = input;
    const envelope: Envelope<T> = { v: input.value, exp: Date.now() + ttlMs, ...(credit ? { credit } : {}) };
    const keepMs = ttlMs + (input.graceMs ?? 0);
    await this.call('set', input.layer, () => this.store.setValue(input.storedKey, envelope, keepMs));
  }

  async readResponse(storedKey: string, layer: CacheLayer): Promise<ResponseEntry | undefined> {
    const held = this.store.held(storedKey);
    const text = held
      ? (held.value as string | undefined)
      : await this.call('get', layer, () => this.store.getText(storedKey));
    return text === undefined ? undefined : parseResponseEntry(text);
  }

  async writeResponse(
    storedKey: string,
    layer: CacheLayer,
    entry: ResponseEntry,
    keepMs: number,
  ): Promise<void> {
    const text = encodeResponseEntry(entry);
    await this.call('set', layer, () => this.store.setText(storedKey, text, keepMs));
  }

  async delete(storedKey: string, layer: CacheLayer): Promise<void> {
    await this.call('delete', layer, () => this.store.deleteValue(storedKey));
  }

  private call<R>(operation: StoreOperation, layer: CacheLayer, fn: () => Promise<R>) {
    return this.recorder.track(operation, layer, () => this.guard.run(operation, fn));
  }
}
