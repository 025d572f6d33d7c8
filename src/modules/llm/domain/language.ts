export type TextLanguage = 'ko' | 'en';

const HANGUL = /[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]/gu;
const LATIN = /[a-z]/giu;

/** Korean when Hangul makes up a real share of the letters; product names in Latin script don't flip it. */
export function detectLanguage(text: string): TextLanguage {
  const hangul = text.match(HANGUL)?.length ?? 0;
  if (hangul === 0) return 'en';
  const latin = text.match(LATIN)?.length ?? 0;
  // A Hangul syllable carries about three Latin letters' worth of text.
  return hangul * 3 >= latin * 0.5 ? 'ko' : 'en';
}
