import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ArticleDto } from '../../modules/tickets/dto/article.dto';
import { TicketDto } from '../../modules/tickets/dto/ticket.dto';
import { parseTicketLine } from '../import-lines';
import {
  generateArticleAt,
  generateArticles,
  generateLabeledTickets,
  generateTicketAt,
  generateTickets,
  inBatches,
  SUPPORT_TOPIC_KEYS,
} from './support-data.generator';

const HANGUL = /[\uac00-\ud7a3]/;
const sentences = (text: string) => text.split(/(?<=[.?!])\s+/).filter(Boolean);

describe('support data generator', () => {
  const sampleTickets = [...generateLabeledTickets(2_000, { seed: 7 })];

  it('is deterministic per seed and index, and a slice equals the same part of the full stream', () => {
    expect([...generateTickets(50, { seed: 7 })]).toEqual(sampleTickets.slice(0, 50).map((t) => t.ticket));
    expect([...generateTickets(10, { seed: 7, start: 100 })]).toEqual(
      sampleTickets.slice(100, 110).map((t) => t.ticket),
    );
    expect(generateTicketAt(3, { seed: 8 })).not.toEqual(generateTicketAt(3, { seed: 7 }));
    expect(generateArticleAt(5, { seed: 1 })).toEqual(generateArticleAt(5, { seed: 1 }));
  });

  it('produces tickets the API accepts (TicketDto validation and the import line parser)', async () => {
    for (const { ticket } of sampleTickets.slice(0, 300)) {
      const errors = await validate(plainToInstance(TicketDto, ticket), {
        whitelist: true,
        forbidNonWhitelisted: true,
      });
      expect(errors).toEqual([]);
    }
    const parsed = await parseTicketLine(JSON.stringify(sampleTickets[0].ticket), 'tickets');
    expect(parsed.errors).toBeUndefined();
  });

  it('produces articles the API accepts, several paragraphs each, one per topic first', async () => {
    const articles = [...generateArticles(SUPPORT_TOPIC_KEYS.length * 2, { seed: 3 })];
    for (const article of articles) {
      expect(
        await validate(plainToInstance(ArticleDto, article), { whitelist: true, forbidNonWhitelisted: true }),
      ).toEqual([]);
      expect(article.body.split('\n\n').length).toBeGreaterThanOrEqual(3);
    }
    const firstRound = SUPPORT_TOPIC_KEYS.map((_, i) => generateArticleAt(i, { seed: 3 }).topic);
    expect(firstRound).toEqual(SUPPORT_TOPIC_KEYS);
    expect(new Set(articles.map((a) => a.article_id)).size).toBe(articles.length);
  });

  it('spreads tickets over 12-20 topic clusters, both languages near the ratio, and every status', () => {
    expect(SUPPORT_TOPIC_KEYS.length).toBeGreaterThanOrEqual(12);
    expect(SUPPORT_TOPIC_KEYS.length).toBeLessThanOrEqual(20);
    expect(new Set(sampleTickets.map((t) => t.topic))).toEqual(new Set(SUPPORT_TOPIC_KEYS));
    const korean = sampleTickets.filter((t) => t.language === 'ko');
    expect(korean.length / sampleTickets.length).toBeGreaterThan(0.25);
    expect(korean.length / sampleTickets.length).toBeLessThan(0.35);
    expect(korean.every((t) => HANGUL.test(t.ticket.subject))).toBe(true);
    expect(
      sampleTickets.filter((t) => t.language === 'en').some((t) => HANGUL.test(JSON.stringify(t.ticket))),
    ).toBe(false);
    expect(new Set(sampleTickets.map((t) => t.ticket.status))).toEqual(
      new Set(['open', 'pending', 'resolved', 'closed']),
    );
    expect(new Set(sampleTickets.map((t) => t.ticket.priority))).toEqual(
      new Set(['low', 'medium', 'high', 'urgent']),
    );
    const englishOnly = [...generateLabeledTickets(200, { koreanRatio: 0 })];
    expect(englishOnly.every((t) => t.language === 'en')).toBe(true);
  });

  it('has realistic lengths: subjects of 4-12 words, 1-6 description sentences, 0-6 turns', () => {
    for (const { ticket, language } of sampleTickets) {
      const words = ticket.subject.split(/\s+/).length;
      if (language === 'en') {
        expect(words).toBeGreaterThanOrEqual(4);
        expect(words).toBeLessThanOrEqual(12);
      }
      expect(sentences(ticket.description!).length).toBeGreaterThanOrEqual(1);
      expect(sentences(ticket.description!).length).toBeLessThanOrEqual(6);
      expect(ticket.conversations!.length).toBeLessThanOrEqual(6);
      expect(JSON.stringify(ticket)).not.toMatch(/\{\w+\}/);
    }
    expect(new Set(sampleTickets.map((t) => t.ticket.conversations!.length))).toEqual(
      new Set([0, 1, 2, 3, 4, 5, 6]),
    );
  });

  it('ends every resolved or closed ticket on an agent reply, with times in order inside the date range', () => {
    const from = Date.parse('2024-03-01T00:00:00Z');
    const to = Date.parse('2024-04-01T00:00:00Z');
    for (const { ticket } of generateLabeledTickets(500, {
      from: '2024-03-01T00:00:00Z',
      to: '2024-04-01T00:00:00Z',
    })) {
      const created = Date.parse(ticket.created_at);
      expect(created).toBeGreaterThanOrEqual(from);
      expect(created).toBeLessThan(to);
      const turns = ticket.conversations!;
      if (ticket.status === 'resolved' || ticket.status === 'closed') {
        expect(turns.length).toBeGreaterThanOrEqual(1);
        expect(turns[turns.length - 1].from).toBe('agent');
      }
      const times = [created, ...turns.map((m) => Date.parse(m.created_at))];
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(ticket.updated_at).toBe(
        turns.length > 0 ? turns[turns.length - 1].created_at : ticket.created_at,
      );
    }
  });

  it('matches Korean particles to the word before them', () => {
    const korean = sampleTickets.filter((t) => t.language === 'ko').map((t) => JSON.stringify(t.ticket));
    const text = korean.join('\n');
    expect(text).not.toMatch(/매트을|에어프라이어을|백팩를|워치을|그라인더을|조명를/);
    expect(text).toMatch(/(매트|에어프라이어|그라인더|워치)를|(백팩|조명|이어폰)을/);
  });

  it('streams lazily and batches without materialising the stream', () => {
    const stream = generateTickets(Number.MAX_SAFE_INTEGER);
    expect(stream.next().value).toMatchObject({ ticket_id: 'T-1' });
    const batches = [...inBatches(generateTickets(2_500, { idPrefix: 'X-' }), 1_000)];
    expect(batches.map((b) => b.length)).toEqual([1_000, 1_000, 500]);
    expect(batches[2][499].ticket_id).toBe('X-2500');
  });

  it('rejects options that cannot produce data', () => {
    expect(() => generateTicketAt(0, { koreanRatio: 1.5 })).toThrow(/koreanRatio/);
    expect(() => generateTicketAt(0, { topics: 0 })).toThrow(/topics/);
    expect(() => generateTicketAt(0, { from: '2025-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' })).toThrow(
      /date range/,
    );
  });
});
