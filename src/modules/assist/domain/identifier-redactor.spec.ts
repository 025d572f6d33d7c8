import fc from 'fast-check';
import { identifierSet, redactIdentifiers } from './identifier-redactor';

describe('redactIdentifiers', () => {
  it.each([
    [
      'I returned order ORD-4521873. Mail me at jo.smith+x@mail65.example.com or +1 (415) 442-5721; card 4928 1112 5709 5669.',
      'I returned order [order-number]. Mail me at [email] or [phone]; card [card-number].',
    ],
    [
      '주문 ORD-1234567 반품했어요. 연락처는 010-5056-4484, 이메일은 김민수@메일.example.com 입니다. 카드 4515548873620792 로 결제.',
      '주문 [order-number] 반품했어요. 연락처는 [phone], 이메일은 [email] 입니다. 카드 [card-number] 로 결제.',
    ],
    ['Track it at https://shop.example.com/track?token=123456ab12345678 today', 'Track it at [url] today'],
    [
      'Account number: 12-345678-90 and 계좌번호 110-234-567890',
      'Account number: [account-number] and 계좌번호 [account-number]',
    ],
    [
      'Order #123456 and 주문번호 20240512345 were merged; call 01012345678',
      'Order [order-number] and 주문번호 [order-number] were merged; call [phone]',
    ],
    [
      'The order number is #A12345 and I paid with a credit card ending in 4821.',
      'The order number is [order-number] and I paid with a credit card ending in [card-number].',
    ],
    [
      '주문번호는 #K54321이고 끝자리 4821 카드로 결제했습니다. 010-1234-5678로 연락 주세요.',
      '주문번호는 [order-number]이고 끝자리 [card-number] 카드로 결제했습니다. [phone]로 연락 주세요.',
    ],
  ])('replaces identifiers with typed placeholders: %s', (text, expected) => {
    expect(redactIdentifiers(text)).toBe(expected);
  });

  it('leaves what identifies no one: durations, dates, versions, short codes, help links', () => {
    const text =
      'Refunds take 5-7 business days after 2024-05-01 (10:30). Update to 2.1.4, error E401, 20% off. See https://help.example.com/refunds';
    expect(redactIdentifiers(text)).toBe(text);
  });

  it('keeps the open ticket’s own identifiers', () => {
    const keep = identifierSet('My order ORD-4521873, mail me at me@example.com');
    expect(
      redactIdentifiers('Order ORD-4521873 for me@example.com, not ORD-9999999 of x@example.com', { keep }),
    ).toBe('Order ORD-4521873 for me@example.com, not [order-number] of [email]');
  });

  const email = fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9._]{1,10}[a-z0-9]$/),
      fc.stringMatching(/^[a-z]{2,8}$/),
      fc.constantFrom('com', 'co.kr', 'io'),
    )
    .map(([user, host, tld]) => `${user}@${host}.${tld}`);
  const digits = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  const phone = fc.oneof(
    fc.tuple(digits(4), digits(4)).map(([a, b]) => `010-${a}-${b}`),
    fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `+1 (${a}) ${b}-${c}`),
    fc.tuple(digits(2), digits(4), digits(4)).map(([a, b, c]) => `+82 ${a} ${b} ${c}`),
  );
  const card = fc
    .tuple(digits(4), digits(4), digits(4), digits(4))
    .map((g) => g.join(fc.sample(fc.constantFrom(' ', '-', ''), 1)[0]));
  const order = fc.tuple(fc.constantFrom('ORD-', '#', 'A', 'KR', ''), digits(7)).map(([p, d]) => `${p}${d}`);
  const url = fc
    .tuple(fc.stringMatching(/^[a-z]{3,8}$/), digits(10))
    .map(([h, t]) => `https://${h}.example.com/track?token=${t}`);
  const identifier = fc.oneof(email, phone, card, order, url);
  const filler = fc.constantFrom(
    'Please check',
    'the refund for',
    '환불 관련해서',
    '연락 주세요',
    'and write to',
    'or call',
    '5-7 business days',
    'thanks!',
  );

  it('property: no generated identifier survives, in any mix of English and Korean text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, identifier), { minLength: 1, maxLength: 8 }), (parts) => {
        const text = parts.map(([words, id]) => `${words} ${id}`).join(' ');
        const redacted = redactIdentifiers(text);
        for (const [, id] of parts) expect(redacted).not.toContain(id);
      }),
    );
  });

  it('property: kept identifiers stay, others go, and redaction is idempotent', () => {
    fc.assert(
      fc.property(identifier, fc.array(identifier, { minLength: 1, maxLength: 5 }), (own, others) => {
        fc.pre(others.every((o) => o !== own && !o.includes(own) && !own.includes(o)));
        const text = [`mine: ${own}.`, ...others.map((o) => `theirs: ${o}.`)].join(' ');
        const redacted = redactIdentifiers(text, { keep: identifierSet(`My ticket mentions ${own} here.`) });
        expect(redacted).toContain(own);
        for (const o of others) expect(redacted).not.toContain(o);
        expect(redactIdentifiers(redacted)).toBe(redactIdentifiers(redactIdentifiers(text)));
      }),
    );
  });
});
