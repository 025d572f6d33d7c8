import { historyNeededFor, refersToCase, ticketNeededFor } from './question-context';

const ticketText =
  'Refund not received for order 88213\nThe customer returned a blender on May 2 and still has no refund on her Visa card.';
const sources = [
  'Refund policy\nRefunds reach the original payment method 5-7 business days after the return arrives.',
  'Password reset\nUse the Forgot password link; it expires after one hour.',
];
const need = (question: string, sourceTexts = sources) =>
  ticketNeededFor({ question, ticketText, sourceTexts });

describe('ticketNeededFor', () => {
  it('leaves the ticket out of a knowledge question the sources cover', () => {
    expect(need('How long does a refund take?')).toBeNull();
    expect(need('How can a customer reset a forgotten password?')).toBeNull();
    expect(need('What should I do when a parcel is marked delivered but never arrived?')).toBeNull();
    expect(need('How do I apply a discount code that was rejected?')).toBeNull();
    expect(need('환불은 보통 며칠 걸리나요?')).toBeNull();
  });

  it('puts the ticket in when the question refers to the case or its people', () => {
    expect(need('Why was the customer charged twice?')).toBe('reference');
    expect(need('When will this refund arrive?')).toBe('reference');
    expect(need('Can she get a refund?')).toBe('reference');
    expect(need('How long does a refund take to reach my card?')).toBe('reference');
    expect(need('What is the status of that order?')).toBe('reference');
    expect(need('이 고객의 환불은 언제 되나요?')).toBe('reference');
    expect(need('When will my refund arrive?')).toBe('reference');
  });

  it('reads "my <thing>" as the case only when the ticket has that thing: otherwise the case adds nothing', () => {
    const password = 'Forgot password and reset page shows an error\nThe reset link says it has expired.';
    const on = (question: string, text: string) =>
      ticketNeededFor({ question, ticketText: text, sourceTexts: sources });
    expect(on('How long does a refund take to reach my card?', password)).toBeNull();
    expect(on('Why is my account locked?', password)).toBeNull();
    expect(on('Why does my reset link say expired?', password)).toBe('reference');
    expect(on('Why does my new reset link fail?', password)).toBe('reference');
    expect(on('제 주문은 언제 도착하나요?', password)).toBeNull();
    // 제품 (product) is not 제 (my).
    expect(on('제품 교환은 어떻게 하나요?', password)).toBeNull();
    expect(refersToCase('제품 교환은 어떻게 하나요?')).toBe(false);
    expect(on('제 주문은 언제 도착하나요?', '주문 88213 배송이 안 왔어요')).toBe('reference');
    // Other references never depend on the ticket's words.
    expect(on('Why was the customer charged twice?', password)).toBe('reference');
    expect(on('Is this mine?', password)).toBe('reference');
    // The wording alone still reads as referring to the case (the cost bench's classification).
    expect(refersToCase('How long does a refund take to reach my card?')).toBe(true);
    expect(refersToCase('How long does a refund take?')).toBe(false);
  });

  it('does not read the agent’s own voice or a relative "that" as a reference', () => {
    expect(need('What should I do about a code that was rejected?')).toBeNull();
    expect(need('What is our refund policy?')).toBeNull();
    expect(need('What is this?', [])).toBe('no-sources');
  });

  it('puts the ticket in for an identifier it contains, not for one it does not', () => {
    expect(need('Where is order 88213?')).toBe('identifier');
    expect(need('What does error E-402 mean?')).toBeNull();
  });

  it('puts the ticket in for a salient term only the ticket has', () => {
    expect(need('Can a blender be refunded?')).toBe('salient-term');
    expect(need('How are Visa refunds handled?')).toBe('salient-term');
    // "refund" is in the sources too: the ticket adds nothing the answer needs.
    expect(need('How are refunds handled?')).toBeNull();
  });

  it('puts the ticket in when retrieval found no sources', () => {
    expect(need('How long does a refund take?', [])).toBe('no-sources');
  });
});

describe('historyNeededFor', () => {
  const follows = (question: string, turns = 1) => historyNeededFor({ question, turns });

  it('reads a question that leans on the previous turn as a follow-up', () => {
    expect(follows('and how long does that take?')).toBe('continuation');
    expect(follows('What about international orders?')).toBe('continuation');
    expect(follows('Is it free?')).toBe('anaphora');
    expect(follows('How long does that take?')).toBe('anaphora');
    expect(follows('Can I do the same for a gift card?')).toBe('anaphora');
    expect(follows('why?')).toBe('elliptical');
    expect(follows('그럼 며칠 걸리나요?')).toBe('continuation');
    expect(follows('그건 얼마나 걸리나요?')).toBe('anaphora');
  });

  it('leaves an independent question alone: it shares the company-wide answer', () => {
    expect(follows('How do I reset my password?')).toBeNull();
    expect(follows('What should I do about a code that was rejected?')).toBeNull();
    expect(follows('Is there a fee for returns?')).toBeNull();
    expect(follows('Can an order be cancelled after it has shipped?')).toBeNull();
    expect(follows('How do I apply a discount code that was rejected?')).toBeNull();
    expect(follows('환불은 보통 며칠 걸리나요?')).toBeNull();
  });

  it('never follows up on nothing', () => {
    expect(follows('and how long does that take?', 0)).toBeNull();
  });
});
