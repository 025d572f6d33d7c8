import fc from 'fast-check';
import { composeGrounded } from '../../llm/domain/grounded-composer';
import { citedRefs, danglingCitations } from '../../llm/domain/numbered-sources';
import { renderPrompt } from '../../llm/prompts';
import { fitToBudget } from '../../llm/prompts/fit-budget';
import { TokenCounter } from '../../llm/token-counter';
import { contextOf, groundSources, RetrievedDoc } from './grounding';

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

describe('groundSources', () => {
  it('numbers retrieved sources 1..n in prompt order, with a resolved ticket’s reply in its text', () => {
    const { sources, refs } = groundSources({ docs });
    expect(refs).toEqual([
      { ref: 1, type: 'ticket', id: 'T-1', title: 'Refund late', score: 0.9123 },
      { ref: 2, type: 'article', id: 'KB-1', title: 'Refunds', score: 0.5 },
    ]);
    expect(sources.map((g) => [g.ref, g.id])).toEqual([
      [1, 'ticket:T-1'],
      [2, 'article:KB-1'],
    ]);
    expect(sources[0].text).toBe('Refund missing.\nResolution: Refunds take 5 days.');
  });

  it('replaces other customers’ identifiers in ticket sources, keeps the open ticket’s, leaves articles alone', () => {
    const { sources, refs } = groundSources({
      docs: [
        {
          ...docs[0],
          title: 'Order ORD-7777777',
          resolution: 'Refunded ORD-7777777 and ORD-1234567 to jo@x.com',
        },
        { ...docs[1], summary: 'Write to help@shop.example.com' },
      ],
      keep: new Set(['ord1234567']),
    });
    expect(sources[0].text).toBe(
      'Refund missing.\nResolution: Refunded [order-number] and ORD-1234567 to [email]',
    );
    expect(refs[0].title).toBe('Order [order-number]');
    expect(sources[1].text).toBe('Write to help@shop.example.com');
  });
});

/** A sentence the composer can use (three or more content terms), or one it cannot. */
const usable = fc.constantFrom(
  'Refunds reach the original card within seven business days.',
  'Reset the router and update the firmware before calling support.',
  'Print the prepaid return label from the orders page.',
  'Shipping to Korea usually takes five business days.',
  '환불은 영업일 기준 칠일 이내에 원래 결제 수단으로 처리됩니다.',
);
const unusable = fc.constantFrom('Hi!', 'Thanks.', 'Ok', '', 'Regards, Sam');

const retrievedDoc = fc.record({
  type: fc.constantFrom('ticket' as const, 'article' as const),
  title: fc.constantFrom('Refund', 'Router', 'Returns', 'Shipping', '환불'),
  summary: fc.array(fc.oneof(usable, unusable), { maxLength: 3 }).map((s) => s.join(' ')),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  resolution: fc.option(fc.oneof(usable, unusable), { nil: undefined }),
});
const retrieved = fc
  .array(retrievedDoc, { maxLength: 8 })
  .map((list) => list.map((doc, i): RetrievedDoc => ({ ...doc, id: `${doc.type}-${i}` })));
const openTicket = fc.option(
  fc.record({ id: fc.constant('OPEN-1'), subject: fc.constant('Where is my refund?'), text: usable }),
  { nil: undefined },
);
const question = fc.constantFrom(
  'How long does a refund take?',
  'How do I return an item?',
  'The router keeps dropping, what now?',
  '환불은 언제 되나요?',
);

/** The numbered blocks of a rendered prompt: `[n] (kind: title)` headers. */
function promptBlocks(content: string): Array<{ ref: number; kind: string; title: string }> {
  return [...content.matchAll(/^\[(\d+)\] \((ticket|article)(?:: ([^)\n]*))?\)$/gm)].map((m) => ({
    ref: Number(m[1]),
    kind: m[2],
    title: m[3] ?? '',
  }));
}

/** Each numbered block's body: the text the model reads under [ref]. */
function blockBodies(content: string): Map<number, string> {
  const bodies = new Map<number, string>();
  const parts = content.split(/^\[(\d+)\] \((?:ticket|article)(?:: [^)\n]*)?\)$/gm);
  for (let i = 1; i < parts.length; i += 2)
    bodies.set(Number(parts[i]), parts[i + 1].split('\n\n')[0].trim());
  return bodies;
}

const budget = { maxTokens: 6000, model: 'gpt-4o-mini', tokens: new TokenCounter() };

describe('citation integrity (property)', () => {
  it('every [n] the model is shown, and every [n] the local composer writes, is sources[n-1]; the open ticket never has a number', () => {
    fc.assert(
      fc.property(retrieved, openTicket, question, (retrievedDocs, open, q) => {
        const { sources, refs } = groundSources({ docs: retrievedDocs });
        const context = open ? contextOf(open) : undefined;
        // Every listed source is one given to the model, under the number the response shows.
        expect(sources.map((s) => s.id)).toEqual(refs.map((r) => `${r.type}:${r.id}`));
        refs.forEach((r, i) => expect(r.ref).toBe(i + 1));

        for (const request of [
          {
            companyId: 'c',
            priority: 'interactive' as const,
            purpose: 'answer' as const,
            question: q,
            sources,
            context,
          },
          {
            companyId: 'c',
            priority: 'interactive' as const,
            purpose: 'reply' as const,
            ticket: { subject: 'Where is my refund?', body: q },
            sources,
          },
        ]) {
          for (const sent of [request, fitToBudget(request, budget)]) {
            const user = renderPrompt(sent, 'en').at(-1)!.content;
            expect(promptBlocks(user)).toEqual(
              refs.map((r) => ({ ref: r.ref, kind: r.type, title: r.title })),
            );
            if (context && sent.purpose === 'answer')
              expect(user).toContain(
                `Current ticket (context, not a source; do not cite it): ${context.title}`,
              );
            // The budget trims a block's text, never moves text to another number: every line of block [n]
            // is sources[n - 1]'s, or points at an earlier block that shows it.
            for (const [ref, body] of blockBodies(user)) {
              const pointer = /^\(same as \[(\d+)\]\)$/.exec(body);
              if (pointer) expect(Number(pointer[1])).toBeLessThan(ref);
              else
                for (const piece of body.split(/\n| … /))
                  expect(sources[ref - 1].text.replace(/\s+/g, ' ')).toContain(
                    piece.replace(/\s+/g, ' ').trim(),
                  );
            }
          }
        }

        const answer = composeGrounded({ purpose: 'answer', language: 'en', question: q, sources });
        expect(danglingCitations(answer, sources)).toEqual([]);
        // Each cited excerpt is drawn from the source its number names (sources with no usable sentence are
        // skipped without renumbering the rest).
        for (const line of answer.split('\n').filter((l) => l.startsWith('- '))) {
          const [n] = citedRefs(line);
          const excerpt = line.slice(2, line.lastIndexOf(' ['));
          expect(sources[n - 1].text.replace(/\s+/g, ' ')).toContain(excerpt.split(/(?<=[.!?])\s/)[0]);
        }
        if (refs.length === 0) expect(citedRefs(answer)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
