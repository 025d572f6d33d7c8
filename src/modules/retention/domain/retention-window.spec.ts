import { retentionJobId, retentionSlot, ticketsCutoff } from './retention-window';

describe('retention window', () => {
  it('ends the tickets window exactly days × 24 h before asOf (no calendar or DST arithmetic)', () => {
    const asOf = new Date('2026-03-29T12:00:00.000Z');
    expect(ticketsCutoff(asOf, 30).toISOString()).toBe('2026-02-27T12:00:00.000Z');
    expect(ticketsCutoff(asOf, 1).toISOString()).toBe('2026-03-28T12:00:00.000Z');
  });

  it('puts every tick of one minute in one slot, and so one job id per company', () => {
    const a = retentionSlot(new Date('2026-01-10T10:20:00.012Z'));
    const b = retentionSlot(new Date('2026-01-10T10:20:59.999Z'));
    expect(a.toISOString()).toBe('2026-01-10T10:20:00.000Z');
    expect(b).toEqual(a);
    expect(retentionJobId('acme', a)).toBe(retentionJobId('acme', b));
    expect(retentionJobId('acme', a)).not.toBe(
      retentionJobId('acme', retentionSlot(new Date('2026-01-10T11:20:00Z'))),
    );
    expect(retentionJobId('acme', a)).not.toBe(retentionJobId('other', a));
  });
});
