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
});
