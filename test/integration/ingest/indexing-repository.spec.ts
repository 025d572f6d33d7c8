import { DataSource } from 'typeorm';
import { CompanyEntity, TicketEntity } from '../../../src/database/entities';
import { IndexingRepository } from '../../../src/modules/ingest/indexing.repository';
import { TicketRepository } from '../../../src/modules/tickets/ticket.repository';
import { dbTargets } from '../../setup/test-app';
import { bareDataSource } from './bare-data-source';
import { ticketRow as storedTicket } from '../../factories/ticket-row.factory';

function ticketRow(companyId: string, i: number, hash = `h${i}`): Partial<TicketEntity> {
  return storedTicket({ companyId, ticketId: `T-${i}`, subject: `subject ${i}`, contentHash: hash });
}

describe.each(dbTargets())('IndexingRepository.markIndexed (%s)', (target) => {
  let db: DataSource;
  let close: () => Promise<void>;
  let repository: IndexingRepository;

  beforeAll(async () => {
    ({ db, close } = await bareDataSource(target));
    repository = new IndexingRepository(db);
    await db.getRepository(CompanyEntity).save([
      { id: 'acme', name: 'Acme' },
      { id: 'other', name: 'Other' },
    ]);
  });
  afterAll(() => close?.());

  it('walks a company page by page in (updated_at, id) order from a keyset cursor, ties included', async () => {
    const times = [3, 1, 4, 2, 5].map((d) => new Date(`2024-04-0${d}T00:00:00Z`));
    const rows = Array.from({ length: 1_250 }, (_, i) => ({
      ...ticketRow('scan', i),
      ticketId: `S-${String((i * 7919) % 1_250).padStart(4, '0')}`,
      updatedAt: times[i % times.length],
    }));
    await db.getRepository(CompanyEntity).save([
      { id: 'scan', name: 'Scan' },
      { id: 'scan-neighbour', name: 'Neighbour' },
    ]);
    for (let s = 0; s < rows.length; s += 250)
      await db.getRepository(TicketEntity).insert(rows.slice(s, s + 250));
    await db
      .getRepository(TicketEntity)
      .insert([{ ...ticketRow('scan-neighbour', 99), updatedAt: times[0] }]);

    const seen: Array<{ id: string; at: number }> = [];
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const page = await repository.scan('tickets', {
        companyId: 'scan',
        limit: 96,
        ...(after ? { after } : {}),
      });
      if (page.length === 0) break;
      seen.push(...page.map((r) => ({ id: r.id, at: r.updatedAt.getTime() })));
      const last = page[page.length - 1];
      after = { updatedAt: last.updatedAt, id: last.id };
    }
    const expected = rows
      .map((r) => ({ id: r.ticketId, at: r.updatedAt.getTime() }))
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    expect(seen).toEqual(expected);
  });

  it('marks many rows in one call, over several statements, storing each summary verbatim', async () => {
    const count = 2_300;
    const rows = Array.from({ length: count }, (_, i) => ticketRow('acme', i));
    for (let s = 0; s < count; s += 200) await db.getRepository(TicketEntity).insert(rows.slice(s, s + 200));
    await db.getRepository(TicketEntity).save([ticketRow('other', 1)]);
    const at = new Date('2024-06-01T12:34:56.789Z');
    const updated = await repository.markIndexed({
      companyId: 'acme',
      type: 'tickets',
      at,
      rows: rows.map((r, i) => ({
        id: r.ticketId!,
        contentHash: r.contentHash!,
        summary: i === 7 ? `환불 '지연' $1 ? "quoted"` : `summary ${i}`,
        summarySource: i % 2 === 0 ? 'llm' : 'extractive',
      })),
    });
    expect(updated).toBe(count);

    const stored = await db.getRepository(TicketEntity).find({ where: { companyId: 'acme' } });
    expect(stored).toHaveLength(count);
    expect(stored.every((r) => r.indexState === 'indexed' && r.indexedHash === r.contentHash)).toBe(true);
    const byId = new Map(stored.map((r) => [r.ticketId, r]));
    expect(byId.get('T-7')).toMatchObject({
      summary: `환불 '지연' $1 ? "quoted"`,
      summarySource: 'extractive',
    });
    expect(byId.get('T-2299')).toMatchObject({ summary: 'summary 2299', summarySource: 'extractive' });
    expect(byId.get('T-0')!.indexedAt!.toISOString()).toBe(at.toISOString());
    // The other company's row with the same id is untouched.
    const other = await db
      .getRepository(TicketEntity)
      .findOneByOrFail({ companyId: 'other', ticketId: 'T-1' });
    expect(other).toMatchObject({ indexState: 'pending', summary: null });
  });

  it('skips rows whose content changed since they were read, and failed rows get cleared on success', async () => {
    await db
      .getRepository(TicketEntity)
      .save([
        { ...ticketRow('other', 10, 'new-hash') },
        { ...ticketRow('other', 11), indexState: 'failed', indexError: 'summary: timeout' },
      ]);
    const updated = await repository.markIndexed({
      companyId: 'other',
      type: 'tickets',
      at: new Date(),
      rows: [
        { id: 'T-10', contentHash: 'old-hash', summary: 'stale', summarySource: 'llm' },
        { id: 'T-11', contentHash: 'h11', summary: 'fresh', summarySource: 'llm' },
        { id: 'T-404', contentHash: 'h404', summary: 'gone', summarySource: 'llm' },
      ],
    });
    expect(updated).toBe(1);
    const rows = await db
      .getRepository(TicketEntity)
      .find({ where: { companyId: 'other' }, order: { ticketId: 'ASC' } });
    const state = Object.fromEntries(rows.map((r) => [r.ticketId, [r.indexState, r.summary, r.indexError]]));
    expect(state).toEqual({
      'T-1': ['pending', null, null],
      'T-10': ['pending', null, null],
      'T-11': ['indexed', 'fresh', null],
    });
  });

  it('returns 0 for no rows without touching the database', async () => {
    expect(
      await repository.markIndexed({ companyId: 'acme', type: 'articles', at: new Date(), rows: [] }),
    ).toBe(0);
  });
});

describe.each(dbTargets())('indexing writes beside concurrent upserts (%s)', (target) => {
  let db: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await bareDataSource(target));
    await db.getRepository(CompanyEntity).save([{ id: 'acme', name: 'Acme' }]);
  });
  afterAll(() => close?.());

  // Two overlapping chunks of the ingest pipeline and API upserts write at the same time. On SQLite, TypeORM
  // shares one query runner, so transactions started together used to fail ("cannot start a transaction
  // within a transaction") and the job was retried seconds later; they now queue, and every write lands.
  it('commits every markIndexed and upsert started at the same time', async () => {
    const indexing = new IndexingRepository(db);
    const tickets = new TicketRepository(db);
    const chunks = [0, 1, 2].map((c) =>
      Array.from({ length: 300 }, (_, i) => ticketRow('acme', c * 300 + i)),
    );
    await tickets.upsert(
      'acme',
      chunks.flat().map((row) => ({
        id: row.ticketId!,
        contentHash: row.contentHash!,
        updatedAt: row.updatedAt!,
        row,
      })),
    );
    const late = Array.from({ length: 300 }, (_, i) => ticketRow('acme', 10_000 + i));
    const results = await Promise.all([
      ...chunks.map((chunk) =>
        indexing.markIndexed({
          companyId: 'acme',
          type: 'tickets',
          at: new Date(),
          rows: chunk.map((r) => ({
            id: r.ticketId!,
            contentHash: r.contentHash!,
            summary: `summary of ${r.ticketId}`,
            summarySource: 'extractive' as const,
          })),
        }),
      ),
      tickets.upsert(
        'acme',
        late.map((row) => ({
          id: row.ticketId!,
          contentHash: row.contentHash!,
          updatedAt: row.updatedAt!,
          row,
        })),
      ),
    ]);
    expect(results.slice(0, 3)).toEqual([300, 300, 300]);
    const states = await db
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .select('t.index_state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where('t.company_id = :c', { c: 'acme' })
      .groupBy('t.index_state')
      .getRawMany<{ state: string; n: string | number }>();
    expect(Object.fromEntries(states.map((s) => [s.state, Number(s.n)]))).toEqual({
      indexed: 900,
      pending: 300,
    });
  });
});
