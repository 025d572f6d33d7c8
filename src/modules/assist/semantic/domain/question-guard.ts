/**
 * The guard of the semantic cache: two questions may be close in embedding space and still need different
 * answers ("I can log in" / "I can't log in", "refund order 1234" / "refund order 5678", "Premium plan" /
 * "Basic plan"). Embeddings blur exactly these differences, so they are compared symbolically. Pure.
 */

export type GuardDifference = 'negation' | 'numbers' | 'entities';

export interface GuardVerdict {
  /** True when no guarded difference was found: the cached answer may be reused. */
  safe: boolean;
  differences: GuardDifference[];
}

export interface QuestionFeatures {
  /** How many negations the question holds; "can't" and "cannot" count the same. */
  negations: number;
  /** Numbers and amounts, normalized ("1,000" and "1000" and "천" are one), sorted. */
  numbers: string[];
  /** Emails, product codes and order ids, and capitalized names, lower-cased. */
  entities: string[];
  /** Every lower-cased word, to tell a real difference from a casing difference. */
  words: Set<string>;
}

const ENGLISH_NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'without',
  'none',
  'nobody',
  'nothing',
  'nowhere',
  'neither',
  'nor',
  'cannot',
  'cant',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'wont',
  'wouldnt',
  'couldnt',
  'shouldnt',
  'hasnt',
  'havent',
  'hadnt',
  'aint',
  'mustnt',
  'neednt',
]);

// Korean negation: the short forms 안/못 stand before the verb as their own word (안 돼요, 못 받았어요) or
// fuse with 하다 (못해요); 않다 and 없다 only ever negate; 말다 negates commands (하지 마세요, 말고).
const KOREAN_NEGATIONS: RegExp[] = [
  /(^|\s)안(\s|$)/g,
  /(^|\s)못(\s|$)/g,
  /(^|\s)못(하|해|했|할|한)/g,
  /않/g,
  /없/g,
  /지\s*(마|말)/g,
  /(^|\s)말고(\s|$)/g,
];

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
  thousand: 1000,
  million: 1_000_000,
};

const KOREAN_UNITS: Record<string, number> = { 십: 10, 백: 100, 천: 1000, 만: 10_000, 억: 100_000_000 };

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
// A digit run, with thousands separators and decimals, optionally followed by a Korean unit (3만, 2천5백 is rare).
const NUMBER = /\d+(?:[.,]\d+)*\s*(?:[십백천만억])?/gu;
// Letters and digits mixed in one token (X200, SKU-1234, ORD_77, 2fa): product codes and order ids.
const CODE =
  /(?<![\p{L}\p{N}])(?=[\p{L}\p{N}_-]*\p{L})(?=[\p{L}\p{N}_-]*\p{N})[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+)*/gu;
const ORDER_ID = /#\s*[\p{L}\p{N}-]+/gu;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const SENTENCE_END = /[.!?。？！]\s*$/u;

export function questionFeatures(text: string): QuestionFeatures {
  const normalized = text.normalize('NFKC');
  const entities = new Set<string>();

  let rest = normalized.replace(EMAIL, (email) => {
    entities.add(email.toLowerCase());
    return ' ';
  });
  rest = rest.replace(ORDER_ID, (id) => {
    entities.add(id.replace(/\s/g, '').toLowerCase());
    return ' ';
  });
  rest = rest.replace(CODE, (code) => {
    // Numbers with a Korean counter or particle ("3만원", "2번") or an ordinal ("1st") are amounts, not codes.
    if (/^\d+(?:[.,]\d+)*(?:\p{Script=Hangul}+|st|nd|rd|th)$/iu.test(code)) return code;
    entities.add(code.replace(/[-_]/g, '').toLowerCase());
    return ' ';
  });

  const numbers: string[] = [];
  for (const match of rest.matchAll(NUMBER)) numbers.push(normalizeNumber(match[0]));

  const tokens = [...normalized.matchAll(WORD)].map((m) => ({ text: m[0], index: m.index ?? 0 }));
  let negations = 0;
  for (const [i, token] of tokens.entries()) {
    const lower = token.text.toLowerCase().replace(/['’]/g, '');
    if (ENGLISH_NEGATIONS.has(lower) || /n['’]t$/i.test(token.text)) negations += 1;
    const value = NUMBER_WORDS[lower];
    if (value !== undefined) numbers.push(String(value));
    // A capitalized word inside a sentence is likely a name; a sentence's first word tells nothing.
    const sentenceStart = i === 0 || SENTENCE_END.test(normalized.slice(0, token.index));
    if (!sentenceStart && /^\p{Lu}/u.test(token.text) && lower !== 'i') entities.add(lower);
  }
  for (const pattern of KOREAN_NEGATIONS) negations += [...normalized.matchAll(pattern)].length;

  return {
    negations,
    numbers: numbers.sort(),
    entities: [...entities].sort(),
    words: new Set(tokens.map((t) => t.text.toLowerCase())),
  };
}

function normalizeNumber(raw: string): string {
  const compact = raw.replace(/\s/g, '');
  const unit = KOREAN_UNITS[compact.slice(-1)];
  const digits = unit ? compact.slice(0, -1) : compact;
  // "1,000" is a thousands separator; "1,5" (decimal comma) is rare in support text and read the same way.
  const value = Number(digits.replace(/,/g, ''));
  if (!Number.isFinite(value)) return digits;
  return String(unit ? value * unit : value);
}

/** Compares two questions; the cached answer of `cached` may serve `incoming` only when the verdict is safe. */
export function compareQuestions(incoming: string, cached: string): GuardVerdict {
  return compareFeatures(questionFeatures(incoming), questionFeatures(cached));
}

export function compareFeatures(a: QuestionFeatures, b: QuestionFeatures): GuardVerdict {
  const differences: GuardDifference[] = [];
  if (a.negations !== b.negations) differences.push('negation');
  if (!sameList(a.numbers, b.numbers)) differences.push('numbers');
  // An entity counts as different only if the other question lacks the word altogether: "Netflix" and
  // "netflix" are one name written twice, "Premium" and "Basic" are two.
  const missing = (from: QuestionFeatures, other: QuestionFeatures) =>
    from.entities.some((entity) => !other.entities.includes(entity) && !other.words.has(entity));
  if (missing(a, b) || missing(b, a)) differences.push('entities');
  return { safe: differences.length === 0, differences };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
