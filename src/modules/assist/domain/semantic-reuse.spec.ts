import { reusableAnswer } from './semantic-reuse';

const source = (type: 'ticket' | 'article', id: string, ref: number) => ({
  ref,
  type,
  id,
  title: id,
  score: 0.8,
});
const doc = (type: 'ticket' | 'article', id: string) => ({ type, id });

describe('reusableAnswer (a similar question’s cached answer, offered for this one)', () => {
  it('is reused when every source it shows is one this question’s own retrieval grounded on', () => {
    expect(
      reusableAnswer({
        sources: [source('ticket', 'T-1', 1), source('article', 'A-1', 2)],
        grounded: [doc('article', 'A-1'), doc('ticket', 'T-9'), doc('ticket', 'T-1')],
      }),
    ).toBe(true);
  });

  it('is not reused when it shows a source this question did not retrieve (the answer would cite it)', () => {
    // Seen in eval:answers: "Why was there a fee for my transfer?" answered with an earlier question's sources,
    // one of which was not among the 50 results /search gives for this wording.
    expect(
      reusableAnswer({
        sources: [source('ticket', 'T-1', 1), source('ticket', 'T-2', 2)],
        grounded: [doc('ticket', 'T-1'), doc('ticket', 'T-3')],
      }),
    ).toBe(false);
  });

  it('tells types apart: a ticket and an article of the same id are different sources', () => {
    expect(reusableAnswer({ sources: [source('ticket', 'X', 1)], grounded: [doc('article', 'X')] })).toBe(
      false,
    );
  });

  it('is not reused when it cites the open ticket (context for this question, not an answer to it)', () => {
    // Retrieval drops the open ticket from the grounding, so a similar question's answer citing it never passes.
    expect(
      reusableAnswer({
        sources: [source('ticket', 'OPEN-1', 1)],
        grounded: [doc('ticket', 'T-1')],
      }),
    ).toBe(false);
  });

  it('is not reused without sources when this question has grounding of its own, nor with sources when it has none', () => {
    expect(reusableAnswer({ sources: [], grounded: [doc('ticket', 'T-1')] })).toBe(false);
    expect(reusableAnswer({ sources: [source('ticket', 'T-1', 1)], grounded: [] })).toBe(false);
  });
});
