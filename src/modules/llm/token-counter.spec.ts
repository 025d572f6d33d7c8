import { Tiktoken } from 'js-tiktoken/lite';
import { TokenCounter } from './token-counter';

describe('TokenCounter', () => {
  const tokens = new TokenCounter();

  it('counts tokens with the bundled ranks', () => {
    expect(tokens.count('hello world')).toBe(2);
    expect(tokens.count('')).toBe(0);
  });

  it('truncates to the budget without cutting a character', () => {
    const korean = '결제가 두 번 되었습니다. 환불을 요청합니다. 🙏 '.repeat(40);
    for (const budget of [1, 2, 3, 5, 8, 13, 21, 34, 55]) {
      const result = tokens.truncate(korean, budget);
      expect(result.truncated).toBe(true);
      expect(korean.startsWith(result.text)).toBe(true);
      expect(result.text).not.toContain('\uFFFD');
      expect(tokens.count(result.text)).toBeLessThanOrEqual(budget);
    }
    expect(tokens.truncate('short', 10)).toEqual({ text: 'short', truncated: false, tokens: 1 });
  });

  it('estimates within 20% of the exact count on single English and Korean sentences', () => {
    const samples = [
      'I returned the jacket two weeks ago and still have not received my refund. Order #A-1042, paid by card.',
      '2주 전에 상품을 반품했는데 아직 환불을 받지 못했습니다. 주문번호 A-1042 확인 부탁드립니다.',
      'Hi team, the app keeps logging me out after the 2FA prompt; I tried reinstalling twice.',
    ];
    for (const text of samples) {
      const exact = tokens.count(text);
      expect(Math.abs(tokens.estimate(text) - exact) / exact).toBeLessThan(0.2);
    }
    expect(tokens.estimate('')).toBe(0);
  });

  it('fits a text to a budget as truncate does, without encoding what cannot exceed it, once per repeated text', () => {
    const tokens = new TokenCounter();
    const truncate = jest.spyOn(tokens, 'truncate');
    const long = 'The reset link in the email expired before the customer opened it. '.repeat(40);
    const korean = '비밀번호 재설정 링크가 만료되었습니다. '.repeat(30);
    for (const [text, max] of [
      [long, 50],
      [korean, 33],
      ['short', 10],
      ['', 5],
    ] as const) {
      expect(tokens.fit(text, max)).toBe(new TokenCounter().truncate(text, max).text);
    }
    // Byte-level BPE: a token covers at least one UTF-8 byte, so 10 bytes never exceed 10 tokens.
    truncate.mockClear();
    expect(tokens.fit('0123456789', 10)).toBe('0123456789');
    expect(truncate).not.toHaveBeenCalled();
    expect(tokens.fit(long, 50)).toBe(tokens.fit(long, 50));
    expect(truncate).not.toHaveBeenCalled();
  });

  it('counts a repeated text once per encoding, with the same result as a fresh count', () => {
    const cases: Array<[string, string]> = [
      ['The reset link in the email expired before the customer opened it.', ''],
      ['비밀번호 재설정 링크가 만료되었습니다.', 'gpt-4o'],
      ['The reset link in the email expired before the customer opened it.', 'gpt-3.5-turbo'],
    ];
    const fresh = new TokenCounter();
    const expected = cases.map(([text, model]) => fresh.count(text, model));
    const encode = jest.spyOn(Tiktoken.prototype, 'encode');
    const tokens = new TokenCounter();
    for (let round = 0; round < 3; round++) {
      expect(cases.map(([text, model]) => tokens.count(text, model))).toEqual(expected);
    }
    // The same text under o200k and cl100k is two counts; each (text, encoding) is encoded once.
    expect(encode).toHaveBeenCalledTimes(cases.length);
    encode.mockRestore();
  });
});
