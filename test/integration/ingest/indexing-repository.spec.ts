import { DataSource } from 'typeorm';
import { CompanyEntity, TicketEntity } from '../../../src/database/entities';
import { IndexingRepository } from '../../../src/modules/ingest/indexing.repository';
import { dbTargets } from '../../setup/test-app';
import { bareDataSource } from './bare-data-source';

function ticketRow(companyId: string, i: number, hash = `h${i}`): Partial<TicketEntity> {
  return {
    companyId,
    ticketId: `T-${i}`,
    subject: `subject ${i}`,
    description: null,
    status: 'open',
    priority: 'medium',
    tags: [],
    conversations: null,
    createdAt: new Date('2024-05-01T00:00:00Z'),
    updatedAt: new Date('2024-05-01T00:00:00Z'),
    contentHash: hash,
    indexedHash: null,
    summary: null,
    summarySource: null,
    indexState: 'pending',
    indexError: null,
    indexedAt: null,
  };
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
