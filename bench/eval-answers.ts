/**
 * Answers an agent can trust, measured through the HTTP API on ../shared/data (embedded mode):
 *   npm run eval:answers [-- --llm=local|openai-double] [--corpus=N] [--questions=N] [--drafts=N]
 *
 * Two companies: one holds the Bitext tickets (with their agent replies), the other the BANKING77 tickets,
 * each a stratified 90% of its dataset (capped at --corpus). The held-out 10% are the questions:
 * - in scope: a company's own held-out messages through POST /query: answered with at least one source;
 * - out of scope: the other dataset's held-out messages asked of it: answered "nothing found"
 *   (grounded false, no sources);
 * - citation validity over every answer and draft: each [n] names an existing source, sources are distinct,
 *   and each source is one POST /search retrieved for the same text;
 * - drafts: held-out Bitext messages stored as open tickets, POST /reply; a draft must not contain an
 *   identifier (order/account/invoice number, e-mail) of another customer's ticket;
 * - follow-ups: POST /query, then "How long does that take?" in the same session: the share of follow-ups
 *   whose sources share one with the first answer's (the answer builds on the previous turn).
 * With --llm=openai-double the chat model is the OpenAI double from test/fakes (its embeddings too, so the
 * relevance numbers are the local embedder's only with --llm=local).
 */
import { readSupportDataset, SupportRecord } from './lib/dataset';
import { EvalApp, heldOutSplit, ingestTickets, recordAsTicket, startEvalApp } from './lib/eval-app';
import { printTable } from './lib/stats';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

interface Company {
  name: string;
  key: string;
  corpus: SupportRecord[];
  heldOut: SupportRecord[];
}

interface Tally {
  answers: number;
  citationsChecked: number;
  invalidCitations: number;
  unretrievedSources: number;
  /** OpenAI double only: model answers whose prompt's numbered blocks were compared with the sources returned. */
  promptsChecked: number;
  /** Of those, prompts whose blocks ([n], type, title, in order) differ from the returned sources. */
  promptMismatches: number;
  /** Each cited source /search did not retrieve: the text asked and the source, printed at the end. */
  unretrieved: string[];
}

/**
 * With the OpenAI double, after an answer the model wrote (not cached): the numbered blocks of the prompt it
 * was given must be the returned sources, in order, so every [n] the model could write names sources[n-1]
 * (a prompt budget trims the blocks' texts, never their numbers).
 */
type PromptCheck = (body: { sources: SourceRef[]; cached: boolean }) => void;

const FOLLOW_UP = 'How long does that take?';

async function main(): Promise<void> {
  const llm = arg('llm', 'local');
  const corpusCap = Number(arg('corpus', '3000'));
  const questionCap = Number(arg('questions', '300'));
  const draftCount = Number(arg('drafts', '150'));
  const double =
    llm === 'openai-double'
      ? await FakeOpenAiServer.start({ latencyMs: 0, embeddingDimension: 64 })
      : undefined;
  if (llm !== 'local' && !double) throw new Error(`--llm=${llm}: local|openai-double`);
  const client = await startEvalApp('embedded', {
    ASSIST_PREFETCH_ENABLED: 'false',
    // Evaluations wait for the model: a deadline would turn answers into partial local ones.
    ASSIST_QUERY_DEADLINE_MS: '60000',
    ASSIST_REPLY_DEADLINE_MS: '60000',
    ...(double
      ? { OPENAI_BASE_URL: double.url, OPENAI_API_KEY: 'sk-eval', LLM_EMBEDDING_DIMENSION: '64' }
      : {}),
  });
  const tally: Tally = {
    answers: 0,
    citationsChecked: 0,
    invalidCitations: 0,
    unretrievedSources: 0,
    promptsChecked: 0,
    promptMismatches: 0,
    unretrieved: [],
  };
  const checkPrompt: PromptCheck = ({ sources, cached }) => {
    const body = double?.chatBodies.at(-1) as { messages: Array<{ content: string }> } | undefined;
    if (!body || cached || sources.length === 0) return;
    const user = String(body.messages.at(-1)?.content);
    const blocks = [...user.matchAll(/^\[(\d+)\] \((ticket|article)(?:: (.*))?\)$/gm)].map(
      (m) => `${m[1]}|${m[2]}|${m[3] ?? ''}`,
    );
    tally.promptsChecked++;
    // A header shows its title on one line (runs of white space as one space: sources.format.ts).
    const shown = (title: string | undefined) => (title ?? '').replace(/\s+/gu, ' ').trim();
    if (blocks.join() !== sources.map((s) => `${s.ref}|${s.type}|${shown(s.title)}`).join())
      tally.promptMismatches++;
  };
  const rows: Record<string, string | number>[] = [];
  const sweep: SweepRow[] = [];
  try {
    const companies: Company[] = [];
    for (const [name, file] of [
      ['bitext', 'bitext_customer_support_en.jsonl.gz'],
      ['banking77', 'banking77_en.jsonl.gz'],
    ] as const) {
      const records = await readSupportDataset(file);
      const { corpus, queries } = heldOutSplit(records, 0.1);
      const kept = corpus.filter((_, i) => i % Math.ceil(corpus.length / corpusCap) === 0);
      const key = await client.createCompany(`answers-${name}`);
      await ingestTickets(
        client,
        key,
        kept.map((r, i) => recordAsTicket(r, i, true)),
      );
      companies.push({ name, key, corpus: kept, heldOut: spread(queries, questionCap) });
      console.log(`${name}: ${kept.length} tickets indexed`);
    }

    for (const company of companies) {
      const other = companies.find((c) => c !== company)!;
      const inScope = await askAll(client, company, company.heldOut, tally, checkPrompt);
      const outOfScope = await askAll(client, company, other.heldOut, tally, checkPrompt);
      sweep.push({
        company: company.name,
        inScope: inScope.bestScores,
        outOfScope: outOfScope.bestScores,
        inKw: inScope.bestKeyword,
        outKw: outOfScope.bestKeyword,
        inGr: inScope.bestGrounding,
        outGr: outOfScope.bestGrounding,
      });
      // Where out-of-scope questions were answered anyway: the two datasets share topics (refunds, cards,
      // passwords, closing an account), and a question on a shared topic is answerable from the other's tickets.
      const answeredOut = [...outOfScope.byIntent]
        .filter(([, t]) => t.answered > 0)
        .sort((a, b) => b[1].answered - a[1].answered || (a[0] < b[0] ? -1 : 1))
        .map(([intent, t]) => `${intent} ${t.answered}/${t.asked}`);
      console.log(`\n${other.name} questions asked of ${company.name} and answered, by intent: ${answeredOut.join(', ') || 'none'}`);
      rows.push({
        company: company.name,
        'in-scope answered with ≥ 1 source': share(inScope.grounded, company.heldOut.length),
        'out of scope': other.name,
        'out-of-scope answered "nothing found"': share(
          other.heldOut.length - outOfScope.grounded,
          other.heldOut.length,
        ),
      });
    }

    const bitext = companies[0];
    const drafts = await draftReplies(client, bitext, draftCount, tally, checkPrompt);
    const followUps = await askFollowUps(client, bitext, Math.min(100, bitext.heldOut.length), tally);
    printSweep('best ticket cosine', [0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6], sweep, (c) => [
      c.inScope,
      c.outOfScope,
    ]);
    printSweep(
      'best cosine + keyword score (the grounding relevance)',
      [0.6, 0.64, 0.68, 0.72, 0.76, 0.8, 0.9],
      sweep,
      (c) => [c.inGr, c.outGr],
    );
    printSweep('best normalized keyword score', [0.2, 0.25, 0.3, 0.35, 0.4, 0.5], sweep, (c) => [
      c.inKw,
      c.outKw,
    ]);
    printTable(rows);
    printTable([
      {
        llm,
        'answers + drafts checked': tally.answers,
        '[n] citations checked': tally.citationsChecked,
        'citation validity': share(
          tally.citationsChecked - tally.invalidCitations - tally.unretrievedSources,
          tally.citationsChecked,
        ),
        'invalid [n]': tally.invalidCitations,
        'sources not retrieved': tally.unretrievedSources,
        ...(double
          ? {
              'prompts whose numbered blocks ≠ sources': `${tally.promptMismatches} of ${tally.promptsChecked}`,
            }
          : {}),
        drafts: drafts.count,
        'drafts grounded': share(drafts.grounded, drafts.count),
        "drafts with another customer's identifier": drafts.leaking,
        'follow-ups using the previous turn': share(followUps.usingPrevious, followUps.count),
      },
    ]);
    for (const line of tally.unretrieved) console.log(`cited, not in /search's top 50: ${line}`);
  } finally {
    await client.close();
    await double?.close();
  }
}

interface SweepRow {
  company: string;
  inScope: number[];
  outOfScope: number[];
  inKw: number[];
  outKw: number[];
  inGr: number[];
  outGr: number[];
}

/** Per floor and company: in-scope questions whose best score reaches it, out-of-scope ones whose best stays below. */
function printSweep(
  what: string,
  floors: number[],
  sweep: SweepRow[],
  pick: (row: SweepRow) => [inScope: number[], outOfScope: number[]],
): void {
  console.log(`\nFloor sweep: ${what} per question (/search)`);
  printTable(
    floors.flatMap((floor) =>
      sweep.map((row) => {
        const [inScope, outOfScope] = pick(row);
        return {
          floor,
          company: row.company,
          'in scope ≥ floor': share(inScope.filter((s) => s >= floor).length, inScope.length),
          'out of scope < floor': share(outOfScope.filter((s) => s < floor).length, outOfScope.length),
        };
      }),
    ),
  );
}

/** Every n-th record, so a capped list still spans every intent. */
function spread<T>(items: T[], cap: number): T[] {
  const step = Math.max(1, Math.ceil(items.length / cap));
  return items.filter((_, i) => i % step === 0).slice(0, cap);
}

function share(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}% (${part}/${whole})`;
}

interface SourceRef {
  ref: number;
  type: string;
  id: string;
  title?: string;
}

/** Checks one answer or draft: each [n] resolves, and each source is one /search retrieves for the text. */
async function checkCitations(input: {
  client: EvalApp;
  key: string;
  text: string;
  sources: SourceRef[];
  /** The text the sources were retrieved for; undefined when only the numbering is checked. */
  searchText?: string;
  /** Served from the cache: a semantic hit's sources were retrieved for the earlier question it matched. */
  cached?: boolean;
  tally: Tally;
}): Promise<void> {
  const { tally, sources } = input;
  tally.answers++;
  const cited = [...input.text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  for (const n of cited) {
    tally.citationsChecked++;
    if (n < 1 || n > sources.length || sources[n - 1].ref !== n) tally.invalidCitations++;
  }
  if (sources.length === 0 || input.searchText === undefined) return;
  const search = await input.client.call({
    method: 'POST',
    path: '/api/v1/search',
    key: input.key,
    body: { query: input.searchText.slice(0, 2000), limit: 50 },
  });
  const retrieved = new Set(
    (search.body.results as Array<{ type: string; id: string }>).map((r) => `${r.type}:${r.id}`),
  );
  for (const n of new Set(cited)) {
    const source = sources[n - 1];
    if (source && !retrieved.has(`${source.type}:${source.id}`)) {
      tally.unretrievedSources++;
      tally.unretrieved.push(
        `[${n}] ${source.type}:${source.id} cited for ${JSON.stringify(input.searchText)}${input.cached ? ' (answer from the cache)' : ''}`,
      );
    }
  }
}

async function askAll(
  client: EvalApp,
  company: Company,
  questions: SupportRecord[],
  tally: Tally,
  checkPrompt: PromptCheck,
): Promise<{
  grounded: number;
  bestScores: number[];
  bestKeyword: number[];
  bestGrounding: number[];
  /** Per intent of the questions asked: how many, and how many were answered with sources. */
  byIntent: Map<string, { asked: number; answered: number }>;
}> {
  let grounded = 0;
  const byIntent = new Map<string, { asked: number; answered: number }>();
  const bestScores: number[] = [];
  const bestKeyword: number[] = [];
  const bestGrounding: number[] = [];
  for (const question of questions) {
    // The best ticket's cosine, whatever the floor: the distribution the floor is chosen from.
    const best = await client.call({
      method: 'POST',
      path: '/api/v1/search',
      key: company.key,
      body: { query: question.body, data_types: ['tickets'], limit: 5 },
    });
    const results = best.body.results as Array<{ score: number; score_type: string; keyword_score?: number }>;
    const cosines = results.filter((r) => r.score_type === 'cosine').map((r) => r.score);
    const keywords = results.map((r) => (r.score_type === 'keyword' ? r.score : (r.keyword_score ?? 0)));
    bestScores.push(cosines.length > 0 ? Math.max(...cosines) : 0);
    bestKeyword.push(keywords.length > 0 ? Math.max(...keywords) : 0);
    // The grounding relevance the floor applies to (keyword weight 1, the default).
    const grounding = results.map(
      (r) =>
        (r.score_type === 'cosine' ? r.score : 0) +
        (r.score_type === 'keyword' ? r.score : (r.keyword_score ?? 0)),
    );
    bestGrounding.push(grounding.length > 0 ? Math.max(...grounding) : 0);
    const res = await client.call({
      method: 'POST',
      path: '/api/v1/query',
      key: company.key,
      body: { query: question.body },
    });
    if (res.status !== 200) throw new Error(`POST query: ${res.status} ${JSON.stringify(res.body)}`);
    const sources = res.body.sources as SourceRef[];
    if (res.body.grounded !== sources.length > 0)
      throw new Error(`grounded ${String(res.body.grounded)} with ${sources.length} sources`);
    if (sources.length > 0) grounded++;
    const intent = byIntent.get(question.intent) ?? { asked: 0, answered: 0 };
    intent.asked++;
    if (sources.length > 0) intent.answered++;
    byIntent.set(question.intent, intent);
    checkPrompt({ sources, cached: res.body.cached === true });
    await checkCitations({
      client,
      key: company.key,
      text: res.body.answer as string,
      sources,
      searchText: question.body,
      cached: res.body.cached === true,
      tally,
    });
  }
  return { grounded, bestScores, bestKeyword, bestGrounding, byIntent };
}

/** Order, account and invoice numbers (5+ digits, or letters and digits) and e-mail addresses. */
function identifiersIn(text: string): Set<string> {
  const found = text.match(/[\w.+-]+@[\w-]+\.[\w.]+|\b[A-Z]*\d[\dA-Z-]{4,}\b/gi) ?? [];
  return new Set(found.map((id) => id.toLowerCase()));
}

async function draftReplies(
  client: EvalApp,
  company: Company,
  count: number,
  tally: Tally,
  checkPrompt: PromptCheck,
): Promise<{ count: number; grounded: number; leaking: number }> {
  const stored = new Map<string, Set<string>>();
  for (const record of company.corpus) stored.set(record.id, identifiersIn(record.body));
  const open = company.heldOut.slice(0, count).map((record, i) => ({
    ...recordAsTicket(record, 100_000 + i),
    ticket_id: `open-${record.id}`,
    status: 'open',
  }));
  await ingestTickets(client, company.key, open);
  let grounded = 0;
  let leaking = 0;
  for (const ticket of open) {
    const res = await client.call({
      method: 'POST',
      path: '/api/v1/reply',
      key: company.key,
      body: { ticket_id: ticket.ticket_id },
    });
    if (res.status !== 200) throw new Error(`POST reply: ${res.status} ${JSON.stringify(res.body)}`);
    const draft = res.body.draft as string;
    if (res.body.grounded) grounded++;
    const own = identifiersIn(ticket.subject);
    const foreign = [...identifiersIn(draft)].filter(
      (id) => !own.has(id) && [...stored.values()].some((ids) => ids.has(id)),
    );
    if (foreign.length > 0) leaking++;
    checkPrompt({ sources: res.body.sources as SourceRef[], cached: res.body.cached === true });
    await checkCitations({
      client,
      key: company.key,
      text: draft,
      sources: res.body.sources as SourceRef[],
      searchText: ticket.subject,
      tally,
    });
  }
  return { count: open.length, grounded, leaking };
}

async function askFollowUps(
  client: EvalApp,
  company: Company,
  count: number,
  tally: Tally,
): Promise<{ count: number; usingPrevious: number }> {
  let usingPrevious = 0;
  let asked = 0;
  for (const question of company.heldOut.slice(0, count)) {
    const first = await client.call({
      method: 'POST',
      path: '/api/v1/query',
      key: company.key,
      body: { query: question.body },
    });
    const firstSources = new Set((first.body.sources as SourceRef[]).map((s) => `${s.type}:${s.id}`));
    if (firstSources.size === 0) continue;
    const next = await client.call({
      method: 'POST',
      path: '/api/v1/query',
      key: company.key,
      body: { query: FOLLOW_UP, session_id: first.body.session_id },
    });
    if (next.status !== 200) throw new Error(`POST query (follow-up): ${next.status}`);
    asked++;
    const sources = next.body.sources as SourceRef[];
    if (sources.some((s) => firstSources.has(`${s.type}:${s.id}`))) usingPrevious++;
    await checkCitations({
      client,
      key: company.key,
      text: next.body.answer as string,
      sources,
      tally,
    });
  }
  return { count: asked, usingPrevious };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
