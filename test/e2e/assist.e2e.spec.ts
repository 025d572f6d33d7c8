import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { readEventStream, SseFrame } from '../support/event-stream';
import { AnswerWarmer } from '../../src/modules/assist/answer.warmer';
import { BackgroundTasks } from '../../src/modules/assist/background-tasks.service';
import { articleFactory, koreanTicketFactory, ticketFactory } from '../factories/ticket.factory';
import { FakeOpenAiServer } from '../fakes/openai.fake-server';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a text/event-stream response frame by frame; a well-formed stream ends on a frame boundary. */
async function readSse(response: Response, startedAt: number): Promise<SseFrame[]> {
  const { frames, rest } = await readEventStream(response, startedAt);
  expect(rest).toBe('');
  return frames;
}

/** One company's data; `p` prefixes every id so a leak between companies is visible. */
function corpus(p: string) {
  const resolvedRefund = (id: string, reply: string) =>
    ticketFactory({
      ticket_id: id,
      status: 'resolved',
      conversations: [
        { from: 'customer', body: 'Where is my refund?', created_at: '2024-05-01T09:30:00Z' },
        { from: 'agent', body: reply, created_at: '2024-05-01T10:00:00Z' },
      ],
    });
  return {
    tickets: [
      ticketFactory({ ticket_id: `${p}-OPEN`, status: 'open' }),
      resolvedRefund(`${p}-R1`, 'Refunds take 5-7 business days after the warehouse receives the item.'),
      resolvedRefund(`${p}-R2`, 'I have issued your refund today; it reaches your card within a week.'),
      ticketFactory({
        ticket_id: `${p}-LOGIN`,
        subject: 'Cannot log in after password reset',
        description: 'The new password is rejected every time I try to sign in.',
        tags: ['login'],
        status: 'resolved',
      }),
      koreanTicketFactory({ ticket_id: `${p}-KO` }),
    ],
    articles: [
      articleFactory({ article_id: `${p}-KB-REFUND` }),
      articleFactory({
        article_id: `${p}-KB-PASSWORD`,
        title: 'Resetting your password',
        body: 'Use the "Forgot password" link on the sign-in page; the reset link expires after one hour.',
        tags: ['login'],
      }),
    ],
  };
}

describe.each(dbTargets())('assist (%s, OpenAI double)', (target) => {
  let t: TestApp;
  let fake: FakeOpenAiServer;
  let key: string;
  let otherKey: string;
  let baseUrl: string;
  const a = corpus('A');
  const b = corpus('B');

  const post = (url: string, body: unknown, apiKey: string | null = key, headers?: Record<string, string>) =>
    t.request({ method: 'POST', url: `/api/v1/${url}`, key: apiKey ?? undefined, body, headers });

  const stream = async (url: string, body: unknown, apiKey = key) => {
    const startedAt = performance.now();
    const response = await fetch(`${baseUrl}/api/v1/${url}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify(body),
    });
    return { response, frames: response.status === 200 ? await readSse(response, startedAt) : [] };
  };

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    t = await startTestApp(target, {
      RECONCILE_INTERVAL_MS: '600000',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: fake.url,
      LLM_EMBEDDING_DIMENSION: '32',
      LLM_MAX_RETRIES: '0',
    });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
    key = await t.createCompany('assist-a');
    otherKey = await t.createCompany('assist-b');
    // Articles first: a bundle lists related articles, so indexing articles drops the bundles built before.
    for (const [apiKey, data] of [
      [key, a],
      [otherKey, b],
    ] as const) {
      const { articles } = data;
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/articles', key: apiKey, body: { articles } })).status,
      ).toBe(200);
      await waitFor(async () => {
        const res = await post('search', { query: 'refund password', data_types: ['articles'] }, apiKey);
        return res.body.results.length === articles.length;
      });
    }
    await t.app.get(TicketPrefetchListener).whenIdle();
    for (const [apiKey, data] of [
      [key, a],
      [otherKey, b],
    ] as const) {
      const { tickets } = data;
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/tickets', key: apiKey, body: { tickets } })).status,
      ).toBe(200);
    }
    // Every indexed ticket gets its /init bundle prefetched.
    const prefetch = t.app.get(TicketPrefetchListener);
    await waitFor(() => prefetch.count >= a.tickets.length + b.tickets.length, 60_000);
    await prefetch.whenIdle();
  }, 90_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  describe('POST /init', () => {
    it('serves a ticket indexed earlier from the prefetched bundle, with a new session', async () => {
      const started = performance.now();
      const res = await post('init', { ticket_id: 'A-OPEN' });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect({
        partial: res.body.partial,
        degraded: res.body.degraded,
        cache: res.headers['x-cache'],
      }).toEqual({ partial: false, degraded: undefined, cache: 'HIT' });
      expect(res.headers['x-request-id']).toBeDefined();
      expect(elapsed).toBeLessThan(500);
      expect(res.body).toMatchObject({
        ticket: { ticket_id: 'A-OPEN', index_state: 'indexed' },
        summary_source: 'llm',
        cached: true,
        partial: false,
      });
      expect(res.body.session_id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(res.body.summary).toMatch(/^Fake completion:/);
      const similar = res.body.similar_tickets.map((s: { ticket_id: string }) => s.ticket_id);
      expect(similar.length).toBeGreaterThan(0);
      expect(similar.length).toBeLessThanOrEqual(5);
      expect(similar).not.toContain('A-OPEN');
      expect(similar.every((id: string) => id.startsWith('A-'))).toBe(true);
      expect(res.body.similar_tickets[0]).toEqual(
        expect.objectContaining({
          subject: expect.any(String),
          summary: expect.any(String),
          score: expect.any(Number),
        }),
      );
      const articles = res.body.kb_articles.map((k: { article_id: string }) => k.article_id);
      expect(articles.length).toBeGreaterThan(0);
      expect(articles.length).toBeLessThanOrEqual(3);
      expect(articles.every((id: string) => id.startsWith('A-KB-'))).toBe(true);

      // Each /init opens its own session.
      const again = await post('init', { ticket_id: 'A-OPEN' });
      expect(again.body.session_id).not.toBe(res.body.session_id);
    });

    it('answers a never-indexed ticket under its deadline with an extractive summary, then with the LLM one', async () => {
      // Summaries take 3 s: indexing and the scheduled summary both wait for the model.
      fake.configure({ completionMs: 3_000 });
      try {
        const fresh = ticketFactory({
          ticket_id: 'A-FRESH',
          subject: 'Charged twice for one order',
          description:
            'My card statement shows two identical charges for order 5531. Please refund one of them.',
        });
        expect(
          (await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [fresh] } }))
            .status,
        ).toBe(200);
        const started = performance.now();
        const first = await post('init', { ticket_id: 'A-FRESH' });
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(first.status).toBe(200);
        expect(first.headers['x-cache']).toBe('MISS');
        expect(first.body).toMatchObject({
          summary_source: 'extractive',
          cached: false,
          ticket: { index_state: 'pending' },
        });
        expect(first.body.summary).toContain('two identical charges');

        await waitFor(
          async () => (await post('init', { ticket_id: 'A-FRESH' })).body.summary_source === 'llm',
          20_000,
        );
        const later = await post('init', { ticket_id: 'A-FRESH' });
        expect(later.body.summary).toMatch(/^Fake completion:/);
      } finally {
        fake.configure({ completionMs: 0 });
      }
    }, 30_000);

    it('drops a company’s bundles when its articles are indexed, and only that company’s', async () => {
      // Earlier tests indexed tickets of company A, which dropped its bundles: build them again first (an
      // indexing announcement of those earlier changes may still drop one build: wait for a settled HIT).
      await waitFor(async () => (await post('init', { ticket_id: 'A-R1' })).headers['x-cache'] === 'HIT');
      await waitFor(
        async () => (await post('init', { ticket_id: 'B-R1' }, otherKey)).headers['x-cache'] === 'HIT',
      );
      const article = articleFactory({ article_id: 'A-KB-RETURNS', title: 'Returning an item for a refund' });
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles: [article] } }))
          .status,
      ).toBe(200);
      await waitFor(async () => {
        const res = await post('search', { query: 'refund', data_types: ['articles'] });
        return res.body.results.some((r: { id: string }) => r.id === 'A-KB-RETURNS');
      });
      // The article is searchable a moment before the indexer announces it; the bundles are dropped then.
      let rebuilt!: Awaited<ReturnType<typeof post>>;
      await waitFor(async () => {
        rebuilt = await post('init', { ticket_id: 'A-R1' });
        return rebuilt.headers['x-cache'] === 'MISS';
      }, 10_000);
      expect(rebuilt.body.kb_articles.map((k: { article_id: string }) => k.article_id)).toContain(
        'A-KB-RETURNS',
      );
      // Company B's bundle was never dropped; A's is cached again once the indexing announcements have settled
      // (the article's indexing may announce after the rebuild above, dropping that build once more).
      expect((await post('init', { ticket_id: 'B-R1' }, otherKey)).headers['x-cache']).toBe('HIT');
      await waitFor(async () => (await post('init', { ticket_id: 'A-R1' })).headers['x-cache'] === 'HIT');
    });

    it('bypasses the cache on Cache-Control: no-cache', async () => {
      const res = await post('init', { ticket_id: 'A-OPEN' }, key, { 'cache-control': 'no-cache' });
      expect(res.status).toBe(200);
      expect(res.headers['x-cache']).toBe('MISS');
      expect(res.body.cached).toBe(false);
    });
  });

  describe('POST /query', () => {
    it('answers with numbered sources in the session of the ticket, then from cache', async () => {
      const init = await post('init', { ticket_id: 'A-OPEN' });
      // "this refund" refers to the open ticket: the ticket goes into the prompt.
      const body = { query: 'How long will this refund take?', session_id: init.body.session_id };
      const first = await post('query', body);
      expect(first.status).toBe(200);
      expect(first.headers['x-cache']).toBe('MISS');
      expect(first.body).toMatchObject({ session_id: init.body.session_id, cached: false, partial: false });
      expect(first.body.answer).toMatch(/^Fake completion:/);
      expect(first.body.sources.length).toBeGreaterThan(0);
      first.body.sources.forEach((s: { ref: number; id: string; type: string }, i: number) => {
        expect(s.ref).toBe(i + 1);
        expect(s.id.startsWith('A-')).toBe(true);
        expect(s.id).not.toBe('A-OPEN');
      });
      // The session's ticket reached the model as context.
      expect(JSON.stringify(fake.chatBodies.at(-1))).toContain('Current ticket');

      const second = await post('query', body);
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.body).toMatchObject({
        answer: first.body.answer,
        sources: first.body.sources,
        cached: true,
      });
    });

    it('answers a knowledge question once for every ticket: the ticket stays out of its prompt', async () => {
      const one = await post('init', { ticket_id: 'A-OPEN' });
      const two = await post('init', { ticket_id: 'A-LOGIN' });
      const query = { query: 'What is the refund policy?', data_types: ['articles'] };
      const first = await post('query', { ...query, session_id: one.body.session_id });
      expect(first.body).toMatchObject({ cached: false, partial: false });
      expect(JSON.stringify(fake.chatBodies.at(-1))).not.toContain('Current ticket');
      const calls = fake.counters.chatCalls + fake.counters.streamCalls;
      const second = await post('query', { ...query, session_id: two.body.session_id });
      expect(second.body).toMatchObject({
        cached: true,
        answer: first.body.answer,
        sources: first.body.sources,
        session_id: two.body.session_id,
      });
      expect(fake.counters.chatCalls + fake.counters.streamCalls).toBe(calls);
      // The same words about "this customer" depend on the ticket: one answer per ticket.
      const personal = { query: 'What is the refund policy for this customer?', data_types: ['articles'] };
      const mine = await post('query', { ...personal, session_id: one.body.session_id });
      expect(JSON.stringify(fake.chatBodies.at(-1))).toContain('Current ticket');
      const theirs = await post('query', { ...personal, session_id: two.body.session_id });
      expect(mine.body.cached).toBe(false);
      expect(theirs.body.cached).toBe(false);
    });

    it('adapts the cached company-wide answer to the ticket instead of sending the sources again', async () => {
      const query = { query: 'How are refunds handled for this customer?', data_types: ['articles'] };
      const general = await post('query', query);
      expect(general.body.cached).toBe(false);
      const generalPrompt = JSON.stringify(fake.chatBodies.at(-1));
      expect(generalPrompt).not.toContain('Current ticket');
      expect(generalPrompt).toContain('5-7 business days after the return arrives');

      const init = await post('init', { ticket_id: 'A-OPEN' });
      const adapted = await post('query', { ...query, session_id: init.body.session_id });
      expect(adapted.body).toMatchObject({ cached: false, sources: general.body.sources });
      const prompt = String(
        (fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(-1)?.content,
      );
      expect(prompt).toContain('Current ticket');
      expect(prompt).toContain(general.body.answer);
      expect(prompt).not.toContain('5-7 business days after the return arrives');
      // Only the headers of the sources the general answer cites (the double cites none): its [n] keep their meaning.
      for (const source of general.body.sources as Array<{ ref: number }>)
        expect(prompt.includes(`[${source.ref}] (`)).toBe(general.body.answer.includes(`[${source.ref}]`));
    });

    it('makes the company-wide answer once, in the background, when a second ticket asks a case question; later tickets adapt it', async () => {
      const query = {
        query: 'How should the refund timeline be explained to this customer?',
        data_types: ['articles'],
      };
      const sessionOf = async (ticketId: string) =>
        (await post('init', { ticket_id: ticketId })).body.session_id as string;
      const [one, two, three] = [
        await sessionOf('A-OPEN'),
        await sessionOf('A-LOGIN'),
        await sessionOf('A-KO'),
      ];
      const background = t.app.get(BackgroundTasks);
      const lastPrompt = () =>
        String((fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(-1)?.content);
      const before = fake.chatBodies.length;

      // The first ticket to ask: drafted from the sources, with the ticket; nothing else is asked of the model.
      const first = await post('query', { ...query, session_id: one });
      await background.drain();
      expect(first.body).toMatchObject({ cached: false, partial: false });
      expect(fake.chatBodies.length - before).toBe(1);
      expect(lastPrompt()).toContain('Current ticket');
      expect(lastPrompt()).toContain('Sources:');

      // The second: drafted the same way, and its want makes the general answer (no ticket) in the background.
      const second = await post('query', { ...query, session_id: two });
      await background.drain();
      expect(second.body).toMatchObject({ cached: false, sources: first.body.sources });
      expect(fake.chatBodies.length - before).toBe(3);
      expect(lastPrompt()).not.toContain('Current ticket');
      expect(lastPrompt()).toContain('Sources:');

      // Asked with no ticket, the question is served that answer.
      const alone = await post('query', query);
      expect(alone.body).toMatchObject({ cached: true, sources: first.body.sources });

      // Every later ticket adapts it instead of sending the sources again.
      const third = await post('query', { ...query, session_id: three });
      await background.drain();
      expect(third.body).toMatchObject({ cached: false, sources: first.body.sources });
      expect(fake.chatBodies.length - before).toBe(4);
      expect(lastPrompt()).toContain('Current ticket');
      expect(lastPrompt()).toContain(`General answer to this question`);
      expect(lastPrompt()).toContain(alone.body.answer);
      expect(lastPrompt()).not.toContain('Sources:');
    });

    it('starts a session when none is given', async () => {
      const res = await post('query', { query: 'reset link expired', data_types: ['articles'], limit: 2 });
      expect(res.status).toBe(200);
      expect(res.body.session_id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(res.body.sources.length).toBeLessThanOrEqual(2);
      expect(res.body.sources.every((s: { type: string }) => s.type === 'article')).toBe(true);
    });

    it('answers locally within the budget when the model is slow, and caches the late model answer', async () => {
      fake.configure({ completionMs: 4_000 });
      try {
        const body = { query: 'Can I get a refund for a damaged parcel?' };
        const started = performance.now();
        const slow = await post('query', body);
        expect(performance.now() - started).toBeLessThan(3_000);
        expect(slow.status).toBe(200);
        expect(slow.body).toMatchObject({ partial: true, degraded: ['llm_timeout'], cached: false });
        expect(slow.body.answer).not.toMatch(/^Fake completion:/);
        expect(slow.body.answer.length).toBeGreaterThan(0);
        await t.app.get(BackgroundTasks).drain();
        const next = await post('query', body);
        expect(next.body).toMatchObject({ partial: false, cached: true });
        expect(next.body.answer).toMatch(/^Fake completion:/);
      } finally {
        fake.configure({ completionMs: 0 });
      }
    }, 20_000);

    it('is warmed by the answer warmer: a popular question is then a cache hit', async () => {
      const request = {
        query: 'Which payment methods can be refunded?',
        data_types: ['articles', 'tickets'],
      };
      const outcome = await t.app.get(AnswerWarmer).warm({
        companyId: 'assist-a',
        popular: [
          { kind: 'query', request, score: 3 },
          { kind: 'search', request, score: 2 },
        ],
      });
      expect(outcome).toEqual({ warmed: 1, skipped: 0, failed: 0 });
      const res = await post('query', request);
      expect(res.body).toMatchObject({ cached: true, partial: false });
      // Warmed per company: the other company's identical question is still a miss.
      expect((await post('query', request, otherKey)).body.cached).toBe(false);
    });

    it('streams tokens before the answer is complete, then done', async () => {
      fake.configure({ tokenDelayMs: 60 });
      try {
        const { response, frames } = await stream('query', { query: 'What does the refund policy say?' });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(response.headers.get('cache-control')).toContain('no-cache');
        expect(response.headers.get('x-accel-buffering')).toBe('no');
        expect(response.headers.get('x-request-id')).toBeTruthy();
        expect(response.headers.get('x-cache')).toBe('MISS');
        const tokens = frames.filter((f) => f.event === 'token');
        const done = frames.at(-1)!;
        expect(tokens.length).toBeGreaterThan(3);
        expect(done.event).toBe('done');
        expect(frames.filter((f) => f.event === 'done')).toHaveLength(1);
        // Streaming, not buffering: the first token arrived well before the end.
        expect(done.atMs - tokens[0].atMs).toBeGreaterThan(300);
        expect(tokens.map((f) => f.data.text).join('')).toBe(done.data.answer);
        expect(done.data).toMatchObject({ cached: false, partial: false, session_id: expect.any(String) });
        expect(done.data.sources.length).toBeGreaterThan(0);
      } finally {
        fake.configure({ tokenDelayMs: 0 });
      }
    });

    it('stops the model call when the client disconnects', async () => {
      fake.configure({ tokenDelayMs: 200 });
      try {
        const controller = new AbortController();
        const response = await fetch(`${baseUrl}/api/v1/query`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            accept: 'text/event-stream',
          },
          body: JSON.stringify({ query: 'Is there a fee for a second refund?' }),
          signal: controller.signal,
        });
        const reader = response.body!.getReader();
        await reader.read();
        await waitFor(() => fake.counters.inFlight > 0, 5_000);
        controller.abort();
        // The double would stream for ~3 s more; the aborted upstream call ends long before that.
        await waitFor(() => fake.counters.inFlight === 0, 1_500);
      } finally {
        fake.configure({ tokenDelayMs: 0 });
      }
    });
  });

  describe('POST /reply', () => {
    it('drafts a reply grounded in similar resolved tickets and articles', async () => {
      const res = await post('reply', { ticket_id: 'A-OPEN', instructions: 'Keep it short.' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ cached: false, partial: false });
      expect(res.body.draft).toMatch(/^Fake completion:/);
      const ids = res.body.sources.map((s: { id: string }) => s.id);
      expect(ids).not.toContain('A-OPEN');
      expect(ids.every((id: string) => id.startsWith('A-'))).toBe(true);
      expect(ids).not.toContain('A-KO'); // open, not a resolved ticket
      const prompt = JSON.stringify(fake.chatBodies.at(-1));
      expect(prompt).toContain('Refunds take 5-7 business days');
      expect(prompt).toContain('Keep it short.');
    });

    it('streams a draft as token events and a done event', async () => {
      fake.configure({ tokenDelayMs: 40 });
      try {
        const { response, frames } = await stream('reply', { ticket_id: 'A-KO' });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-cache')).toBe('MISS');
        const done = frames.at(-1)!;
        expect(done.event).toBe('done');
        const tokens = frames.filter((f) => f.event === 'token');
        expect(done.atMs - tokens[0].atMs).toBeGreaterThan(200);
        expect(tokens.map((f) => f.data.text).join('')).toBe(done.data.draft);
        expect(done.data).toMatchObject({ cached: false, partial: false, sources: expect.any(Array) });
      } finally {
        fake.configure({ tokenDelayMs: 0 });
      }
    });

    it('rewrites the cached draft for an instructions variant instead of sending the sources again', async () => {
      const base = await post('reply', { ticket_id: 'A-OPEN' });
      expect(base.body.cached).toBe(false);
      expect(JSON.stringify(fake.chatBodies.at(-1))).toContain('Refunds take 5-7 business days');

      const variant = { ticket_id: 'A-OPEN', instructions: 'Be formal.' };
      const rewritten = await post('reply', variant);
      expect(rewritten.body).toMatchObject({ cached: false, sources: base.body.sources });
      const prompt = String(
        (fake.chatBodies.at(-1) as { messages: { content: string }[] }).messages.at(-1)?.content,
      );
      expect(prompt).toContain(base.body.draft);
      expect(prompt).toContain('Agent instructions: Be formal.');
      expect(prompt).not.toContain('Refunds take 5-7 business days');
      // Only the headers of the sources the draft cites (the double cites none): its [n] keep their meaning.
      for (const source of base.body.sources as Array<{ ref: number }>)
        expect(prompt.includes(`[${source.ref}] (`)).toBe(base.body.draft.includes(`[${source.ref}]`));
      expect((await post('reply', variant)).body).toMatchObject({
        cached: true,
        draft: rewritten.body.draft,
      });

      // Without a cache read (no-cache), the variant is drafted from the sources.
      await post('reply', variant, key, { 'cache-control': 'no-cache' });
      expect(JSON.stringify(fake.chatBodies.at(-1))).toContain('Refunds take 5-7 business days');
    });

    it('replays a cached draft as well-formed SSE', async () => {
      const body = { ticket_id: 'A-LOGIN' };
      const json = await post('reply', body);
      expect(json.body.cached).toBe(false);
      const calls = fake.counters.chatCalls + fake.counters.streamCalls;
      const { response, frames } = await stream('reply', body);
      expect(response.headers.get('x-cache')).toBe('HIT');
      expect(fake.counters.chatCalls + fake.counters.streamCalls).toBe(calls);
      const done = frames.at(-1)!;
      expect(done.event).toBe('done');
      expect(done.data).toMatchObject({ draft: json.body.draft, sources: json.body.sources, cached: true });
      expect(
        frames
          .filter((f) => f.event === 'token')
          .map((f) => f.data.text)
          .join(''),
      ).toBe(json.body.draft);
    });
  });

  describe('sessions and tenancy', () => {
    it('answers 404 for an unknown session, and for a session of another company', async () => {
      const unknown = await post('query', { query: 'refund', session_id: 'no-such-session-0000000' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toMatch(/session 'no-such-session-0000000' not found.*\/api\/v1\/init/);

      const theirs = await post('init', { ticket_id: 'B-OPEN' }, otherKey);
      expect(theirs.status).toBe(200);
      expect((await post('query', { query: 'refund', session_id: theirs.body.session_id })).status).toBe(404);
      expect((await post('reply', { ticket_id: 'A-OPEN', session_id: theirs.body.session_id })).status).toBe(
        404,
      );
      // Their own key still works.
      expect(
        (await post('query', { query: 'refund', session_id: theirs.body.session_id }, otherKey)).status,
      ).toBe(200);
    });

    it('answers 404 for a ticket of another company on /init and /reply, JSON or streamed', async () => {
      for (const route of ['init', 'reply']) {
        const res = await post(route, { ticket_id: 'B-OPEN' });
        expect(res.status).toBe(404);
        expect(res.body.message).toBe("ticket 'B-OPEN' not found");
      }
      const { response } = await stream('reply', { ticket_id: 'B-OPEN' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('needs a key, and refuses a company_id of another company, on every route', async () => {
      const bodies = {
        init: { ticket_id: 'A-OPEN' },
        query: { query: 'refund' },
        reply: { ticket_id: 'A-OPEN' },
      };
      for (const [route, body] of Object.entries(bodies)) {
        expect((await post(route, body, null)).status).toBe(401);
        expect((await post(route, { ...body, company_id: 'assist-b' })).status).toBe(403);
        expect((await post(route, { ...body, company_id: 'assist-a' })).status).toBe(200);
      }
    });

    it('documents the three routes, their streamed variants and their errors', async () => {
      const doc = (await t.request({ method: 'GET', url: '/docs-json' })).body;
      for (const route of ['init', 'query', 'reply']) {
        const operation = doc.paths[`/api/v1/${route}`].post;
        expect(Object.keys(operation.responses)).toEqual(
          expect.arrayContaining(['200', '400', '401', '403', '404']),
        );
        if (route !== 'init')
          expect(Object.keys(operation.responses['200'].content)).toContain('text/event-stream');
      }
    });

    it('rejects bad bodies with 400 naming the field', async () => {
      const cases: Array<[string, unknown, RegExp]> = [
        ['init', {}, /^ticket_id/],
        ['init', { ticket_id: 'x'.repeat(101) }, /^ticket_id/],
        ['init', { ticket_id: 'A-OPEN', extra: 1 }, /^extra is not an allowed field/],
        ['query', { query: '' }, /^query/],
        ['query', { query: '   ' }, /^query must not be blank/],
        ['query', { query: 'refund', limit: 0 }, /^limit/],
        ['query', { query: 'refund', data_types: ['emails'] }, /^data_types\[\*\]/],
        ['query', { query: 'refund', session_id: 7 }, /^session_id/],
        ['reply', { ticket_id: 'A-OPEN', instructions: 'x'.repeat(2001) }, /^instructions/],
        ['reply', { instructions: 'be nice' }, /^ticket_id/],
      ];
      for (const [route, body, message] of cases) {
        const res = await post(route, body);
        expect(res.status).toBe(400);
        expect(res.body.message.some((m: string) => message.test(m))).toBe(true);
      }
    });
  });
});

describe.each(dbTargets())('assist with CACHE_ENABLED=false (%s, OpenAI double)', (target) => {
  let t: TestApp;
  let fake: FakeOpenAiServer;
  let key: string;
  const post = (url: string, body: unknown) =>
    t.request({ method: 'POST', url: `/api/v1/${url}`, key, body });

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    t = await startTestApp(target, {
      CACHE_ENABLED: 'false',
      RECONCILE_INTERVAL_MS: '600000',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: fake.url,
      LLM_EMBEDDING_DIMENSION: '32',
      LLM_MAX_RETRIES: '0',
    });
    key = await t.createCompany('assist-nocache');
    const { tickets, articles } = corpus('N');
    expect(
      (await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles } })).status,
    ).toBe(200);
    expect((await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status).toBe(
      200,
    );
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('keeps sessions (state, not a cache): /query asks in the ticket of the /init session, and caches nothing', async () => {
    const init = await post('init', { ticket_id: 'N-OPEN' });
    expect(init.status).toBe(200);
    const body = { query: 'When will this refund arrive?', session_id: init.body.session_id };
    const first = await post('query', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ session_id: init.body.session_id, cached: false });
    // Background summaries (indexing) may reach the double after the answer: look for the answer's prompt.
    expect(fake.chatBodies.map((b) => JSON.stringify(b)).join('\n')).toContain('Current ticket (context');
    // Counted by the question it carries: background summaries may still be reaching the double.
    const asked = () => fake.chatBodies.filter((b) => JSON.stringify(b).includes(body.query)).length;
    const calls = asked();
    const second = await post('query', body);
    expect(second.body).toMatchObject({ session_id: init.body.session_id, cached: false });
    expect(asked()).toBe(calls + 1);
    expect((await post('query', { query: 'refund', session_id: 'no-such-session-0000000' })).status).toBe(
      404,
    );
  });
});
