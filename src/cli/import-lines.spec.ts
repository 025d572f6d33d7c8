import { parseTicketLine } from './import-lines';

describe('import lines', () => {
  it('accepts an API.md ticket line', async () => {
    const line = JSON.stringify({ ticket_id: 'T-1', subject: '환불 문의', status: 'open', created_at: '2024-05-01T00:00:00Z' });
    const { ticket, errors } = await parseTicketLine(line, 'tickets');
    expect(errors).toBeUndefined();
    expect(ticket).toMatchObject({ ticket_id: 'T-1', subject: '환불 문의' });
  });

  it('rejects bad lines with every reason, naming fields', async () => {
    expect((await parseTicketLine('{nope', 'tickets')).errors?.[0]).toMatch(/^not JSON/);
    expect((await parseTicketLine('[1]', 'tickets')).errors).toEqual(['not a JSON object']);
    const bad = await parseTicketLine(JSON.stringify({ ticket_id: '', status: 'done', extra: 1 }), 'tickets');
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ticket_id /),
        expect.stringMatching(/^subject /),
        expect.stringMatching(/^status must be one of/),
        expect.stringMatching(/^created_at /),
        'extra is not an allowed field',
      ]),
    );
  });

  it('maps public dataset records to tickets with the agent reply as conversation', async () => {
    const record = { id: 'bitext-abc', dataset: 'x', subject: null, body: 'I want a refund for my order', intent: 'get_refund', category: 'REFUND', response: 'Sure, I can help.' };
    const { ticket } = await parseTicketLine(JSON.stringify(record), 'dataset');
    expect(ticket).toMatchObject({ ticket_id: 'bitext-abc', status: 'resolved', tags: ['get_refund', 'REFUND'] });
    expect(ticket?.conversations?.map((c) => c.from)).toEqual(['customer', 'agent']);
  });
});
