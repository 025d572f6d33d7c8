import { chooseSummary, toKbArticles, toSimilarTickets } from './init-bundle';
import type { RetrievedDoc } from './grounding';

const ticket = (id: string, score = 1): RetrievedDoc => ({
  type: 'ticket',
  id,
  title: id,
  summary: `s ${id}`,
  score,
});

describe('init bundle shaping', () => {
  it('never lists the ticket itself among similar tickets, and keeps the best first up to the limit', () => {
    const docs = [ticket('T-1'), ticket('T-0'), ticket('T-2'), ticket('T-3')];
    expect(toSimilarTickets(docs, { excludeId: 'T-0', limit: 2 }).map((t) => t.ticket_id)).toEqual([
      'T-1',
      'T-2',
    ]);
  });

  it('keeps only articles as kb articles', () => {
    const docs: RetrievedDoc[] = [
      ticket('T-1'),
      { type: 'article', id: 'KB-1', title: 'A', summary: 'a', score: 0.4 },
    ];
    expect(toKbArticles(docs, 3)).toEqual([{ article_id: 'KB-1', title: 'A', summary: 'a', score: 0.4 }]);
  });

  it.each([
    [{ text: 'stored llm', source: 'llm' }, 'cached llm', { summary: 'stored llm', source: 'llm' }],
    [
      { text: 'stored extractive', source: 'extractive' },
      'cached llm',
      { summary: 'cached llm', source: 'llm' },
    ],
    [
      { text: 'stored extractive', source: 'extractive' },
      undefined,
      { summary: 'stored extractive', source: 'extractive' },
    ],
    [{ text: null, source: null }, undefined, { summary: 'computed', source: 'extractive' }],
  ])('chooses the summary: stored %j, cached %j', (stored, cachedLlm, expected) => {
    expect(chooseSummary({ stored, cachedLlm, extractive: () => 'computed' })).toEqual(expected);
  });
});
