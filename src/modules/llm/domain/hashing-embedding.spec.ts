import { dot, hashingEmbed, l2Normalize } from './hashing-embedding';
import { isIdentifierLike, REQUEST_WORDS, STOPWORDS, words } from './text-features';

const embed = (text: string) => hashingEmbed(text, { dimension: 512 });

describe('hashingEmbed', () => {
  it('is deterministic and L2-normalized', () => {
    const a = embed('I was charged twice for my order');
    expect(Array.from(a)).toEqual(Array.from(embed('I was charged twice for my order')));
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(a).toHaveLength(512);
  });

  it('maps empty text to a zero vector instead of NaN', () => {
    expect(Array.from(embed('')).every((v) => v === 0)).toBe(true);
  });

  it.each([
    [
      'English',
      'How do I reset my password?',
      'I forgot my password and need to reset it',
      'My parcel arrived damaged',
    ],
    [
      'Korean',
      '비밀번호를 재설정하려면 어떻게 하나요?',
      '비밀번호를 잊어버려서 재설정이 필요합니다',
      '택배가 파손된 상태로 도착했어요',
    ],
  ])('ranks a %s paraphrase above an unrelated text', (_, query, paraphrase, unrelated) => {
    const q = embed(query);
    expect(dot(q, embed(paraphrase))).toBeGreaterThan(dot(q, embed(unrelated)) + 0.1);
  });

  it.each([
    ['English', 'I need help, could you tell me how to cancel order 113542617735902?', 'cancel order'],
    ['Korean', '주문 123456789 취소 방법을 알려주세요', '주문 취소 방법을'],
  ])('embeds a %s request as its subject: request words and identifiers carry no topic', (_, request, subject) => {
    expect(Array.from(embed(request))).toEqual(Array.from(embed(subject)));
  });

  it('ranks two requests on one subject above two subjects phrased alike', () => {
    // Without IDF, shared phrasing ("I need help to … my order") outweighed the subject that differs.
    const cancel = embed('I need help to cancel my order 4411');
    expect(dot(cancel, embed('cancelling an order'))).toBeGreaterThan(
      dot(cancel, embed('I need help to track my order 5512')),
    );
  });

  it('still embeds a text made only of identifiers (nothing else to go by)', () => {
    const id = embed('12345678');
    expect(dot(id, id)).toBeCloseTo(1, 5);
    expect(dot(id, embed('12345678?'))).toBeCloseTo(1, 5);
  });
});

/** The embedding as first written: features counted by their text. The typed-array counting must match it. */
function referenceEmbed(text: string, dimension: number): Float32Array {
  const fnv = (s: string, seed: number) => {
    let h = seed;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const all = words(text);
  const content = all.filter((w) => !STOPWORDS.has(w) && !REQUEST_WORDS.has(w) && !isIdentifierLike(w));
  const tokens = content.length > 0 ? content : all;
  const wordCounts = new Map<string, number>();
  const charCounts = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  tokens.forEach((word, i) => {
    add(wordCounts, `w:${word}`);
    if (i > 0) add(wordCounts, `b:${tokens[i - 1]} ${word}`);
    const chars = Array.from(` ${word} `);
    for (let n = 2; n <= 5; n++)
      for (let start = 0; start + n <= chars.length; start++)
        add(charCounts, chars.slice(start, start + n).join(''));
  });
  const vector = new Float32Array(dimension);
  for (const [counts, weight] of [
    [wordCounts, 0.3],
    [charCounts, 0.7],
  ] as const) {
    if (counts.size === 0) continue;
    const entries = [...counts].map(([f, tf]) => ({
      index: fnv(f, 0x811c9dc5) % dimension,
      value: (1 + Math.log(tf)) * ((fnv(f, 0x9747b28c) & 1) === 1 ? 1 : -1),
    }));
    const scale = weight / Math.sqrt(entries.reduce((s, e) => s + e.value * e.value, 0));
    for (const e of entries) vector[e.index] += e.value * scale;
  }
  return l2Normalize(vector);
}

describe('hashingEmbed counting by hashes', () => {
  const long = Array.from({ length: 600 }, (_, i) => `word${i} 단어${i}`).join(' ');
  it.each([
    ['English', 'The CSV export fails with a timeout on large reports, again and again and again.'],
    [
      'Korean',
      '주문한 상품이 일주일째 배송 준비 중으로 표시됩니다. 비밀번호 재설정 메일이 도착하지 않습니다.',
    ],
    ['astral characters and short words', 'a I 😀 emoji 𝒳𝒳𝒳 test 비 밀 x y z'],
    ['more features than the initial tables hold', long],
  ])('gives exactly the vector of counting feature strings (%s)', (_, text) => {
    for (const dimension of [64, 384]) {
      expect(Array.from(hashingEmbed(text, { dimension }))).toEqual(
        Array.from(referenceEmbed(text, dimension)),
      );
    }
  });

  it('does not carry counts from one call into the next', () => {
    const first = Array.from(embed('refund for a double charge'));
    embed('completely different words about shipping delays');
    expect(Array.from(embed('refund for a double charge'))).toEqual(first);
  });
});
