import { CONTENT_ADDRESSED_LLM_KINDS } from '../../cache/domain/cache-keys';
import { numberSources } from '../../llm/domain/numbered-sources';
import { assistKeys } from './assist-keys';

const sources = numberSources([
  { id: 'ticket:T-1', kind: 'ticket', title: 'Refund', text: 'Refunds take 5 days.' },
]);

describe('assistKeys (LLM layer)', () => {
  const answer = (extra: Partial<Parameters<typeof assistKeys.answer>[0]> = {}) =>
    assistKeys.answer({
      companyId: 'acme',
      question: 'How long?',
      sources,
      promptVersion: 'answer-v2@m',
      ...extra,
    });
  const reply = (preferences: Parameters<typeof assistKeys.reply>[0]['preferences'] = null) =>
    assistKeys.reply({
      companyId: 'acme',
      ticketId: 'T-9',
      ticket: { subject: 'Refund', body: 'Where is it?' },
      instructions: undefined,
      sources,
      preferences,
      promptVersion: 'reply-v2@m',
    });

  it('answers, reply drafts and summaries are of the content-addressed kinds, which data changes do not bump', () => {
    const summary = assistKeys.summary({
      companyId: 'acme',
      ticketId: 'T-1',
      contentHash: 'h1',
      promptVersion: 's@1',
    });
    for (const key of [answer(), reply(), summary]) expect(CONTENT_ADDRESSED_LLM_KINDS).toContain(key.kind);
  });

  it('marks the want of an answer under a key of its own: content-addressed, in the same company and layer', () => {
    const changed = answer({ question: 'How long exactly?' });
    const demand = assistKeys.baseDemand(answer());
    expect(demand).toMatchObject({ layer: 'llm', companyId: 'acme', kind: 'base-demand' });
    expect(CONTENT_ADDRESSED_LLM_KINDS).toContain(demand.kind);
    expect(demand.toString()).not.toBe(answer().toString());
    expect(assistKeys.baseDemand(answer()).toString()).toBe(demand.toString());
    expect(assistKeys.baseDemand(changed).toString()).not.toBe(demand.toString());
  });

  it('a changed source text builds another answer key (why no bump is needed)', () => {
    const changed = numberSources([
      { id: 'ticket:T-1', kind: 'ticket', title: 'Refund', text: 'Refunds take 9 days.' },
    ]);
    expect(answer({ sources: changed }).toString()).not.toBe(answer().toString());
  });

  it('keys a draft by the agent’s preferences: each change is another draft, none shares the default', () => {
    const keys = [
      reply(null),
      reply({ tone: 'formal' }),
      reply({ tone: 'friendly' }),
      reply({ tone: 'formal', signature: 'Jane' }),
      reply({ tone: 'formal', signature: 'Jane', maxWords: 80 }),
      reply({ language: 'ko' }),
    ].map(String);
    expect(new Set(keys).size).toBe(keys.length);
    expect(String(reply({ signature: 'Jane', tone: 'formal' }))).toBe(
      String(reply({ tone: 'formal', signature: 'Jane' })),
    );
  });

  it('keys an answer by the ticket and turns only when they are in the prompt', () => {
    const alone = answer().toString();
    expect(answer({ history: [] }).toString()).toBe(alone);
    expect(
      answer({ history: [{ question: 'How do I return it?', answer: 'Print the label.' }] }).toString(),
    ).not.toBe(alone);
    expect(answer({ context: { title: 'Refund', text: 'Ticket text' } }).toString()).not.toBe(alone);
  });
});
