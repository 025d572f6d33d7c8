import { tokenize } from './text-tokens';

describe('tokenize', () => {
  it('lower-cases words, drops punctuation and English stopwords', () => {
    expect(tokenize('The Refund is NOT working, for order #123!')).toEqual([
      'refund',
      'not',
      'working',
      'order',
      '123',
    ]);
  });

  it('splits Korean into character bigrams so particles do not block matches', () => {
    expect(tokenize('로그인이 안돼요')).toEqual(['로그', '그인', '인이', '안돼', '돼요']);
    const query = new Set(tokenize('로그인'));
    expect(tokenize('로그인이').filter((t) => query.has(t))).toEqual(['로그', '그인']);
  });

  it('keeps a single Hangul syllable and separates mixed scripts', () => {
    expect(tokenize('앱 iOS버전')).toEqual(['앱', 'ios', '버전']);
  });

  it('normalizes compatibility forms (NFKC)', () => {
    expect(tokenize('ＡＢＣ')).toEqual(['abc']);
  });
});
