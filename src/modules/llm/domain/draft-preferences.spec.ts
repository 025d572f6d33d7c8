import fc from 'fast-check';
import {
  countWords,
  DraftFitter,
  DraftPreferences,
  fitDraftToPreferences,
  truncateWords,
} from './draft-preferences';
import { composeGrounded } from './grounded-composer';
import { numberSources } from './numbered-sources';

describe('fitDraftToPreferences', () => {
  it('ends a draft with the signature once, within the word limit', () => {
    const draft =
      'Hello Sam,\n\nYour refund is on its way and should arrive within five business days.\n\nBest regards';
    expect(fitDraftToPreferences(draft, { signature: 'Jane' })).toBe(`${draft}\n\nJane`);
    expect(fitDraftToPreferences(`${draft}\nJane`, { signature: 'Jane' })).toBe(`${draft}\nJane`);
    expect(fitDraftToPreferences(draft, { maxWords: 5, signature: 'Jane Doe' })).toBe(
      'Hello Sam,\n\nYour\n\nJane Doe',
    );
    expect(fitDraftToPreferences(draft, undefined)).toBe(draft);
  });

  it('truncates to whole words', () => {
    expect(truncateWords('one two  three four', 2)).toBe('one two');
    expect(truncateWords('one two ', 2)).toBe('one two ');
    expect(truncateWords('one', 3)).toBe('one');
  });

  const text = fc
    .array(
      fc.constantFrom(
        'Hello',
        'Sam,',
        'your',
        'refund',
        '환불은',
        '처리되었습니다.',
        '\n\n',
        ' ',
        'Jane',
        'Doe',
      ),
      {
        maxLength: 60,
      },
    )
    .map((parts) => parts.join(' '));
  const preferences = fc.record(
    {
      signature: fc.constantFrom('Jane', 'Jane Doe\nAcme Support', '— 상담원 김지은'),
      maxWords: fc.integer({ min: 1, max: 40 }),
    },
    { requiredKeys: [] },
  );

  it('property: idempotent, within the limit, signed', () => {
    fc.assert(
      fc.property(text, preferences, (draft, prefs) => {
        const fitted = fitDraftToPreferences(draft, prefs);
        expect(fitDraftToPreferences(fitted, prefs)).toBe(fitted);
        if (prefs.signature) expect(fitted.endsWith(prefs.signature)).toBe(true);
        if (prefs.maxWords !== undefined)
          expect(countWords(fitted)).toBeLessThanOrEqual(
            Math.max(prefs.maxWords, countWords(prefs.signature ?? '')),
          );
      }),
    );
  });

  it('property: streamed, the tokens sent add up to the fitted draft and are never taken back', () => {
    fc.assert(
      fc.property(
        text,
        preferences,
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
        (draft, prefs, cuts) => {
          const fitter = new DraftFitter(prefs);
          let sent = '';
          let at = 0;
          for (let i = 0; at < draft.length; i++) {
            const size = cuts[i % cuts.length];
            sent += fitter.push(draft.slice(at, at + size));
            at += size;
          }
          const { tail, text: final } = fitter.finish();
          expect(final).toBe(fitDraftToPreferences(draft, prefs));
          expect(sent + tail).toBe(final);
        },
      ),
    );
  });
});

describe('composeGrounded with preferences', () => {
  const sources = numberSources([
    {
      id: 'ticket:T-1',
      kind: 'ticket',
      text: 'Refunds reach the original card within seven business days. The warehouse checks every returned parcel first.',
    },
    {
      id: 'article:A-1',
      kind: 'article',
      text: 'Print the prepaid return label from the orders page before shipping.',
    },
  ]);
  const draft = (preferences?: DraftPreferences) =>
    composeGrounded({
      purpose: 'reply',
      language: 'en',
      subject: 'Refund',
      body: 'Where is my refund for the parcel?',
      sources,
      preferences,
    });

  it('speaks in the agent’s tone', () => {
    expect(draft({ tone: 'formal' })).toMatch(/Dear Customer,[\s\S]*Kind regards/);
    expect(draft({ tone: 'friendly' })).toMatch(/Hi there![\s\S]*Cheers/);
    expect(draft({ tone: 'concise' })).not.toMatch(/Thank you/);
    expect(countWords(draft({ tone: 'concise' }))).toBeLessThan(countWords(draft()));
  });

  it('signs and keeps to the word limit with whole sentences', () => {
    const text = draft({ signature: 'Jane\nAcme', maxWords: 45 });
    expect(text.endsWith('Best regards\nJane\nAcme')).toBe(true);
    expect(countWords(text)).toBeLessThanOrEqual(45);
    expect(text).toMatch(/[.!?]\n\nPlease let us know/);
  });

  it('cites nothing in a draft and never renumbers an answer’s sources', () => {
    const skipped = numberSources([
      { id: 'ticket:T-0', kind: 'ticket', text: 'Thanks!' },
      ...sources.map(({ ref: _ref, ...s }) => s),
    ]);
    const answer = composeGrounded({
      purpose: 'answer',
      language: 'en',
      question: 'How long does a refund take?',
      sources: skipped,
    });
    expect(answer).toMatch(/\[2\]/);
    expect(answer).not.toMatch(/\[1\]/);
  });
});
