import { numberSources, RetrievedDoc } from './grounding';

const docs: RetrievedDoc[] = [
  {
    type: 'ticket',
    id: 'T-1',
    title: 'Refund late',
    summary: 'Refund missing.',
    score: 0.91234567,
    resolution: 'Refunds take 5 days.',
  },
  { type: 'article', id: 'KB-1', title: 'Refunds', summary: 'How refunds work.', score: 0.5 },
];

describe('numberSources', () => {
  it('numbers retrieved sources 1..n in prompt order, with a resolved ticket’s reply in its text', () => {
    const { grounding, refs } = numberSources({ docs });
    expect(refs).toEqual([
      { ref: 1, type: 'ticket', id: 'T-1', title: 'Refund late', score: 0.9123 },
      { ref: 2, type: 'article', id: 'KB-1', title: 'Refunds', score: 0.5 },
    ]);
    expect(grounding.map((g) => g.id)).toEqual(['ticket:T-1', 'article:KB-1']);
    expect(grounding[0].text).toBe('Refund missing.\nResolution: Refunds take 5 days.');
  });

  it('puts the session’s ticket first as context, without a number', () => {
    const { grounding, refs } = numberSources({
      docs,
      context: { id: 'T-9', subject: 'Where is my money', text: 'Ctx' },
    });
    expect(grounding[0]).toMatchObject({
      id: 'ticket:T-9',
      title: 'Current ticket: Where is my money',
      text: 'Ctx',
    });
    expect(grounding).toHaveLength(3);
    expect(refs.map((r) => r.ref)).toEqual([1, 2]);
  });
});
