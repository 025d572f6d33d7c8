import { dot, hashingEmbed } from './hashing-embedding';

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
});
