/**
 * Replaces personal identifiers in another customer's text with typed placeholders before it reaches a
 * prompt or a draft: e-mail addresses, phone numbers, card-like numbers (and a card's named last digits),
 * account and order-like numbers, and URLs that carry a token. Korean particles may follow an identifier
 * directly ("#A12345이고"): boundaries are ASCII letters and digits only. Conservative on purpose: a number mistaken for an identifier costs a detail
 * of a similar case, a missed one leaks a customer's data. Identifiers listed in `keep` (the open ticket's
 * own) stay as they are. Pure and idempotent: placeholders never match again.
 */
export type IdentifierKind = 'url' | 'email' | 'card-number' | 'phone' | 'account-number' | 'order-number';

interface Rule {
  kind: IdentifierKind;
  pattern: RegExp;
  /** The part of a match to replace (default: all of it), or undefined to leave the match alone. */
  pick?: (match: RegExpExecArray) => { start: number; text: string } | undefined;
}

const DIGITS = /\d/g;
const digitCount = (text: string) => text.match(DIGITS)?.length ?? 0;
const ISO_DATE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}/;

const RULES: Rule[] = [
  {
    kind: 'url',
    pattern: /\bhttps?:\/\/[^\s<>"'`)\]]+/giu,
    // A plain link (a help page) stays; one with a query, a fragment or a long opaque segment is personal.
    pick: (m) => (/[?#&=]|\/[A-Za-z0-9_-]{16,}/.test(m[0]) ? { start: m.index, text: m[0] } : undefined),
  },
  { kind: 'email', pattern: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu },
  {
    kind: 'account-number',
    pattern:
      /(?:account|acct|iban|계좌|계정)(?:\s*(?:number|no\.?|#|번호))?\s*[:#]?\s*([A-Za-z]{0,4}[-]?\d[\d-]{3,}[A-Za-z0-9]*)/giu,
    pick: (m) => ({ start: m.index + m[0].length - m[1].length, text: m[1] }),
  },
  {
    kind: 'card-number',
    pattern:
      /(?<![A-Za-z0-9])(?:\d{4}[ -]){3}\d{1,7}(?![A-Za-z0-9])|(?<![A-Za-z0-9])\d{4}[ -]\d{6}[ -]\d{5}(?![A-Za-z0-9])|(?<![A-Za-z0-9-])\d{13,19}(?![A-Za-z0-9])/gu,
  },
  {
    // The last digits of a card, named as such: "card ending in 4821", "끝자리 4821 카드".
    kind: 'card-number',
    pattern: /(?:ending(?:\s+(?:in|with))?|last\s+(?:4|four)(?:\s+digits)?|끝자리(?:는|가)?)\s*[:#]?\s*(\d{4})(?![0-9])/giu,
    pick: (m) => ({ start: m.index + m[0].length - m[1].length, text: m[1] }),
  },
  {
    kind: 'phone',
    pattern:
      /(?<![A-Za-z0-9])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{3,4}){1,2}(?![A-Za-z0-9])/gu,
    pick: (m) => {
      const digits = digitCount(m[0]);
      const separated = /[\s.()+-]/.test(m[0]);
      if (ISO_DATE.test(m[0]) || digits < 9 || digits > 15) return undefined;
      // Unseparated digits are a phone number only in the shape of one (01012345678); else an order number.
      if (!separated && !/^0\d{9,10}$/.test(m[0])) return undefined;
      return { start: m.index, text: m[0] };
    },
  },
  {
    kind: 'order-number',
    pattern: /(?<![A-Za-z0-9])#?[A-Za-z]{0,8}[-_]?\d[A-Za-z0-9-]*(?![A-Za-z0-9])/gu,
    pick: (m) => {
      const token = m[0].replace(/-+$/, '');
      const digits = digitCount(token);
      const letters = /[A-Za-z]/.test(token);
      if (ISO_DATE.test(token) || !(digits >= 5 || (digits >= 4 && letters))) return undefined;
      return { start: m.index, text: token };
    },
  },
];

/** The identifiers in a text (for `keep`: the open ticket's own). */
export function findIdentifiers(text: string): Array<{ kind: IdentifierKind; text: string }> {
  const found: Array<{ kind: IdentifierKind; text: string }> = [];
  redact(text, new Set(), (kind, value) => found.push({ kind, text: value }));
  return found;
}

export function redactIdentifiers(text: string, options: { keep?: ReadonlySet<string> } = {}): string {
  return redact(text, options.keep ?? new Set(), () => undefined);
}

/** The identifiers of a text, as a `keep` set for `redactIdentifiers`. */
export function identifierSet(text: string | undefined): ReadonlySet<string> {
  return new Set(text ? findIdentifiers(text).map((i) => normalized(i.text)) : []);
}

/**
 * Rules run in order over the original text; a span claimed by an earlier rule (replaced, or kept as the
 * open ticket's own) is never matched again, so "?token=0123456789" inside a URL is never a phone number.
 */
function redact(
  text: string,
  keep: ReadonlySet<string>,
  onFound: (kind: IdentifierKind, value: string) => void,
): string {
  const claimed: Array<{ start: number; end: number; kind: IdentifierKind; kept: boolean }> = [];
  const overlaps = (start: number, end: number) => claimed.some((c) => start < c.end && c.start < end);
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const picked = rule.pick ? rule.pick(match as RegExpExecArray) : { start: match.index, text: match[0] };
      if (!picked) continue;
      const end = picked.start + picked.text.length;
      if (overlaps(picked.start, end)) continue;
      onFound(rule.kind, picked.text);
      claimed.push({ start: picked.start, end, kind: rule.kind, kept: keep.has(normalized(picked.text)) });
    }
  }
  let out = '';
  let last = 0;
  for (const span of claimed.sort((a, b) => a.start - b.start)) {
    if (span.kept) continue;
    out += `${text.slice(last, span.start)}[${span.kind}]`;
    last = span.end;
  }
  return out + text.slice(last);
}

/** Compares identifiers without case or separators: "ORD 123-45" is "ord12345". */
function normalized(identifier: string): string {
  return identifier.toLowerCase().replace(/[\s().-]/g, '');
}
