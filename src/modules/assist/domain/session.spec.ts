import { newSession, withQuestion } from './session';

describe('session', () => {
  it('keeps only the most recent questions', () => {
    let session = newSession({
      sessionId: 's'.repeat(20),
      companyId: 'acme',
      ticketId: 'T-1',
      now: new Date(0),
    });
    for (const q of ['a', 'b', 'c', 'd']) session = withQuestion(session, q, 3);
    expect(session).toMatchObject({ ticket_id: 'T-1', company_id: 'acme', questions: ['b', 'c', 'd'] });
  });
});
