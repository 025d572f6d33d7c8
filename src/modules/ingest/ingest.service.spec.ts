import { loadConfig } from '../../config/config';
import type { TicketRow } from './domain/index-documents';
import type { IndexingRepository, ScanRequest } from './indexing.repository';
import type { ChunkOutcome, IndexingService } from './indexing.service';
import { IngestService } from './ingest.service';

/** An in-memory outbox: rows in (updated_at, id) order, `pending` until the fake indexer marks them. */
class OutboxFake {
  readonly rows = new Map<string, TicketRow>();
  readonly indexedTimes = new Map<string, number>();
  onChunk?: (ids: string[]) => void;
  /** The company's erasure was requested. */
  erasing = false;

  add(id: string, updatedAt: string): void {
    this.rows.set(id, {
      id,
      subject: id,
      description: null,
      status: 'open',
      priority: 'medium',
      tags: [],
      conversations: null,
      createdAt: new Date(updatedAt),
      updatedAt: new Date(updatedAt),
      contentHash: id,
      indexedHash: null,
      indexState: 'pending',
    });
  }

  repository(): IndexingRepository {
    const sorted = () =>
      [...this.rows.values()].sort(
        (a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.id < b.id ? -1 : 1),
      );
    const visible = (r: TicketRow, request: ScanRequest) =>
      !request.pendingOnly || r.indexState === 'pending';
    return {
      writable: async () => !this.erasing,
      count: async (_type: string, request: ScanRequest) =>
        sorted().filter((r) => visible(r, request)).length,
      scan: async (_type: string, request: ScanRequest) =>
        sorted()
          .filter((r) => visible(r, request))
          .filter(
            (r) =>
              !request.after ||
              r.updatedAt > request.after.updatedAt ||
              (r.updatedAt.getTime() === request.after.updatedAt.getTime() && r.id > request.after.id),
          )
          .slice(0, request.limit)
          .map((r) => ({ ...r })),
    } as unknown as IndexingRepository;
  }

  indexing(): IndexingService {
    return {
      indexChunk: async ({ rows }: { rows: TicketRow[] }): Promise<ChunkOutcome> => {
        await new Promise((r) => setImmediate(r));
        for (const row of rows) {
          const stored = this.rows.get(row.id)!;
          stored.indexState = 'indexed';
          stored.indexedHash = stored.contentHash;
          this.indexedTimes.set(row.id, (this.indexedTimes.get(row.id) ?? 0) + 1);
        }
        this.onChunk?.(rows.map((r) => r.id));
        return { indexed: rows.length, summariesLlm: 0, summariesExtractive: rows.length, failed: [] };
      },
    } as unknown as IndexingService;
  }
}

describe('IngestService outbox drain', () => {
  const config = loadConfig({ INGEST_CHUNK_SIZE: '10' });
  const noProgress = async () => undefined;

  it('picks up rows upserted behind its cursor while it ran (their job request coalesced into it)', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 30; i++) outbox.add(`late-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    let added = false;
    outbox.onChunk = () => {
      if (added) return;
      added = true;
      // An upsert lands mid-drain with rows that sort before everything already scanned.
      for (let i = 0; i < 15; i++) outbox.add(`early-${String(i).padStart(2, '0')}`, '2024-01-01T00:00:00Z');
    };
    const service = new IngestService(outbox.repository(), outbox.indexing(), config);
    const result = await service.indexChanges({ companyId: 'acme', dataTypes: ['tickets'] }, noProgress);
    expect([...outbox.rows.values()].filter((r) => r.indexState === 'pending')).toEqual([]);
    expect(result.stats.indexed).toBe(45);
    expect(Math.max(...outbox.indexedTimes.values())).toBe(1);
  });

  it('writes nothing for a company whose erasure was requested (a job queued before it)', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 12; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    outbox.erasing = true;
    const service = new IngestService(outbox.repository(), outbox.indexing(), config);
    const drained = await service.indexChanges({ companyId: 'acme', dataTypes: ['tickets'] }, noProgress);
    const ranged = await service.ingestRange(
      {
        companyId: 'acme',
        startDate: '2024-01-01',
        endDate: '2024-12-31',
        dataTypes: ['tickets'],
        force: true,
      },
      noProgress,
    );
    expect([drained.stats.indexed, ranged.stats.indexed]).toEqual([0, 0]);
    expect(outbox.indexedTimes.size).toBe(0);
  });

  it('runs one drain per company at a time: a concurrent job asks for another pass instead of duplicating work', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 50; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    const service = new IngestService(outbox.repository(), outbox.indexing(), config);
    let second: Promise<unknown> | undefined;
    outbox.onChunk = () => {
      if (second) return;
      outbox.add('t-00a', '2024-06-01T00:00:00Z');
      second = service.indexChanges({ companyId: 'acme', dataTypes: ['tickets'] }, noProgress);
    };
    const first = await service.indexChanges({ companyId: 'acme', dataTypes: ['tickets'] }, noProgress);
    const coalesced = (await second) as { stats: { processed: number } };
    expect(coalesced.stats.processed).toBe(0);
    expect(first.stats.indexed).toBe(51);
    expect([...outbox.indexedTimes.values()].every((n) => n === 1)).toBe(true);
    expect(outbox.indexedTimes.size).toBe(51);
    // Another company drains independently.
    outbox.add('other', '2024-06-01T00:00:00Z');
    const other = await service.indexChanges({ companyId: 'globex', dataTypes: ['tickets'] }, noProgress);
    expect(other.stats.indexed).toBe(1);
  });

  it('walks a date range once: no extra passes outside the outbox', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 25; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    const service = new IngestService(outbox.repository(), outbox.indexing(), config);
    const result = await service.ingestRange(
      {
        companyId: 'acme',
        startDate: '2024-01-01',
        endDate: '2024-12-31',
        dataTypes: ['tickets'],
        force: true,
      },
      noProgress,
    );
    expect(result.stats).toMatchObject({ total: 25, processed: 25, indexed: 25 });
  });
});

describe('IngestService chunk pipeline', () => {
  const config = loadConfig({ INGEST_CHUNK_SIZE: '10' });
  const range = {
    companyId: 'acme',
    startDate: '2024-01-01',
    endDate: '2024-12-31',
    dataTypes: ['tickets' as const],
    force: true,
  };

  /** An indexer whose chunks take a few event-loop turns, recording how many overlap. */
  function slowIndexer(fail?: (call: number) => boolean) {
    const state = { running: 0, maxRunning: 0, calls: 0, finished: 0, ids: [] as string[] };
    const indexing = {
      indexChunk: async ({ rows }: { rows: TicketRow[] }): Promise<ChunkOutcome> => {
        const call = ++state.calls;
        state.running++;
        state.maxRunning = Math.max(state.maxRunning, state.running);
        try {
          for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
          if (fail?.(call)) throw new Error(`chunk ${call} failed`);
          state.ids.push(...rows.map((r) => r.id));
          return { indexed: rows.length, summariesLlm: 0, summariesExtractive: rows.length, failed: [] };
        } finally {
          state.running--;
          state.finished++;
        }
      },
    } as unknown as IndexingService;
    return { state, indexing };
  }

  it('overlaps two chunks, never more, and reports every row in order', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 95; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    const { state, indexing } = slowIndexer();
    const progress: number[] = [];
    const service = new IngestService(outbox.repository(), indexing, config);
    const result = await service.ingestRange(range, async (p) => void progress.push(p.processed));
    expect(state.maxRunning).toBe(2);
    expect(state.ids).toHaveLength(95);
    expect(new Set(state.ids).size).toBe(95);
    expect(result.stats).toMatchObject({ total: 95, processed: 95, indexed: 95 });
    expect(progress).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
  });

  it('fails the job when a chunk fails, after the chunk beside it has finished', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 60; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    const { state, indexing } = slowIndexer((call) => call === 3);
    const service = new IngestService(outbox.repository(), indexing, config);
    await expect(service.ingestRange(range, async () => undefined)).rejects.toThrow('chunk 3 failed');
    // Nothing keeps writing behind a failed job's back.
    expect(state.running).toBe(0);
    expect(state.finished).toBe(state.calls);
  });

  it('stops after the chunks in flight when the worker shuts down', async () => {
    const outbox = new OutboxFake();
    for (let i = 0; i < 60; i++) outbox.add(`t-${String(i).padStart(2, '0')}`, '2024-06-01T00:00:00Z');
    const { state, indexing } = slowIndexer();
    const service = new IngestService(outbox.repository(), indexing, config);
    let stopped = false;
    const job = service.ingestRange(range, async (p) => {
      if (p.processed >= 10 && !stopped) {
        stopped = true;
        service.stop();
      }
    });
    await expect(job).rejects.toThrow('shutting down');
    expect(state.running).toBe(0);
    expect(state.calls).toBeLessThan(6);
  });
});
