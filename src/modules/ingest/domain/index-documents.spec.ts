import { dayRange, embeddingText, excerpt, isUpToDate, resolutionOf, ticketSourceText, TicketRow } from './index-documents';

const row: TicketRow = {
  id: 'T-1',
  subject: 'Refund',
  description: 'Where is my money?',
  status: 'open',
  priority: 'high',
  tags: [],
  conversations: [
    { from: 'customer', body: 'Any news?', created_at: '2024-01-01T00:00:00Z' },
    { from: 'agent', body: 'First reply', created_at: '2024-01-01T01:00:00Z' },
    { from: 'agent', body: 'Refund sent today', created_at: '2024-01-02T00:00:00Z' },
  ],
  createdAt: new Date(),
  updatedAt: new Date(),
  contentHash: 'h',
  indexedHash: null,
  indexState: 'pending',
};

describe('index documents', () => {
  it('builds the summary source from subject, description and conversation', () => {
    expect(ticketSourceText(row)).toBe('Refund\nWhere is my money?\nCustomer: Any news?\nAgent: First reply\nAgent: Refund sent today');
  });

  it("takes the agent's last reply as the resolution", () => {
    expect(resolutionOf(row)).toBe('Refund sent today');
    expect(resolutionOf({ ...row, conversations: null })).toBeUndefined();
  });

  it('never cuts inside a character', () => {
    expect(excerpt('환불😀요청', 3)).toBe('환불😀');
    expect(embeddingText({ title: 't', summary: '', body: 'b' })).toBe('t\nb');
  });

  it('skips only rows indexed from their current content', () => {
    expect(isUpToDate({ indexState: 'indexed', indexedHash: 'a', contentHash: 'a' })).toBe(true);
    expect(isUpToDate({ indexState: 'indexed', indexedHash: 'a', contentHash: 'b' })).toBe(false);
    expect(isUpToDate({ indexState: 'failed', indexedHash: 'a', contentHash: 'a' })).toBe(false);
  });

  it('covers whole UTC days', () => {
    const { from, to } = dayRange('2024-05-01', '2024-05-02');
    expect(from.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(to.toISOString()).toBe('2024-05-02T23:59:59.999Z');
  });
});
