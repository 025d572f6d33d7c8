import { CONTENT_ADDRESSED_LLM_KINDS } from '../../cache/domain/cache-keys';
import { assistKeys } from './assist-keys';

const source = { id: 'T-1', kind: 'ticket' as const, title: 'Refund', text: 'Refund not received', score: 1 };

describe('assistKeys (LLM layer)', () => {
  const answer = (text: string) =>
    assistKeys.answer({
      companyId: 'acme',
      question: 'Where is my refund?',
      grounding: [{ ...source, text }],
      promptVersion: 'answer@1',
    });

  it('answers, reply drafts and summaries are of the content-addressed kinds, which data changes do not bump', () => {
    const reply = assistKeys.reply({
      companyId: 'acme',
      ticketId: 'T-1',
      ticket: { subject: 'Refund', description: 'Refund not received' } as never,
      instructions: undefined,
      grounding: [source],
      promptVersion: 'reply@1',
    });
    const summary = assistKeys.summary({
      companyId: 'acme',
      ticketId: 'T-1',
      contentHash: 'h1',
      promptVersion: 's@1',
    });
    for (const key of [answer('Refund not received'), reply, summary])
      expect(CONTENT_ADDRESSED_LLM_KINDS).toContain(key.kind);
  });

  it('a changed source text builds another answer key (why no bump is needed)', () => {
    expect(answer('Refund not received').toString()).not.toBe(answer('Refund received').toString());
  });
});
