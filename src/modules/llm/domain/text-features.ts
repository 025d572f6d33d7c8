/** Tokenization shared by the summarizer and the hashing embedder: Unicode words, lowercased. */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const HANGUL_WORD = /^[\uac00-\ud7a3]+$/u;

export function words(text: string): string[] {
  return (text.normalize('NFC').toLowerCase().match(WORD) ?? []).map((w) => w.replace(/['’_-]+$/u, ''));
}

export function isHangulWord(word: string): boolean {
  return HANGUL_WORD.test(word);
}

/**
 * Content terms for sentence scoring. Korean words carry attached particles ("결제가", "결제를"),
 * so a Hangul word also yields its first two syllables as a stem-like term.
 */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of words(text)) {
    if (STOPWORDS.has(word) || word.length < 2) continue;
    terms.push(word);
    if (isHangulWord(word) && word.length > 2) terms.push(word.slice(0, 2));
  }
  return terms;
}

export const STOPWORDS = new Set([
  ...'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its me my no not of on or our she so that the their them then there these they this to too up us was we were what when where which who why will with would you your yours am im ive dont cant please hi hello thanks thank'.split(
    ' ',
  ),
  ...'그 이 저 것 수 등 및 또는 그리고 하지만 그러나 있습니다 합니다 입니다 해요 있어요 안녕하세요 감사합니다 제가 저는 좀'.split(
    ' ',
  ),
]);

/**
 * Words that phrase a request rather than name its subject ("I need help to…", "could you tell me…",
 * "도와주세요"). Customer messages wrap every topic in them, so to an embedding without corpus statistics two
 * unrelated requests phrased alike look alike: the hashing embedder drops them as it drops function words.
 */
export const REQUEST_WORDS = new Set([
  ...'help helping assist assistance want wanna wanted need needed know like would could should tell let just really also some any yes ok okay hey possible way able trying try'.split(
    ' ',
  ),
  ...'도와주세요 도와줘요 알려주세요 알려줘요 싶어요 싶습니다 궁금해요 궁금합니다 부탁드립니다 부탁해요 어떻게'.split(' '),
]);

/** A word with a run of three or more digits: an order, account, phone or card number, never a topic. */
export function isIdentifierLike(word: string): boolean {
  return /\d{3,}/u.test(word);
}
