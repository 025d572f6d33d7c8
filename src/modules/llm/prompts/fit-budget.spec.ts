import { numberSources } from '../domain/numbered-sources';
import { TokenCounter } from '../token-counter';
import { fitToBudget, PROMPT_BUDGET } from './fit-budget';

const tokens = new TokenCounter();
const budget = { maxTokens: 6000, model: 'gpt-4o-mini', tokens };
const count = (text: string) => tokens.count(text, 'gpt-4o-mini');
const filler = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `The ${topic} desk handled case number ${i} on a weekday.`).join(' ');

const sources = numberSources([
  {
    id: 'article:KB-1',
    kind: 'article',
    title: 'Refunds',
    text: `${filler('warehouse', 20)} Card refunds reach the statement within 5-7 business days.`,
  },
  { id: 'ticket:T-2', kind: 'ticket', title: 'Late refund', text: filler('billing', 20) },
]);

describe('fitToBudget', () => {
  it('keeps each source to its budget, with the sentence that answers the question', () => {
    const fitted = fitToBudget(
      {
        companyId: 'c',
        priority: 'interactive',
        purpose: 'answer',
        question: 'How long until a card refund reaches the statement?',
        sources,
      },
      budget,
    );
    if (fitted.purpose !== 'answer') throw new Error('purpose changed');
    expect(fitted.sources.map((s) => s.ref)).toEqual([1, 2]);
    expect(fitted.sources[0].text).toContain('Card refunds reach the statement within 5-7 business days.');
    for (const s of fitted.sources)
      expect(count(s.text)).toBeLessThanOrEqual(PROMPT_BUDGET.answerSourceTokens);
  });

  it('keeps the last turn longer than older ones, and the context to what the question needs', () => {
    const answer = filler('support', 30);
    const fitted = fitToBudget(
      {
        companyId: 'c',
        priority: 'interactive',
        purpose: 'answer',
        question: 'and how long does the parcel trace take?',
        sources,
        context: {
          title: 'Lost parcel',
          text: `${filler('front', 30)} The parcel trace was opened on May 2.`,
        },
        history: [
          { question: 'What is a trace?', answer },
          { question: 'Who opens the parcel trace?', answer },
        ],
      },
      budget,
    );
    if (fitted.purpose !== 'answer') throw new Error('purpose changed');
    expect(count(fitted.history![0].answer)).toBeLessThanOrEqual(PROMPT_BUDGET.earlierAnswerTokens);
    expect(count(fitted.history![1].answer)).toBeLessThanOrEqual(PROMPT_BUDGET.lastAnswerTokens);
    expect(count(fitted.history![1].answer)).toBeGreaterThan(PROMPT_BUDGET.earlierAnswerTokens);
    expect(fitted.context!.text).toContain('The parcel trace was opened on May 2.');
    expect(count(fitted.context!.text)).toBeLessThanOrEqual(PROMPT_BUDGET.contextTokens);
  });

  it('gives an adaptation of the general answer the context and turns the full answer prompt would get', () => {
    const answer = filler('support', 30);
    const full = {
      companyId: 'c',
      priority: 'interactive' as const,
      purpose: 'answer' as const,
      question: 'and how long does the parcel trace take?',
      sources,
      context: { title: 'Lost parcel', text: `${filler('front', 30)} The parcel trace was opened on May 2.` },
      history: [
        { question: 'What is a trace?', answer },
        { question: 'Who opens the parcel trace?', answer },
      ],
    };
    const adapted = fitToBudget({ ...full, generalAnswer: 'A parcel trace takes 5 days [1].' }, budget);
    const fitted = fitToBudget(full, budget);
    if (adapted.purpose !== 'answer' || fitted.purpose !== 'answer') throw new Error('purpose changed');
    // The ticket and turns are the case the general answer is adapted to: no more of them than a full answer sees.
    expect(adapted.context).toEqual(fitted.context);
    expect(adapted.history).toEqual(fitted.history);
    expect(count(adapted.context!.text)).toBeLessThanOrEqual(PROMPT_BUDGET.contextTokens);
    // Its prompt shows only the headers of the sources the general answer cites: their text is left alone.
    expect(adapted.sources).toEqual(sources);
  });

  it('leaves the sources of a draft rewrite alone: the prompt shows only their headers', () => {
    const request = {
      companyId: 'c',
      priority: 'interactive' as const,
      purpose: 'reply' as const,
      ticket: { subject: 'Refund', body: 'Where is my refund?' },
      sources,
      instructions: 'Be formal.',
      draft: 'Hello, refunds take 5-7 business days [1].',
    };
    expect(fitToBudget(request, budget)).toEqual(request);
  });
});
