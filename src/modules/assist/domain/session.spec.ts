import { AssistSession, newSession, turnsOf, withTurn } from './session';

describe('session', () => {
  it('keeps only the most recent turns', () => {
    let session = newSession({
      sessionId: 's'.repeat(20),
      companyId: 'acme',
      ticketId: 'T-1',
      now: new Date(0),
    });
    for (const q of ['a', 'b', 'c', 'd']) session = withTurn(session, { question: q, answer: `A ${q}` }, 3);
    expect(session).toMatchObject({ ticket_id: 'T-1', company_id: 'acme' });
    expect(turnsOf(session).map((t) => t.question)).toEqual(['b', 'c', 'd']);
  });

  it('reads a session stored before turns were kept as one without turns', () => {
    const old = { session_id: 's'.repeat(20), company_id: 'acme', ticket_id: null, questions: ['a'] };
    expect(turnsOf(old as unknown as AssistSession)).toEqual([]);
  });
});
