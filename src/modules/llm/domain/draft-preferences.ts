import type { TextLanguage } from './language';

export const DRAFT_TONES = ['friendly', 'formal', 'concise'] as const;
export type DraftTone = (typeof DRAFT_TONES)[number];

/** How an agent wants reply drafts written (their stored preferences). */
export interface DraftPreferences {
  /** Write drafts in this language instead of the customer's. */
  language?: TextLanguage;
  tone?: DraftTone;
  /** Ends every draft, as given. */
  signature?: string;
  /** The most words a draft may have, signature included. */
  maxWords?: number;
}

const WORD = /\S+/gu;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/** The text up to the end of its `max`-th word (whole words only), or the text itself when shorter. */
export function truncateWords(text: string, max: number): string {
  if (max <= 0) return '';
  let seen = 0;
  for (const match of text.matchAll(WORD)) {
    seen += 1;
    if (seen === max) {
      const end = match.index + match[0].length;
      return end < text.trimEnd().length ? text.slice(0, end) : text;
    }
  }
  return text;
}

/**
 * Makes a draft keep the agent's hard preferences whatever wrote it: at most `maxWords` words and the
 * signature at the end. Idempotent: a draft that already keeps them is returned unchanged.
 */
export function fitDraftToPreferences(text: string, preferences: DraftPreferences | undefined): string {
  if (!preferences) return text;
  const signature = preferences.signature?.trim() || undefined;
  const signed = !!signature && text.trimEnd().endsWith(signature);
  const body = signed ? text.trimEnd().slice(0, -signature.length) : text;
  const room = (preferences.maxWords ?? Infinity) - (signature ? countWords(signature) : 0);
  const fitted = Number.isFinite(room) ? truncateWords(body, Math.max(0, room)) : body;
  if (!signature) return fitted;
  if (signed && fitted === body) return text.trimEnd();
  return fitted.trim() ? `${fitted.trimEnd()}\n\n${signature}` : signature;
}

/**
 * `fitDraftToPreferences` for a draft that arrives token by token: `push` returns what may be sent now (a
 * prefix of the fitted draft, so nothing sent is ever taken back), `finish` the rest and the whole draft.
 * Trailing whitespace is held back until the next word shows the draft goes on.
 */
export class DraftFitter {
  private received = '';
  private sent = '';

  constructor(private readonly preferences: DraftPreferences | undefined) {}

  push(token: string): string {
    this.received += token;
    if (!this.preferences) return this.emit(this.received);
    const { maxWords, signature } = this.preferences;
    const room =
      maxWords === undefined ? Infinity : Math.max(0, maxWords - (signature ? countWords(signature) : 0));
    // A signature the model is writing itself is held back: it may or may not end the draft.
    const ready = Number.isFinite(room) ? truncateWords(this.received, room) : this.received;
    return this.emit(
      signature ? ready.slice(0, Math.max(this.sent.length, ready.length - signature.length)) : ready,
    );
  }

  finish(): { tail: string; text: string } {
    const text = fitDraftToPreferences(this.received, this.preferences);
    // Sent text is always a prefix of the fitted draft, but `done` carries the draft that counts anyway.
    return { tail: text.startsWith(this.sent) ? text.slice(this.sent.length) : '', text };
  }

  private emit(ready: string): string {
    const upTo = ready.trimEnd();
    if (upTo.length <= this.sent.length || !upTo.startsWith(this.sent)) return '';
    const out = upTo.slice(this.sent.length);
    this.sent = upTo;
    return out;
  }
}
