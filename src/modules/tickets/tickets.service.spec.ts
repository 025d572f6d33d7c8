import { ticketRow } from '../../../test/factories/ticket-row.factory';
import { FakeLayeredCache } from '../../../test/fakes/layered-cache.fake';
import type { TicketEntity } from '../../database/entities';
import { DataChanged, DataChangeEvents } from '../events/data-change.events';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';
import type { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';

const row = (ticketId: string): TicketEntity => ticketRow({ companyId: 'acme', ticketId });

/** The rows of one company, and a switch that makes every read fail as an unreachable PostgreSQL does. */
class RowsFake {
  readonly rows = new Map<string, TicketEntity>();
  down = false;
  async deleteTickets(companyId: string, ids: string[]): Promise<{ deleted: string[]; notFound: string[] }> {
    const deleted = ids.filter((id) => this.rows.get(id)?.companyId === companyId);
    for (const id of deleted) this.rows.delete(id);
    return { deleted, notFound: ids.filter((id) => !deleted.includes(id)) };
  }
  async upsert(companyId: string, incoming: Array<{ id: string }>) {
    return { changedIds: incoming.map((i) => i.id), unchanged: 0 };
  }
  async findOne(companyId: string, ticketId: string): Promise<TicketEntity | null> {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const found = this.rows.get(ticketId);
    return found && found.companyId === companyId ? found : null;
  }
}

describe('TicketsService: the copy a ticket read leaves for when the database cannot answer', () => {
  const setup = (withCache = true) => {
    const rows = new RowsFake();
    const cache = new FakeLayeredCache();
    const indexed = new TicketIndexedEvents();
    const events = new DataChangeEvents();
    const published: DataChanged[] = [];
    events.subscribe((event) => {
      published.push(event);
    });
    const service = new TicketsService(
      rows as unknown as TicketRepository,
      events,
      indexed,
      withCache ? cache : undefined,
    );
    service.onModuleInit();
    return { rows, cache, indexed, service, published };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('answers the last copy, marked stale, while reads fail; nothing for a ticket never read', async () => {
    const { rows, service } = setup();
    rows.rows.set('T-1', row('T-1'));
    rows.rows.set('T-2', row('T-2'));
    const read = await service.getTicket('acme', 'T-1');
    expect(read.stale).toBe(false);
    await settle();
    rows.down = true;
    expect(await service.getTicket('acme', 'T-1')).toEqual({ ticket: read.ticket, stale: true });
    await expect(service.getTicket('acme', 'T-2')).rejects.toThrow('ECONNREFUSED');
    // Another company never reads it.
    await expect(service.getTicket('globex', 'T-1')).rejects.toThrow('ECONNREFUSED');
  });

  it('drops a ticket’s copy where its new version is indexed (writes that bypassed this service, e.g. the import CLI)', async () => {
    const { rows, indexed, service } = setup();
    rows.rows.set('T-1', row('T-1'));
    await service.getTicket('acme', 'T-1');
    await settle();
    // An article of the same id being indexed is not this ticket.
    await indexed.publishDocuments({ companyId: 'acme', type: 'articles', ids: ['T-1'] });
    await settle();
    expect(await service.lastCopy('acme', 'T-1')).toBeDefined();
    await indexed.publishDocuments({ companyId: 'acme', type: 'tickets', ids: ['T-1'] });
    await settle();
    expect(await service.lastCopy('acme', 'T-1')).toBeUndefined();
  });

  it('keeps and reads no copy without a cache (the import CLI): a failed read is the error', async () => {
    const { rows, service } = setup(false);
    rows.rows.set('T-1', row('T-1'));
    expect((await service.getTicket('acme', 'T-1')).stale).toBe(false);
    rows.down = true;
    await expect(service.getTicket('acme', 'T-1')).rejects.toThrow('ECONNREFUSED');
  });

  it("removes a deleted ticket's copy, and retires every copy of the company when the cache cannot confirm it", async () => {
    const { rows, cache, service, published } = setup();
    for (const id of ['T-1', 'T-2', 'T-3']) rows.rows.set(id, row(id));
    for (const id of ['T-1', 'T-2', 'T-3']) await service.getTicket('acme', id);
    await settle();
    await service.deleteTicket('acme', 'T-1');
    expect(published.at(-1)).toMatchObject({ change: 'deleted', ids: ['T-1'] });
    expect(await service.lastCopy('acme', 'T-1')).toBeUndefined();
    expect(await service.lastCopy('acme', 'T-2')).toBeDefined();
    const invalidate = jest.spyOn(cache, 'invalidate');
    cache.failing = true;
    await service.deleteTicket('acme', 'T-2');
    expect(invalidate).toHaveBeenCalledWith('acme', ['session']);
    cache.failing = false;
    expect(await service.lastCopy('acme', 'T-3')).toBeUndefined();
  });

  it('retires every copy of the company when the cache cannot confirm a changed ticket’s copy removed', async () => {
    const { rows, cache, service } = setup();
    rows.rows.set('T-1', row('T-1'));
    await service.getTicket('acme', 'T-1');
    await settle();
    const invalidate = jest.spyOn(cache, 'invalidate');
    cache.failing = true;
    await service.upsertTickets('acme', [
      { ticket_id: 'T-1', subject: 'changed', status: 'open', created_at: '2024-05-01T00:00:00Z' },
    ]);
    await settle();
    expect(invalidate).toHaveBeenCalledWith('acme', ['session']);
  });
});
