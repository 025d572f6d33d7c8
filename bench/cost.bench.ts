/**
 * npm run bench:cost [-- --quick] [--json <file>]
 * Replays one generated agent workload twice, with caching off (CACHE_ENABLED=false) and on, and compares the
 * LLM calls and tokens Assist spent: several agents open each ticket (/init), ask Zipf-distributed
 * questions (/query), draft replies (/reply, JSON and SSE, repeated), while tickets are updated in between.
 * Two companies run the same questions over their own data. Target: on/off token ratio ≤ 0.20 (the seed's 80% cut), and no wrong
 * or cross-company cache hit: every response of the cached run is checked against the uncached run's.
 */
import { generateArticles, generateTickets } from '../src/cli/generate/support-data.generator';
import { refersToCase } from '../src/modules/assist/domain/question-context';
import { UsageLedger } from '../src/modules/llm/usage-ledger.service';
import type { TicketDto } from '../src/modules/tickets/dto/ticket.dto';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { AssistBenchApp, readEventStream, startAssistApp } from './lib/assist-app';
import { atMost, BenchRow, emitResult, info, parseBenchArgs, verdict } from './lib/bench-output';
import { mulberry32 } from '../test/support/seeded-random';

const QUESTIONS = [
  'How long does a refund take to reach my card?',
  'How can a customer reset a forgotten password?',
  'What should I do when a parcel is marked delivered but never arrived?',
  'Why was the customer charged twice?',
  'Can an order be cancelled after it has shipped?',
  'How do I change the delivery address of an order?',
  'What is the warranty period for a broken device?',
  'How do I delete my account and personal data?',
  '환불은 보통 며칠 걸리나요?',
  '비밀번호를 잊어버렸을 때 어떻게 하나요?',
  'Is express shipping available internationally?',
  'How do I apply a discount code that was rejected?',
  'What happens to my subscription when I downgrade?',
  'How can the invoice address be corrected?',
  'Where do I find the tracking number?',
  'Can I return an item without the original box?',
  'How do I update the card used for my subscription?',
  'Why is my account locked?',
  '배송 조회는 어디서 하나요?',
  'What does the error code E-402 mean at checkout?',
];

type Step =
  | { kind: 'init'; company: number; agent: number; ticket: number }
  | { kind: 'query'; company: number; agent: number; question: number }
  | { kind: 'reply'; company: number; agent: number; ticket: number; stream: boolean; instructions?: string }
  | { kind: 'update'; company: number; ticket: number; revision: number };

interface Observed {
  text: string;
  cached: boolean;
  /** Answered locally under the deadline: never cached, so never what a later hit serves. */
  partial: boolean;
  sourceIds: string[];
}

const COMPANIES = ['cost-a', 'cost-b'];
const PREFIX = ['CA-', 'CB-'];

function zipfSampler(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = random() * total;
    for (let k = 0; k < n; k++) {
      r -= weights[k];
      if (r <= 0) return k;
    }
    return n - 1;
  };
}

/** Agents work ticket by ticket; every `updateEvery` tickets, a ticket already worked on gets a new message. */
function workload(input: { tickets: number; seed: number; updateEvery: number }): Step[] {
  const random = mulberry32(input.seed);
  const question = zipfSampler(QUESTIONS.length, 1.2, random);
  const steps: Step[] = [];
  let agentId = 0;
  let revision = 0;
  for (let ticket = 0; ticket < input.tickets; ticket++) {
    for (let company = 0; company < COMPANIES.length; company++) {
      const agents = 3 + Math.floor(random() * 4);
      for (let a = 0; a < agents; a++) {
        const agent = agentId++;
        steps.push({ kind: 'init', company, agent, ticket });
        const questions = 2 + Math.floor(random() * 3);
        for (let q = 0; q < questions; q++)
          steps.push({ kind: 'query', company, agent, question: question() });
        steps.push({ kind: 'reply', company, agent, ticket, stream: random() < 0.4 });
        if (random() < 0.25)
          steps.push({
            kind: 'reply',
            company,
            agent,
            ticket,
            stream: false,
            instructions: 'Keep it short.',
          });
      }
      if (ticket > 0 && ticket % input.updateEvery === 0) {
        steps.push({ kind: 'update', company, ticket: Math.floor(random() * ticket), revision: revision++ });
      }
    }
  }
  return steps;
}

function updated(ticket: TicketDto, revision: number): TicketDto {
  const at = new Date(
    Date.parse(ticket.updated_at ?? ticket.created_at) + (revision + 1) * 3_600_000,
  ).toISOString();
  return {
    ...ticket,
    updated_at: at,
    conversations: [
      ...(ticket.conversations ?? []),
      { from: 'customer', body: `Any news on this? (follow-up ${revision + 1})`, created_at: at },
    ],
  };
}

interface RunResult {
  observed: Array<Observed | undefined>;
  /** Chat tokens and calls each step cost (answer + reply purposes), by step index. */
  stepCost: Array<{ calls: number; tokens: number } | undefined>;
  calls: number;
  tokens: number;
  /** USD at the chat model's list prices (UsageLedger), provider-cached prompt tokens at the cached price. */
  costUsd: number;
  cachedPromptTokens: number;
  summaryCalls: number;
  embedCalls: number;
  hits: number;
  /** Cumulative share of requests served from cache, after each request: [requests so far, %]. */
  hitCurve: Array<[number, number]>;
  requests: number;
}

async function run(input: {
  cache: boolean;
  steps: Step[];
  tickets: TicketDto[][];
  fake: FakeOpenAiServer;
}): Promise<RunResult> {
  const bench = await startAssistApp({
    CACHE_ENABLED: String(input.cache),
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: input.fake.url,
    LLM_EMBEDDING_DIMENSION: '64',
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
  });
  try {
    const keys: string[] = [];
    for (const [i, company] of COMPANIES.entries()) {
      const key = await bench.createCompany(company);
      keys.push(key);
      const articles = [...generateArticles(12, { seed: 21 + i, koreanRatio: 0.3 })];
      await bench.putArticles(key, articles);
      await bench.call({ method: 'PUT', path: '/api/v1/tickets', key, body: { tickets: input.tickets[i] } });
    }
    for (const [i, key] of keys.entries()) await bench.waitIndexed(key, input.tickets[i].length);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const ledger = bench.app.get(UsageLedger);
    const spent = () => {
      const sum = (purpose: 'answer' | 'reply' | 'summary' | 'embed') =>
        COMPANIES.map((companyId) => ledger.sum({ companyId, purpose })).reduce(
          (acc, s) => ({
            calls: acc.calls + s.calls,
            tokens: acc.tokens + s.promptTokens + s.completionTokens + s.embeddingTokens,
            costUsd: acc.costUsd + s.costUsd,
            cachedPromptTokens: acc.cachedPromptTokens + s.cachedPromptTokens,
          }),
          { calls: 0, tokens: 0, costUsd: 0, cachedPromptTokens: 0 },
        );
      const answer = sum('answer');
      const reply = sum('reply');
      return {
        calls: answer.calls + reply.calls,
        tokens: answer.tokens + reply.tokens,
        costUsd: answer.costUsd + reply.costUsd,
        cachedPromptTokens: answer.cachedPromptTokens + reply.cachedPromptTokens,
        summary: sum('summary').calls,
        embed: sum('embed').calls,
      };
    };
    const before = spent();
    const sessions = new Map<number, string>();
    const observed: Array<Observed | undefined> = [];
    const stepCost: RunResult['stepCost'] = [];
    let hits = 0;
    let requests = 0;
    const hitCurve: Array<[number, number]> = [];
    for (const step of input.steps) {
      const key = keys[step.company];
      const tickets = input.tickets[step.company];
      if (step.kind === 'update') {
        const next = updated(tickets[step.ticket], step.revision);
        tickets[step.ticket] = next;
        await bench.call({ method: 'PUT', path: '/api/v1/tickets', key, body: { tickets: [next] } });
        await waitTicketIndexed(bench, key, next.ticket_id);
        observed.push(undefined);
        stepCost.push(undefined);
        continue;
      }
      requests++;
      const spentBefore = spent();
      const result = await perform(bench, key, step, tickets, sessions);
      const spentAfter = spent();
      stepCost.push({
        calls: spentAfter.calls - spentBefore.calls,
        tokens: spentAfter.tokens - spentBefore.tokens,
      });
      if (result.cached) hits++;
      hitCurve.push([requests, (100 * hits) / requests]);
      observed.push(result);
    }
    const after = spent();
    return {
      observed,
      stepCost,
      calls: after.calls - before.calls,
      tokens: after.tokens - before.tokens,
      costUsd: after.costUsd - before.costUsd,
      cachedPromptTokens: after.cachedPromptTokens - before.cachedPromptTokens,
      summaryCalls: after.summary - before.summary,
      embedCalls: after.embed - before.embed,
      hits,
      requests,
      hitCurve,
    };
  } finally {
    await bench.close();
  }
}

async function perform(
  bench: AssistBenchApp,
  key: string,
  step: Exclude<Step, { kind: 'update' }>,
  tickets: TicketDto[],
  sessions: Map<number, string>,
): Promise<Observed> {
  const post = async (path: string, body: unknown) => {
    const res = await bench.call({ method: 'POST', path, key, body });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const ids = (sources: Array<{ type: string; id: string }>) => sources.map((s) => `${s.type}:${s.id}`);
  switch (step.kind) {
    case 'init': {
      const body = await post('/api/v1/init', { ticket_id: tickets[step.ticket].ticket_id });
      sessions.set(step.agent, body.session_id);
      return {
        text: body.summary,
        cached: body.cached,
        partial: body.partial === true,
        sourceIds: [...body.similar_tickets.map((t: { ticket_id: string }) => `ticket:${t.ticket_id}`)],
      };
    }
    case 'query': {
      // Sessions are state, not a cache: they work with caching off too, so both runs build the same prompts.
      const body = await post('/api/v1/query', {
        query: QUESTIONS[step.question],
        session_id: sessions.get(step.agent),
      });
      return {
        text: body.answer,
        cached: body.cached,
        partial: body.partial === true,
        sourceIds: ids(body.sources),
      };
    }
    case 'reply': {
      const request = {
        ticket_id: tickets[step.ticket].ticket_id,
        ...(step.instructions ? { instructions: step.instructions } : {}),
      };
      if (!step.stream) {
        const body = await post('/api/v1/reply', request);
        return {
          text: body.draft,
          cached: body.cached,
          partial: body.partial === true,
          sourceIds: ids(body.sources),
        };
      }
      const started = performance.now();
      const response = await fetch(`${bench.url}/api/v1/reply`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(request),
      });
      const { events } = await readEventStream(response, started);
      const done = events.at(-1);
      if (done?.event !== 'done') throw new Error(`/reply SSE ended with ${done?.event}`);
      return {
        text: done.data.draft,
        cached: done.data.cached,
        partial: done.data.partial === true,
        sourceIds: ids(done.data.sources),
      };
    }
  }
}

type Purpose = 'query' | 'reply';
interface Tally {
  requests: number;
  calls: number;
  tokens: number;
}

/**
 * Where the chat tokens of a run went: per purpose, and for the cached run per reason of each paid step,
 * classified from the workload alone (what was asked before, for which ticket, at which ticket revision):
 *  - query: first sight (the question never asked in this company), other ticket (asked before, never in
 *    this ticket's sessions; split by whether the wording refers to the case, or the ticket was put in the
 *    prompt by a ticket-term rule), changed ticket (asked in this ticket's sessions before its last update),
 *    repeat (asked in this ticket's sessions at this revision: a changed source elsewhere, or a race);
 *  - reply: first sight (the ticket never drafted), changed ticket (drafted before its last update),
 *    instructions variant (drafted at this revision, never with these instructions), repeat.
 * "Refers to the case" is the wording alone (refersToCase): "my card" counts even where the ticket, which has
 * no card, stays out of the prompt (then the step is usually a hit).
 */

/**
 * Visits every request of the workload in order with the revision its ticket is at (updates bump it): for a
 * reply its own ticket, for a query the ticket of the agent's session (-1 before any /init).
 */
function forEachRequest(
  steps: Step[],
  visit: (step: Exclude<Step, { kind: 'update' }>, index: number, ticket: number, revision: number) => void,
): void {
  const revision = new Map<string, number>();
  const ticketOf = new Map<string, number>();
  steps.forEach((step, i) => {
    if (step.kind === 'update') {
      const id = `${step.company}:${step.ticket}`;
      revision.set(id, (revision.get(id) ?? 0) + 1);
      return;
    }
    if (step.kind === 'init') ticketOf.set(`${step.company}:${step.agent}`, step.ticket);
    const ticket =
      step.kind === 'query' ? (ticketOf.get(`${step.company}:${step.agent}`) ?? -1) : step.ticket;
    visit(step, i, ticket, revision.get(`${step.company}:${ticket}`) ?? 0);
  });
}

function breakdown(steps: Step[], run: RunResult): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  const add = (name: string, cost: { calls: number; tokens: number }) => {
    const t = (out[name] ??= { requests: 0, calls: 0, tokens: 0 });
    t.requests++;
    t.calls += cost.calls;
    t.tokens += cost.tokens;
  };
  const seen = new Set<string>();
  forEachRequest(steps, (step, i, ticket, rev) => {
    if (step.kind === 'init') return;
    const cost = run.stepCost[i] ?? { calls: 0, tokens: 0 };
    const purpose: Purpose = step.kind;
    const what = step.kind === 'query' ? `q${step.question}` : `r${step.instructions ?? ''}`;
    const company = `${step.company}:${what}`;
    const inTicket = `${company}:${ticket}`;
    const exact = `${inTicket}:${rev}`;
    let reason: string;
    if (seen.has(exact)) reason = 'repeat';
    else if (step.kind === 'query') {
      reason = !seen.has(company) ? 'first sight' : !seen.has(inTicket) ? 'other ticket' : 'changed ticket';
      // Which rule put the ticket in the prompt, when it is the wording (the other rules need the ticket).
      if (reason === 'other ticket')
        reason += refersToCase(QUESTIONS[step.question]) ? ' (refers to the case)' : ' (ticket terms)';
    } else {
      const anyDraft = [...seen].some((k) => k.startsWith(`${step.company}:r`) && k.includes(`:${ticket}:`));
      reason = !anyDraft
        ? 'first sight'
        : !seen.has(inTicket) || seen.has(`${step.company}:r:${ticket}:${rev}`)
          ? 'instructions variant'
          : 'changed ticket';
    }
    seen.add(company);
    seen.add(inTicket);
    seen.add(exact);
    add(purpose, cost);
    if (cost.calls > 0) add(`${purpose} paid: ${reason}`, cost);
  });
  return out;
}

/**
 * The least any cache could pay on this workload, in the uncached run's tokens: a question the first time it is
 * asked in a company, and a draft the first time it is requested for a ticket at a revision with given
 * instructions. This credits a cache with every other request, even an answer about another customer's case, so
 * it is a floor no design can go under, not a target.
 */
function floorOfAnyCache(
  steps: Step[],
  off: RunResult,
): { tokens: number; firstQuestions: number; firstDrafts: number } {
  const seen = new Set<string>();
  let firstQuestions = 0;
  let firstDrafts = 0;
  forEachRequest(steps, (step, i, ticket, revision) => {
    if (step.kind === 'init') return;
    const key =
      step.kind === 'query'
        ? `${step.company}:q${step.question}`
        : `${step.company}:r${step.instructions ?? ''}:${ticket}:${revision}`;
    if (seen.has(key)) return;
    seen.add(key);
    const tokens = off.stepCost[i]?.tokens ?? 0;
    if (step.kind === 'query') firstQuestions += tokens;
    else firstDrafts += tokens;
  });
  return { tokens: firstQuestions + firstDrafts, firstQuestions, firstDrafts };
}

/**
 * Hits that are wrong: stale, or another company's. A hit's sources must be the ones the uncached run retrieved
 * at the same step, and its text the one computed for the same request: the uncached run's, or, when the cached
 * run itself computed this request (same company, question or instructions, ticket and revision) with a
 * derived prompt (a case question adapted from the company-wide answer, a draft rewritten for other
 * instructions), the text that miss stored, since the uncached run never builds a derived prompt. A hit served
 * from before the ticket's last update finds no such miss and is compared with the uncached run's text. A source
 * of the other company in any response is a cross-company leak.
 */
function wrongHits(steps: Step[], off: RunResult, on: RunResult): { wrong: number; crossCompany: number } {
  let wrong = 0;
  let crossCompany = 0;
  const computed = new Map<string, string>();
  forEachRequest(steps, (step, i, ticket, revision) => {
    const cached = on.observed[i];
    const fresh = off.observed[i];
    if (!cached || !fresh) return;
    const other = PREFIX[1 - step.company];
    if (cached.sourceIds.some((id) => id.startsWith(`ticket:${other}`))) crossCompany++;
    const request =
      step.kind === 'query'
        ? `q${step.question}`
        : step.kind === 'reply'
          ? `r${step.instructions ?? ''}`
          : 'init';
    const identity = `${step.company}:${request}:${ticket}:${revision}`;
    if (!cached.cached) {
      if (!cached.partial) computed.set(identity, cached.text);
      return;
    }
    // Both runs ask in the same sessions, so every response, /query included, is compared like with like.
    const text = computed.get(identity) ?? fresh.text;
    if (cached.text !== text || cached.sourceIds.join() !== fresh.sourceIds.join()) {
      wrong++;
      if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ i, step, cached, fresh, expected: text }));
    }
  });
  return { wrong, crossCompany };
}

async function waitTicketIndexed(bench: AssistBenchApp, key: string, ticketId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await bench.call({ method: 'GET', path: `/api/v1/tickets/${ticketId}`, key });
    if (res.body.index_state !== 'pending') break;
    if (Date.now() > deadline) throw new Error(`${ticketId} not re-indexed in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const ticketCount = args.quick ? 12 : 40;
  const steps = workload({ tickets: ticketCount, seed: 5, updateEvery: args.quick ? 3 : 5 });
  const corpus = () =>
    COMPANIES.map((_, i) => [
      ...generateTickets(ticketCount, { seed: 31, koreanRatio: 0.3, idPrefix: PREFIX[i] }),
    ]);
  const fake = await FakeOpenAiServer.start({ embeddingDimension: 64 });
  console.log(`workload: ${steps.length} steps over ${ticketCount} tickets × ${COMPANIES.length} companies`);
  let off: RunResult;
  let on: RunResult;
  try {
    console.log('replaying with caching off ...');
    off = await run({ cache: false, steps, tickets: corpus(), fake });
    console.log('replaying with caching on ...');
    on = await run({ cache: true, steps, tickets: corpus(), fake });
  } finally {
    await fake.close();
  }

  const { wrong, crossCompany } = wrongHits(steps, off, on);

  const ratio = off.tokens > 0 ? on.tokens / off.tokens : Number.NaN;
  const offParts = breakdown(steps, off);
  const onParts = breakdown(steps, on);
  const partRows: BenchRow[] = [];
  for (const purpose of ['query', 'reply'] as const) {
    const a = offParts[purpose] ?? { requests: 0, calls: 0, tokens: 0 };
    const b = onParts[purpose] ?? { requests: 0, calls: 0, tokens: 0 };
    partRows.push(
      info({
        name: `/${purpose}: requests; calls off → on; tokens off → on (ratio)`,
        value: `${a.requests}; ${a.calls} → ${b.calls}; ${a.tokens} → ${b.tokens} (${(b.tokens / a.tokens).toFixed(3)})`,
        unit: '',
      }),
    );
    for (const [name, t] of Object.entries(onParts).filter(([n]) => n.startsWith(`${purpose} paid:`)))
      partRows.push(
        info({
          name: `caching on, /${name.replace(' paid:', ' miss:')}`,
          value: `${t.calls} calls, ${t.tokens} tokens (${((100 * t.tokens) / off.tokens).toFixed(1)}% of off)`,
          unit: '',
        }),
      );
  }
  const floor = floorOfAnyCache(steps, off);
  const rows: BenchRow[] = [
    info({ name: 'requests replayed (per run)', value: on.requests, unit: '' }),
    info({ name: 'LLM calls, caching off', value: off.calls, unit: 'calls' }),
    info({ name: 'LLM calls, caching on', value: on.calls, unit: 'calls' }),
    info({ name: 'LLM tokens, caching off', value: off.tokens, unit: 'tokens' }),
    info({ name: 'LLM tokens, caching on', value: on.tokens, unit: 'tokens' }),
    // Four places: the ratio sits within a thousandth of its target.
    atMost({ name: 'token ratio on/off', value: ratio, limit: 0.2, unit: '', decimals: 4 }),
    info({
      name: 'least any cache could pay: first sight of each question and of each draft request',
      value: `${(floor.tokens / off.tokens).toFixed(3)} (questions ${((100 * floor.firstQuestions) / off.tokens).toFixed(1)}%, drafts ${((100 * floor.firstDrafts) / off.tokens).toFixed(1)}% of off)`,
      unit: '',
    }),
    info({
      name: 'LLM cost off → on (USD at the chat model list prices; ratio)',
      value: `${off.costUsd.toFixed(4)} → ${on.costUsd.toFixed(4)} (${(on.costUsd / off.costUsd).toFixed(3)})`,
      unit: '',
    }),
    info({
      name: "prompt tokens the provider's prompt cache served, off / on",
      value: `${off.cachedPromptTokens} / ${on.cachedPromptTokens}`,
      unit: '',
    }),
    info({ name: 'call ratio on/off', value: off.calls > 0 ? on.calls / off.calls : Number.NaN, unit: '' }),
    info({ name: 'responses served from cache', value: (100 * on.hits) / on.requests, unit: '%' }),
    ...partRows,
    info({
      name: 'summary calls (indexing + /init), off / on',
      value: `${off.summaryCalls} / ${on.summaryCalls}`,
      unit: '',
    }),
    info({ name: 'embedding calls, off / on', value: `${off.embedCalls} / ${on.embedCalls}`, unit: '' }),
    verdict({ name: 'wrong cache hits', target: '= 0', value: wrong, unit: '', pass: wrong === 0 }),
    verdict({
      name: 'cross-company hits',
      target: '= 0',
      value: crossCompany,
      unit: '',
      pass: crossCompany === 0,
    }),
  ];
  emitResult(
    {
      part: 'cost',
      rows,
      series: {
        hitRatio: {
          title: 'Cache hit ratio over the cost replay (caching on)',
          xLabel: 'requests replayed',
          yLabel: 'served from cache, cumulative (%)',
          series: { 'caching on': on.hitCurve },
        },
      },
      notes: [
        'LLM calls and tokens: chat completions for /query answers and /reply drafts (UsageLedger), in the replay phase.',
        'Wrong hits: cached /init, /query and /reply responses that differ (text or sources) from the uncached run at the same step (both runs use sessions: the session layer is state and stays on with CACHE_ENABLED=false).',
        "Provider prompt cache: the OpenAI double reports OpenAI's automatic prefix caching (prompts of 1,024 tokens or more), priced at the cached-input rate; this replay's prompts are shorter, so it serves none here.",
        'Misses by reason are classified from the workload: first sight (never asked in the company / ticket never drafted), other ticket (asked before, not in this ticket), changed ticket (asked or drafted before its last update), instructions variant, repeat (same question, ticket and revision: a changed source elsewhere).',
      ],
    },
    args,
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
