import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { generateTicketAt } from '../../src/cli/generate/support-data.generator';
import type { TicketDto } from '../../src/modules/tickets/dto/ticket.dto';
import { articleFactory, ticketFactory } from '../factories/ticket.factory';
import { FakeOpenAiServer } from '../fakes/openai.fake-server';
import { readEventStream } from '../support/event-stream';
import { mulberry32 } from '../support/seeded-random';
import { waitFor } from '../support/wait-for';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

/**
 * Answers an agent can trust, in both model modes: every [n] resolves to sources[n-1], no other customer's
 * identifiers reach a draft or a prompt, follow-ups see the previous turns, and agent preferences shape drafts.
 */

const citations = (text: string): number[] => [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));

/** Every [n] of a text resolves to sources[n-1], and sources are numbered 1..n in order. */
function expectValidCitations(text: string, sources: Array<{ ref: number }>): void {
  sources.forEach((s, i) => expect(s.ref).toBe(i + 1));
  for (const n of citations(text)) {
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(sources.length);
  }
}

interface Customer {
  ticketId: string;
  identifiers: string[];
  ticket: TicketDto;
}

/** Resolved refund tickets, each full of its customer's identifiers (in the description and the agent's reply). */
function customers(prefix: string, language: 'en' | 'ko', count: number, status = 'resolved'): Customer[] {
  const random = mulberry32(
    [...prefix].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261),
  );
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  return Array.from({ length: count }, (_, i) => {
    const email = `${language}.buyer${i}.${digits(3)}@mail${digits(2)}.example.com`;
    const phone = language === 'en' ? `+1 (415) ${digits(3)}-${digits(4)}` : `010-${digits(4)}-${digits(4)}`;
    const order = `ORD-${digits(7)}`;
    const card = `4${digits(3)} ${digits(4)} ${digits(4)} ${digits(4)}`;
    const url = `https://shop.example.com/track?token=${digits(6)}ab${digits(8)}`;
    const ticketId = `${prefix}-${i}`;
    const en = {
      subject: 'Refund not received for my returned order',
      description: `I returned order ${order} and the refund has not arrived. Contact me at ${email} or ${phone}. I paid with card ${card}.`,
      reply: `Your refund for order ${order} was issued to card ${card} and takes 5-7 business days to arrive. We sent the confirmation to ${email}; you can follow it at ${url} or call us back at ${phone}.`,
    };
    const ko = {
      subject: '반품한 주문의 환불을 아직 받지 못했어요',
      description: `주문 ${order} 상품을 반품했는데 환불이 아직 안 됐어요. 연락처는 ${phone}, 이메일은 ${email} 입니다. 카드 ${card} 로 결제했어요.`,
      reply: `주문 ${order} 환불은 카드 ${card} 로 처리되었고 영업일 기준 5-7일 안에 입금됩니다. 확인 메일을 ${email} 로 보내 드렸으며 ${url} 에서 진행 상황을 보실 수 있습니다. 문의는 ${phone} 로 주세요.`,
    };
    const text = language === 'en' ? en : ko;
    const ticket = ticketFactory({
      ticket_id: ticketId,
      subject: text.subject,
      description: text.description,
      status: status as TicketDto['status'],
      tags: ['refund'],
      conversations: [
        { from: 'customer', body: text.description, created_at: '2024-05-01T09:30:00Z' },
        { from: 'agent', body: text.reply, created_at: '2024-05-01T10:00:00Z' },
      ],
    });
    return { ticketId, identifiers: [email, phone, order, card, url], ticket };
  });
}

type Mode = 'local' | 'openai';
const MODES: Mode[] = ['local', 'openai'];

describe.each(dbTargets().flatMap((target) => MODES.map((mode) => [target, mode] as const)))(
  'assist trust (%s, %s model)',
  (target, mode) => {
    let t: TestApp;
    let fake: FakeOpenAiServer | undefined;
    let baseUrl: string;
    const keys: Record<string, string> = {};
    const en = customers('EN', 'en', 6);
    const ko = customers('KO', 'ko', 6);
    const openEn = customers('EN-OPEN', 'en', 1, 'open')[0];
    const openKo = customers('KO-OPEN', 'ko', 1, 'open')[0];
    // The demo generator's tickets: one topic (refunds), English and Korean, each with its order number and card.
    const demo = Array.from({ length: 40 }, (_, i) =>
      generateTicketAt(i, { seed: 19, koreanRatio: 0.5, topics: 1, idPrefix: 'DEMO-' }),
    );
    const identifiersOf = (ticket: TicketDto) => {
      const text = JSON.stringify(ticket);
      return [
        ...text.matchAll(/#[A-Z]\d{5}/g),
        ...[...text.matchAll(/(?:ending in|끝자리) (\d{4})/g)]
          .map((m) => [`ending in ${m[1]}`, `끝자리 ${m[1]}`])
          .flat()
          .map((x) => [x]),
      ].map((m) => m[0]);
    };

    const post = (company: string, url: string, body: unknown) =>
      t.request({ method: 'POST', url: `/api/v1/${url}`, key: keys[company], body });
    const request = (company: string, method: 'GET' | 'PUT', url: string, body?: unknown) =>
      t.request({ method, url: `/api/v1/${url}`, key: keys[company], body });
    /** A streamed call: the response (for its headers) and its SSE frames. */
    const streamPost = async (company: string, url: string, body: unknown) => {
      const started = performance.now();
      const response = await fetch(`${baseUrl}/api/v1/${url}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keys[company]}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      });
      const { frames } = await readEventStream(response, started);
      return { response, frames };
    };
    const lastPrompt = () => JSON.stringify(fake?.chatBodies.at(-1) ?? '');

    async function load(company: string, data: { tickets: TicketDto[]; articles?: unknown[] }) {
      if (data.articles?.length) {
        const res = await request(company, 'PUT', 'articles', { articles: data.articles });
        expect(res.status).toBe(200);
      }
      if (data.tickets.length) {
        const res = await request(company, 'PUT', 'tickets', { tickets: data.tickets });
        expect(res.status).toBe(200);
      }
      await waitFor(async () => {
        const found = await post(company, 'search', { query: 'refund', limit: 50 });
        return found.body.results.length >= data.tickets.length + (data.articles?.length ?? 0);
      });
    }

    beforeAll(async () => {
      if (mode === 'openai') fake = await FakeOpenAiServer.start();
      t = await startTestApp(target, {
        RECONCILE_INTERVAL_MS: '600000',
        // The relevance floor has its own suite (grounding.e2e): here whatever is retrieved may ground, so these
        // cases check numbering, redaction and turns on the sources retrieval returns, not the floor's choice.
        RELEVANCE_FLOOR_TICKET: '0',
        RELEVANCE_FLOOR_ARTICLE: '0',
        RELEVANCE_FLOOR_KEYWORD: '0',
        ...(fake
          ? {
              OPENAI_API_KEY: 'test-key',
              OPENAI_BASE_URL: fake.url,
              LLM_EMBEDDING_DIMENSION: '32',
              LLM_MAX_RETRIES: '0',
            }
          : {}),
      });
      await t.app.listen(0, '127.0.0.1');
      baseUrl = await t.app.getUrl();
      for (const company of ['solo', 'pii', 'demo', 'turns', 'prefs-a', 'prefs-b'])
        keys[company] = await t.createCompany(`trust-${company}`);
      await load('solo', { tickets: [ticketFactory({ ticket_id: 'SOLO-1', status: 'open' })] });
      await load('pii', {
        tickets: [...en.map((c) => c.ticket), ...ko.map((c) => c.ticket), openEn.ticket, openKo.ticket],
      });
      await load('demo', { tickets: demo.map((g) => g.ticket) });
      await load('turns', {
        tickets: [],
        articles: [
          articleFactory({
            article_id: 'KB-RETURNS',
            title: 'Returning an item',
            body: 'To return an item, print the prepaid return label from your orders page and drop the parcel at any post office. Refunds for a returned item reach your card 5-7 business days after the warehouse receives it.',
            tags: ['returns'],
          }),
          articleFactory({
            article_id: 'KB-SHIPPING',
            title: 'Shipping times',
            body: 'Standard shipping takes three to five days within the country. Express shipping takes one day and costs extra.',
            tags: ['shipping'],
          }),
          articleFactory({
            article_id: 'KB-PASSWORD',
            title: 'Resetting your password',
            body: 'Use the Forgot password link on the sign-in page. The reset link expires after one hour.',
            tags: ['login'],
          }),
        ],
      });
      await load('prefs-a', {
        tickets: [
          ticketFactory({ ticket_id: 'PA-OPEN', status: 'open' }),
          ticketFactory({ ticket_id: 'PA-R1', status: 'resolved' }),
        ],
      });
      await t.app.get(TicketPrefetchListener).whenIdle();
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      await fake?.close();
    });

    describe('citations', () => {
      it('never cites the open ticket: a company whose only document is the open ticket gets no [n]', async () => {
        const init = await post('solo', 'init', { ticket_id: 'SOLO-1' });
        expect(init.status).toBe(200);
        const res = await post('solo', 'query', {
          query: 'How long will this refund take?',
          session_id: init.body.session_id,
        });
        expect(res.status).toBe(200);
        expect(res.body.sources).toEqual([]);
        expect(citations(res.body.answer)).toEqual([]);
        if (fake) {
          const user = (fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(
            -1,
          )!.content;
          expect(user).toContain('Current ticket (context, not a source');
          expect(user).not.toMatch(/\[\d+\]/);
        }
      });

      it('numbers the blocks the model receives exactly as the returned sources, JSON and SSE, fresh and cached', async () => {
        const init = await post('pii', 'init', { ticket_id: openEn.ticketId });
        const body = { query: 'How long does this refund take?', session_id: init.body.session_id };
        const res = await post('pii', 'query', body);
        expect(res.status).toBe(200);
        expect(res.body.sources.length).toBeGreaterThan(0);
        expectValidCitations(res.body.answer, res.body.sources);
        if (fake) {
          const user = String(
            (fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(-1)?.content,
          );
          const blocks = [...user.matchAll(/^\[(\d+)\] \((ticket|article)(?:: ([^)\n]*))?\)$/gm)];
          expect(blocks.map((b) => [Number(b[1]), b[2], b[3]])).toEqual(
            res.body.sources.map((s: { ref: number; type: string; title: string }) => [
              s.ref,
              s.type,
              s.title,
            ]),
          );
          expect(user).toContain('Current ticket');
        }
        const reply = await post('pii', 'reply', { ticket_id: openEn.ticketId });
        expectValidCitations(reply.body.draft, reply.body.sources);
        const { frames } = await streamPost('pii', 'reply', {
          ticket_id: openEn.ticketId,
        });
        const done = frames.at(-1)!;
        expect(done.event).toBe('done');
        expect(done.data).toMatchObject({
          draft: reply.body.draft,
          sources: reply.body.sources,
          cached: true,
        });
      });
    });

    describe('other customers’ details', () => {
      it.each([
        ['English', () => openEn],
        ['Korean', () => openKo],
      ])('keeps them out of a %s draft (and its prompt), and keeps the customer’s own', async (_, open) => {
        const customer = open();
        const res = await post('pii', 'reply', { ticket_id: customer.ticketId });
        expect(res.status).toBe(200);
        expect(res.body.sources.filter((s: { type: string }) => s.type === 'ticket').length).toBeGreaterThan(
          0,
        );
        const foreign = [...en, ...ko].flatMap((c) => c.identifiers);
        for (const id of foreign) expect(res.body.draft).not.toContain(id);
        if (fake) {
          const prompt = lastPrompt();
          for (const id of foreign) expect(prompt).not.toContain(id);
          // The open ticket's own identifiers reach the model: the draft is for this customer.
          expect(prompt).toContain(customer.identifiers[2]);
        } else {
          expect(res.body.draft).toMatch(/\[(order-number|email|phone|card-number|url)\]/);
        }
      });
    });

    it.each(['en', 'ko'])(
      'keeps other customers’ order and card numbers out of drafts of generated %s tickets',
      async (language) => {
        const open = demo
          .filter((g) => g.language === language && g.ticket.status !== 'resolved')
          .slice(0, 3);
        expect(open.length).toBeGreaterThan(0);
        for (const { ticket } of open) {
          const own = new Set(identifiersOf(ticket));
          const foreign = [...new Set(demo.flatMap((g) => identifiersOf(g.ticket)))].filter(
            (id) => !own.has(id),
          );
          const res = await post('demo', 'reply', { ticket_id: ticket.ticket_id });
          expect(res.status).toBe(200);
          expect(res.body.sources.length).toBeGreaterThan(0);
          for (const id of foreign) expect(res.body.draft).not.toContain(id);
          if (fake) for (const id of foreign) expect(lastPrompt()).not.toContain(id);
        }
      },
    );

    describe('follow-ups', () => {
      it('answers a follow-up with the previous turn, under its own key; an independent question shares the company-wide entry', async () => {
        const followUp = 'and how long does that take?';
        // Asked alone first: the company-wide entry for those words.
        const alone = await post('turns', 'query', { query: followUp });
        expect(alone.status).toBe(200);

        const first = await post('turns', 'query', { query: 'How do I return an item?' });
        const session = first.body.session_id;
        const next = await post('turns', 'query', { query: followUp, session_id: session });
        expect(next.status).toBe(200);
        expect(next.body.cached).toBe(false);
        expectValidCitations(next.body.answer, next.body.sources);
        expect(next.body.sources.map((s: { id: string }) => s.id)).toContain('KB-RETURNS');
        if (fake) {
          const prompt = lastPrompt();
          expect(prompt).toContain('How do I return an item?');
        } else {
          // The earlier question steers retrieval and the excerpts: how long a return takes, not shipping.
          expect(next.body.sources[0].id).toBe('KB-RETURNS');
          expect(next.body.answer).toMatch(/5-7 business days/);
          expect(next.body.answer).not.toBe(alone.body.answer);
        }
        // The same follow-up after the same turn in another session is that entry.
        const other = await post('turns', 'query', { query: 'How do I return an item?' });
        const again = await post('turns', 'query', { query: followUp, session_id: other.body.session_id });
        expect(again.body).toMatchObject({ cached: true, answer: next.body.answer });

        // An independent question in a session with history is the company-wide answer.
        const plain = await post('turns', 'query', { query: 'How do I reset my password?' });
        const inSession = await post('turns', 'query', {
          query: 'How do I reset my password?',
          session_id: session,
        });
        expect(inSession.body).toMatchObject({ cached: true, answer: plain.body.answer });
      });
      it('records a streamed answer as a turn too', async () => {
        const { frames } = await streamPost('turns', 'query', {
          query: 'How do I get a parcel back to the warehouse?',
        });
        const done = frames.at(-1)!;
        expect(done.event).toBe('done');
        const next = await post('turns', 'query', { query: 'is it free?', session_id: done.data.session_id });
        expect(next.status).toBe(200);
        if (fake) expect(lastPrompt()).toContain('How do I get a parcel back to the warehouse?');
        const alone = await post('turns', 'query', { query: 'is it free?' });
        expect(alone.body.cached).toBe(false);
      });
    });

    describe('agent preferences', () => {
      const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

      it('stores them per company: another company’s agent of the same id is not found', async () => {
        const put = await request('prefs-a', 'PUT', 'agents/agent-7/preferences', {
          tone: 'formal',
          signature: 'Jane Doe',
        });
        expect(put.status).toBe(200);
        expect(put.body).toMatchObject({ agent_id: 'agent-7', tone: 'formal', signature: 'Jane Doe' });
        expect(put.body.updated_at).toEqual(expect.any(String));
        const get = await request('prefs-a', 'GET', 'agents/agent-7/preferences');
        expect(get.body).toEqual(put.body);
        expect((await request('prefs-b', 'GET', 'agents/agent-7/preferences')).status).toBe(404);
        await request('prefs-b', 'PUT', 'agents/agent-7/preferences', { tone: 'concise' });
        expect((await request('prefs-a', 'GET', 'agents/agent-7/preferences')).body).toEqual(put.body);
        expect((await request('prefs-a', 'GET', 'agents/nobody/preferences')).status).toBe(404);
      });

      it.each([
        [{ tone: 'rude' }, 'tone'],
        [{ max_words: 5 }, 'max_words'],
        [{ max_words: 'many' }, 'max_words'],
        [{ language: 'fr' }, 'language'],
        [{ signature: '' }, 'signature'],
        [{ signature: 'x'.repeat(501) }, 'signature'],
      ])('rejects %j with 400 naming %s', async (body, field) => {
        const res = await request('prefs-a', 'PUT', 'agents/agent-8/preferences', body);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body.message)).toContain(field);
      });

      it('is documented: the route, its fields and errors, and /reply’s agent_id', async () => {
        const doc = (await t.request({ method: 'GET', url: '/docs-json' })).body;
        const route = doc.paths['/api/v1/agents/{agent_id}/preferences'];
        expect(Object.keys(route.get.responses)).toEqual(
          expect.arrayContaining(['200', '400', '401', '404']),
        );
        expect(Object.keys(route.put.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
        const schemas = doc.components.schemas;
        expect(schemas.AgentPreferencesRequestDto.properties.tone.enum).toEqual([
          'friendly',
          'formal',
          'concise',
        ]);
        expect(Object.keys(schemas.AgentPreferencesRequestDto.properties)).toEqual(
          expect.arrayContaining(['language', 'tone', 'signature', 'max_words']),
        );
        expect(schemas.ReplyRequestDto.properties.agent_id).toBeDefined();
      });

      it('rejects a bad agent_id with 400 naming it, on the route and on /reply', async () => {
        const res = await request('prefs-a', 'PUT', 'agents/bad%20id!/preferences', { tone: 'formal' });
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body.message)).toContain('agent_id');
        const reply = await post('prefs-a', 'reply', { ticket_id: 'PA-OPEN', agent_id: 'bad id!' });
        expect(reply.status).toBe(400);
        expect(JSON.stringify(reply.body.message)).toContain('agent_id');
      });

      it('drafts with the agent’s tone, signature and word limit, keyed by them, JSON and SSE', async () => {
        const signature = 'Jane Doe\nAcme Support';
        const plain = await post('prefs-a', 'reply', { ticket_id: 'PA-OPEN' });
        expect(plain.status).toBe(200);
        expect((await post('prefs-a', 'reply', { ticket_id: 'PA-OPEN' })).body.cached).toBe(true);

        await request('prefs-a', 'PUT', 'agents/agent-9/preferences', {
          tone: 'formal',
          signature,
          max_words: 60,
        });
        const mine = await post('prefs-a', 'reply', { ticket_id: 'PA-OPEN', agent_id: 'agent-9' });
        expect(mine.status).toBe(200);
        expect(mine.body.cached).toBe(false);
        expect(mine.body.draft.endsWith(signature)).toBe(true);
        expect(words(mine.body.draft)).toBeLessThanOrEqual(60);
        if (fake) {
          // The requirements follow the sources (the system text is the same for every agent: a cached prefix).
          const user = String(
            (fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(-1)?.content,
          );
          expect(user).toContain('Tone: formal');
          expect(user).toContain('at most 60 words');
          expect(user).toContain(signature);
        } else {
          expect(mine.body.draft).toMatch(/\n\nDear Customer,\n\n/);
          expect(plain.body.draft).not.toMatch(/Dear/);
        }
        expect(
          (await post('prefs-a', 'reply', { ticket_id: 'PA-OPEN', agent_id: 'agent-9' })).body,
        ).toMatchObject({
          cached: true,
          draft: mine.body.draft,
        });

        // Changed preferences are another draft.
        await request('prefs-a', 'PUT', 'agents/agent-9/preferences', {
          tone: 'friendly',
          signature: 'Jane',
          max_words: 40,
        });
        const { response: streamed, frames } = await streamPost('prefs-a', 'reply', {
          ticket_id: 'PA-OPEN',
          agent_id: 'agent-9',
        });
        expect(streamed.headers.get('x-cache')).toBe('MISS');
        const done = frames.at(-1)!;
        expect(done.event).toBe('done');
        expect(done.data.draft.endsWith('\n\nJane')).toBe(true);
        expect(words(done.data.draft)).toBeLessThanOrEqual(40);
        expect(
          frames
            .filter((f) => f.event === 'token')
            .map((f) => f.data.text)
            .join(''),
        ).toBe(done.data.draft);
        if (!fake) expect(done.data.draft).toMatch(/Hi there!/);
      });
    });
  },
);
