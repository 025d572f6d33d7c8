import type { ArticleDto } from '../../modules/tickets/dto/article.dto';
import type { ConversationMessageDto, TicketDto } from '../../modules/tickets/dto/ticket.dto';
import type { TicketPriority, TicketStatus } from '../../modules/tickets/dto/validators';
import {
  ARTICLE_CLOSINGS,
  GENERIC_AGENT,
  GENERIC_SENTENCES,
  Language,
  SLOTS,
  SUPPORT_TOPICS,
  SupportTopic,
  TopicText,
} from './support-topics';

/**
 * Deterministic helpdesk data: tickets and KB articles in English and Korean over the topic clusters of
 * support-topics.ts. Item i depends only on (seed, i), so any slice can be produced alone, in any order, and
 * generators stream: 200k tickets never sit in memory.
 */
export interface SupportDataOptions {
  /** Same seed, same data. */
  seed?: number;
  /** Share of Korean items, 0..1. */
  koreanRatio?: number;
  /** created_at is spread uniformly over [from, to). */
  from?: string;
  to?: string;
  /** ticket_id = `${idPrefix}${index + 1}` (article ids use `KB-`). */
  idPrefix?: string;
  /** Use only the first n topic clusters. */
  topics?: number;
}

export interface GeneratedTicket {
  ticket: TicketDto;
  /** The topic cluster the ticket was drawn from (ground truth for retrieval and clustering evals). */
  topic: string;
  language: Language;
}

export interface GeneratedArticle {
  article: ArticleDto;
  topic: string;
  language: Language;
}

type Random = () => number;

const DEFAULTS = {
  seed: 42,
  koreanRatio: 0.3,
  from: '2024-01-01T00:00:00Z',
  to: '2025-01-01T00:00:00Z',
  idPrefix: 'T-',
};

const STATUS_WEIGHTS: Array<[TicketStatus, number]> = [
  ['open', 25],
  ['pending', 15],
  ['resolved', 45],
  ['closed', 15],
];
const CHANNEL_TAGS = ['email', 'chat', 'phone', 'web-form'];
const MONTHS: Record<Language, string[]> = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  ko: ['1월', '2월', '3월', '4월', '5월', '6월', '7월', '8월', '9월', '10월', '11월', '12월'],
};
const MINUTE = 60_000;

/** mulberry32: tiny, fast, good enough for test data. */
export function seededRandom(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One independent stream per (seed, kind, index): a splitmix-style hash of the three. */
function itemRandom(seed: number, kind: number, index: number): Random {
  let h =
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(kind, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return seededRandom(h ^ (h >>> 16));
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

function weighted<T>(random: Random, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * total;
  for (const [item, w] of items) {
    roll -= w;
    if (roll < 0) return item;
  }
  return items[items.length - 1][0];
}

/** k distinct items in a random order. */
function sample<T>(random: Random, items: readonly T[], k: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, Math.min(k, copy.length));
}

function resolved(
  options: SupportDataOptions,
): Required<Omit<SupportDataOptions, 'topics'>> & { topics: SupportTopic[] } {
  const ratio = options.koreanRatio ?? DEFAULTS.koreanRatio;
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`koreanRatio must be within 0..1, got ${ratio}`);
  const count = options.topics ?? SUPPORT_TOPICS.length;
  if (!Number.isInteger(count) || count < 1 || count > SUPPORT_TOPICS.length) {
    throw new Error(`topics must be an integer within 1..${SUPPORT_TOPICS.length}, got ${count}`);
  }
  const from = options.from ?? DEFAULTS.from;
  const to = options.to ?? DEFAULTS.to;
  if (!(Date.parse(to) > Date.parse(from)))
    throw new Error(`the date range ${from} .. ${to} is empty or invalid`);
  return {
    seed: options.seed ?? DEFAULTS.seed,
    koreanRatio: ratio,
    from,
    to,
    idPrefix: options.idPrefix ?? DEFAULTS.idPrefix,
    topics: SUPPORT_TOPICS.slice(0, count),
  };
}

/** Korean particle pairs: [after a final consonant, after a vowel]. */
const PARTICLES: Record<string, [string, string]> = {
  을: ['을', '를'],
  를: ['을', '를'],
  은: ['은', '는'],
  는: ['은', '는'],
  이: ['이', '가'],
  가: ['이', '가'],
  과: ['과', '와'],
  와: ['과', '와'],
};
// Digits read 영 일 이 삼 사 오 육 칠 팔 구: these end in a consonant.
const CONSONANT_DIGITS = new Set(['0', '1', '3', '6', '7', '8']);

function endsInConsonant(word: string): boolean {
  const last = word.trim().slice(-1);
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) return (code - 0xac00) % 28 !== 0;
  return CONSONANT_DIGITS.has(last);
}

/**
 * Replaces every {slot} with a value (fixed per-ticket values first, else a draw from SLOTS); in Korean the
 * particle right after a slot (을/를, 이/가, …) is matched to the value's last syllable.
 */
function fill(template: string, language: Language, random: Random, fixed: Record<string, string>): string {
  return template.replace(
    /\{(\w+)\}(?:(을|를|은|는|이|가|과|와)(?=[\s.,!?]|$))?/g,
    (_, slot: string, particle?: string) => {
      const list = SLOTS[language][slot];
      const value = fixed[slot] ?? (list ? pick(random, list) : undefined);
      if (value === undefined) throw new Error(`unknown placeholder {${slot}}`);
      if (!particle) return value;
      const [afterConsonant, afterVowel] = PARTICLES[particle];
      return value + (endsInConsonant(value) ? afterConsonant : afterVowel);
    },
  );
}

/** Values that stay the same throughout one ticket (its order number is the same in every message). */
function ticketSlots(random: Random, language: Language): Record<string, string> {
  const amount = between(random, 9, 480) + (language === 'en' ? between(random, 0, 99) / 100 : 0);
  return {
    order: `#${String.fromCharCode(65 + between(random, 0, 25))}${between(random, 10_000, 99_999)}`,
    days: String(between(random, 3, 21)),
    amount: language === 'en' ? `$${amount.toFixed(2)}` : `${(amount * 1_000).toLocaleString('en-US')}원`,
    last4: String(between(random, 1000, 9999)),
    promo: `SAVE${between(random, 10, 30)}${pick(random, ['SPRING', 'VIP', 'WELCOME', 'FALL'])}`,
    month: pick(random, MONTHS[language]),
    product: pick(random, SLOTS[language].product),
    carrier: pick(random, SLOTS[language].carrier),
    plan: pick(random, SLOTS[language].plan),
    city: pick(random, SLOTS[language].city),
    device: pick(random, SLOTS[language].device),
  };
}

function chooseTopic(random: Random, topics: SupportTopic[]): SupportTopic {
  return weighted(
    random,
    topics.map((t) => [t, t.weight] as const),
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function description(
  random: Random,
  text: TopicText,
  language: Language,
  slots: Record<string, string>,
): string {
  const own = sample(random, text.sentences, between(random, 1, 5));
  // One ticket in three carries a generic sentence (politeness, urgency) like real ones do.
  if (random() < 0.33) own.push(pick(random, GENERIC_SENTENCES[language]));
  return own.map((s) => fill(s, language, random, slots)).join(' ');
}

function conversation(input: {
  random: Random;
  text: TopicText;
  language: Language;
  slots: Record<string, string>;
  status: TicketStatus;
  startMs: number;
}): ConversationMessageDto[] {
  const { random, text, language, slots, status, startMs } = input;
  const settled = status === 'resolved' || status === 'closed';
  // Settled tickets need at least the resolving agent reply; open ones may still be untouched.
  let turns = settled ? between(random, 1, 6) : between(random, 0, 5);
  if (settled && turns === 1 && random() < 0.7) turns = 2;
  const messages: ConversationMessageDto[] = [];
  let at = startMs;
  for (let i = 0; i < turns; i += 1) {
    const last = i === turns - 1;
    // Alternate starting with the customer's message; a settled ticket ends on the agent's resolution.
    const fromAgent = settled ? (turns - 1 - i) % 2 === 0 : i % 2 === 1;
    at += between(random, 5, fromAgent ? 600 : 1_800) * MINUTE;
    let body: string;
    if (fromAgent && settled && last) body = pick(random, text.resolutions);
    else if (fromAgent)
      body = random() < 0.3 ? pick(random, GENERIC_AGENT[language]) : pick(random, text.agentQuestions);
    else body = random() < 0.6 ? pick(random, text.customerFollowUps) : pick(random, text.sentences);
    messages.push({
      from: fromAgent ? 'agent' : 'customer',
      body: fill(body, language, random, slots),
      created_at: iso(at),
    });
  }
  return messages;
}

/** Ticket number `index` (0-based) of the stream described by the options. */
export function generateTicketAt(index: number, options: SupportDataOptions = {}): GeneratedTicket {
  const o = resolved(options);
  const random = itemRandom(o.seed, 1, index);
  const topic = chooseTopic(random, o.topics);
  const language: Language = random() < o.koreanRatio ? 'ko' : 'en';
  const text = topic[language];
  const slots = ticketSlots(random, language);
  const status = weighted(random, STATUS_WEIGHTS);
  const urgent = random() < topic.urgency;
  const priority: TicketPriority = urgent
    ? random() < 0.25
      ? 'urgent'
      : 'high'
    : random() < 0.35
      ? 'low'
      : 'medium';
  const fromMs = Date.parse(o.from);
  const createdMs = fromMs + Math.floor((random() * (Date.parse(o.to) - fromMs)) / 1000) * 1000;
  const conversations = conversation({ random, text, language, slots, status, startMs: createdMs });
  const tags = [
    ...sample(random, topic.tags, between(random, 1, topic.tags.length)),
    pick(random, CHANNEL_TAGS),
  ];
  const ticket: TicketDto = {
    ticket_id: `${o.idPrefix}${index + 1}`,
    subject: fill(pick(random, text.subjects), language, random, slots),
    description: description(random, text, language, slots),
    status,
    priority,
    tags,
    created_at: iso(createdMs),
    updated_at: iso(
      conversations.length > 0 ? Date.parse(conversations[conversations.length - 1].created_at) : createdMs,
    ),
    conversations,
  };
  return { ticket, topic: topic.key, language };
}

/** Article number `index` (0-based): topics in turn, so every cluster has articles from the first few. */
export function generateArticleAt(index: number, options: SupportDataOptions = {}): GeneratedArticle {
  const o = resolved(options);
  const random = itemRandom(o.seed, 2, index);
  const topic = o.topics[index % o.topics.length];
  const language: Language = random() < o.koreanRatio ? 'ko' : 'en';
  const text = topic[language];
  const slots = ticketSlots(random, language);
  const paragraphs = sample(
    random,
    text.articleParagraphs,
    between(random, Math.min(3, text.articleParagraphs.length), text.articleParagraphs.length),
  );
  paragraphs.push(pick(random, ARTICLE_CLOSINGS[language]));
  const fromMs = Date.parse(o.from);
  const round = Math.floor(index / o.topics.length);
  const title = pick(random, text.articleTitles);
  const article: ArticleDto = {
    article_id: `KB-${index + 1}`,
    // Later rounds of the same topic are distinct articles, so their titles say so.
    title: round === 0 ? title : `${title} (${round + 1})`,
    body: paragraphs.map((p) => fill(p, language, random, slots)).join('\n\n'),
    category: topic.category,
    tags: topic.tags.slice(0, 2),
    updated_at: iso(fromMs + Math.floor((random() * (Date.parse(o.to) - fromMs)) / 1000) * 1000),
  };
  return { article, topic: topic.key, language };
}

/** Streams `count` tickets starting at `start` (labelled with topic and language). */
export function* generateLabeledTickets(
  count: number,
  options: SupportDataOptions & { start?: number } = {},
): Generator<GeneratedTicket> {
  const start = options.start ?? 0;
  for (let i = start; i < start + count; i += 1) yield generateTicketAt(i, options);
}

export function* generateTickets(
  count: number,
  options: SupportDataOptions & { start?: number } = {},
): Generator<TicketDto> {
  for (const item of generateLabeledTickets(count, options)) yield item.ticket;
}

export function* generateArticles(count: number, options: SupportDataOptions = {}): Generator<ArticleDto> {
  for (let i = 0; i < count; i += 1) yield generateArticleAt(i, options).article;
}

/** Groups a stream into arrays of `size` (e.g. 1000-ticket PUT bodies) without materialising the stream. */
export function* inBatches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export const SUPPORT_TOPIC_KEYS = SUPPORT_TOPICS.map((t) => t.key);
