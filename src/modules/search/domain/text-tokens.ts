/**
 * Tokens for lexical search. Words of space-delimited scripts are lower-cased whole; runs of Hangul,
 * kana and Han characters become overlapping character bigrams, since Korean attaches particles to
 * words ("로그인이") and has no dictionary here: bigrams still match "로그인" inside it.
 */
const WORD = /[\p{L}\p{N}]+/gu;
const CJK = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const STOPWORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'that',
  'the',
  'this',
  'to',
  'was',
  'with',
]);

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    splitScripts(match[0], tokens);
  }
  return tokens;
}

function splitScripts(word: string, out: string[]): void {
  let run = '';
  let runIsCjk = false;
  const flush = () => {
    if (run.length === 0) return;
    if (runIsCjk) pushBigrams(run, out);
    else if (!STOPWORDS.has(run)) out.push(run);
    run = '';
  };
  for (const char of word) {
    const isCjk = CJK.test(char);
    if (run.length > 0 && isCjk !== runIsCjk) flush();
    runIsCjk = isCjk;
    run += char;
  }
  flush();
}

function pushBigrams(run: string, out: string[]): void {
  const chars = [...run];
  if (chars.length === 1) {
    out.push(chars[0]);
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
}
