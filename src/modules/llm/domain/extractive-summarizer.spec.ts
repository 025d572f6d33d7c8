import { summarizeExtractive, truncateAtWord } from './extractive-summarizer';

const english = [
  'Hi team.',
  'My card payment for order 4471 was charged twice yesterday.',
  'I only placed the order once and the bank shows two identical charges for the order.',
  'The weather here has been lovely this week.',
  'I tried to contact the bank but they said the duplicate charge must be refunded by the merchant.',
  'Please refund the duplicate charge for order 4471 as soon as possible.',
  'Thanks.',
].join(' ');

const korean = [
  '안녕하세요.',
  '어제 주문 4471 결제가 카드로 두 번 청구되었습니다.',
  '주문은 한 번만 했는데 은행 내역에 같은 금액의 결제가 두 건 있습니다.',
  '요즘 날씨가 정말 좋네요.',
  '은행에 문의했더니 중복 결제는 판매자가 환불해야 한다고 합니다.',
  '주문 4471의 중복 결제를 빨리 환불해 주세요.',
  '감사합니다.',
].join(' ');

describe('summarizeExtractive', () => {
  it.each([
    ['English', english, /charged twice/, /lovely/],
    ['Korean', korean, /두 번 청구/, /날씨/],
  ])('keeps the key sentences of a %s ticket within the length bound', (_, text, key, noise) => {
    const { summary, chosen } = summarizeExtractive(text, { maxChars: 200 });
    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary).toMatch(key);
    expect(summary).toMatch(/(refund|환불)/);
    expect(summary).not.toMatch(noise);
    expect(chosen).toEqual([...chosen].sort((a, b) => a - b));
  });

  it('drops near-duplicate sentences (redundancy penalty)', () => {
    const text =
      'The app crashes on login. The app crashes on login screen. Reinstalling the app did not stop the crashes.';
    const { summary } = summarizeExtractive(text, { maxChars: 500, maxSentences: 2 });
    expect(summary).toContain('Reinstalling');
    expect(summary).not.toContain('login screen');
  });

  it('cuts a single over-long sentence at a word boundary', () => {
    const { summary } = summarizeExtractive(`${'word '.repeat(100)}end.`, { maxChars: 50 });
    expect(summary.length).toBeLessThanOrEqual(50);
    expect(summary.endsWith('…')).toBe(true);
    expect(truncateAtWord('short', 10)).toBe('short');
  });
});
