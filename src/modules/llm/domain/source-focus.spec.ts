import fc from 'fast-check';
import { numberSources } from './numbered-sources';
import { focusSources, focusText } from './source-focus';

/** Words stand in for tokens. */
const count = (text: string) => text.split(/\s+/u).filter(Boolean).length;
const cut = (text: string, max: number) => text.split(/\s+/u).filter(Boolean).slice(0, max).join(' ');

describe('focusSources', () => {
  const sources = numberSources([
    {
      id: 'article:KB-1',
      kind: 'article',
      title: 'Refunds',
      text: [
        'Refunds are issued to the original payment method once the item is scanned.',
        'Card refunds usually appear on your statement within 5-7 business days.',
        'Our warehouse is open on weekdays.',
        'Still stuck? Reply to any of our emails.',
      ].join(' '),
    },
    {
      id: 'ticket:T-2',
      kind: 'ticket',
      title: 'Refund late',
      text: 'Card refunds usually appear on your statement within 5-7 business days.\nResolution: Refunded to the card.',
    },
    {
      id: 'ticket:T-3',
      kind: 'ticket',
      title: 'Refund late again',
      text: 'Card refunds usually appear on your statement within 5-7 business days.',
    },
  ]);

  it('keeps the sentences that match the question, in their order, and never renumbers', () => {
    const focused = focusSources(sources, {
      focus: 'How long does a card refund take to reach my statement?',
      maxTokensPerSource: 30,
      count,
      cut,
    });
    expect(focused.map((s) => [s.ref, s.id])).toEqual(sources.map((s) => [s.ref, s.id]));
    expect(focused[0].text).toContain('Card refunds usually appear on your statement');
    expect(focused[0].text).not.toContain('warehouse is open');
    expect(focused[0].text).not.toContain('Still stuck');
  });

  it('shows a sentence once: a later source repeating an earlier one points at it', () => {
    const focused = focusSources(sources, {
      focus: 'card refund statement',
      maxTokensPerSource: 60,
      count,
      cut,
    });
    expect(focused[1].text).not.toContain('Card refunds usually appear');
    expect(focused[1].text).toContain('Resolution: Refunded to the card.');
    expect(focused[2].text).toBe('(same as [1])');
  });

  it('shows a sentence once within a source too: a summary line repeating its resolution', () => {
    const [focused] = focusSources(
      numberSources([
        {
          id: 'ticket:T-9',
          kind: 'ticket',
          title: 'API 503',
          text: 'Node replaced. Error rates are back to normal.\nResolution: One API node failed. Error rates are back to normal.',
        },
      ]),
      { focus: 'api error rates', maxTokensPerSource: 60, count, cut },
    );
    expect(focused.text).toBe('Error rates are back to normal.\nResolution: One API node failed.');
  });

  it('keeps the opening of a source that matches nothing, within the cap', () => {
    const [only] = focusSources(numberSources([sources[0]]), {
      focus: 'two-factor authentication',
      maxTokensPerSource: 15,
      count,
      cut,
    });
    expect(only.text.startsWith('Refunds are issued')).toBe(true);
    expect(count(only.text)).toBeLessThanOrEqual(15);
  });

  it('property: refs, ids and order are kept; every text is within the cap; a pointer names an earlier source', () => {
    const sentence = fc
      .array(
        fc.constantFrom('refund', 'card', 'days', 'password', 'reset', 'parcel', 'late', '환불', '배송'),
        {
          minLength: 1,
          maxLength: 12,
        },
      )
      .map((w) => `${w.join(' ')}.`);
    fc.assert(
      fc.property(
        fc.array(fc.array(sentence, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.string(),
        fc.integer({ min: 8, max: 80 }),
        (texts, focus, cap) => {
          const input = numberSources(
            texts.map((t, i) => ({ id: `ticket:T-${i}`, kind: 'ticket' as const, text: t.join(' ') })),
          );
          const out = focusSources(input, { focus, maxTokensPerSource: cap, count, cut });
          expect(out.map((s) => `${s.ref}:${s.id}`)).toEqual(input.map((s) => `${s.ref}:${s.id}`));
          for (const s of out) {
            expect(s.text.length).toBeGreaterThan(0);
            const pointer = /^\(same as \[(\d+)\]\)$/.exec(s.text);
            if (pointer) expect(Number(pointer[1])).toBeLessThan(s.ref);
            else expect(count(s.text)).toBeLessThanOrEqual(cap);
          }
        },
      ),
    );
  });
});

describe('focusText', () => {
  it('keeps matching sentences of a context within the cap', () => {
    const text = 'The parcel was marked delivered. I ordered shoes in May. The box never arrived at my door.';
    const kept = focusText(text, { focus: 'parcel delivered never arrived', maxTokens: 14, count, cut });
    expect(kept).toContain('parcel was marked delivered');
    expect(kept).toContain('never arrived');
    expect(kept).not.toContain('shoes');
  });

  it('returns a short text as it is', () => {
    expect(focusText('Short.', { focus: 'x', maxTokens: 10, count, cut })).toBe('Short.');
  });
});
