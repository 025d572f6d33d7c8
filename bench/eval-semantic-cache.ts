/**
 * Semantic cache safety: for pairs of customer messages, would the semantic layer reuse one's answer for
 * the other? Runs the layer's own code (int8 quantization + cosine from semantic-index, the guard from
 * question-guard) on the local hashing embedder's vectors; an OpenAI embedder only changes where the vectors
 * come from. Data: BANKING77 and Bitext from ../shared/data (intent labels; Bitext entity annotations).
 *
 *   npm run eval:semantic-cache [-- --quick] [-- --json out.json]
 *
 * A lookup compares the incoming question with the nearest cached ones, so pairs are formed the same way:
 * for each sampled anchor message, its nearest message of the same intent and its nearest message of another
 * intent among a pool of 2,000 others (the "cached" questions):
 *   safe      same intent, and no difference that could change the answer (below)          → a hit is right
 *   unsafe    same intent, but different annotated entities (order id, amount, account type, name, city),
 *             different digits, or one negated and not the other                            → a hit is wrong
 *   confusable the nearest message of a different intent                                    → a hit is wrong
 * The "truth" of `unsafe` comes from the dataset's annotations and plain digit and negation-word checks,
 * not from the guard's own rules. hit rate = hits / safe pairs; wrong-hit rate = hits / (unsafe +
 * confusable pairs). The default threshold is the lowest whose wrong-hit rate, guard on, is ≤ 1%.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { loadConfig } from '../src/config/config';
import { compareQuestions } from '../src/modules/assist/semantic/domain/question-guard';
import { cosine, quantize } from '../src/modules/assist/semantic/domain/semantic-index';
import { hashingEmbed } from '../src/modules/llm/domain/hashing-embedding';
import { BenchRow, emitResult, info, parseBenchArgs, verdict } from './lib/bench-output';
import { DATA_DIR, sampleIndices } from './lib/dataset';

const THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98];
const MAX_WRONG_HIT_RATE = 0.01;
/** The questions "already cached": each anchor is compared with its nearest pool entries, as a lookup is. */
const POOL = 2_000;
const DATASETS = [
  { name: 'BANKING77', file: 'banking77_en.jsonl.gz' },
  { name: 'Bitext', file: 'bitext_customer_support_en.jsonl.gz' },
];

interface Message {
  body: string;
  intent: string;
  entities: string[];
}

type PairKind = 'safe' | 'unsafe' | 'confusable';

interface Pair {
  kind: PairKind;
  similarity: number;
  guardSafe: boolean;
}

async function readMessages(file: string): Promise<Message[]> {
  const path = resolve(DATA_DIR, file);
  if (!existsSync(path)) {
    throw new Error(
      `Dataset not found: ${path}. npm run eval:semantic-cache reads ../shared/data beside the repository.`,
    );
  }
  const out: Message[] = [];
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as {
      body: string;
      intent: string;
      entities?: Array<{ type: string; value: string }>;
    };
    out.push({
      body: row.body,
      intent: row.intent,
      entities: (row.entities ?? []).map((e) => `${e.type}=${e.value.toLowerCase()}`).sort(),
    });
  }
  return out;
}

const NEGATION = /\b(not|no|never|without|cannot|none|nothing)\b|n['’]t\b/i;
const digits = (text: string) =>
  (text.match(/\d+/g) ?? [])
    .map((d) => String(Number(d)))
    .sort()
    .join(',');

/** Whether reusing a's answer for b could be wrong although both have the same intent (independent of the guard). */
function answerMayDiffer(a: Message, b: Message): boolean {
  return (
    a.entities.join('|') !== b.entities.join('|') ||
    digits(a.body) !== digits(b.body) ||
    NEGATION.test(a.body) !== NEGATION.test(b.body)
  );
}

function buildPairs(messages: Message[], anchors: number, dimension: number): Pair[] {
  const vectors = new Map<number, Int8Array>();
  const vector = (i: number) => {
    let v = vectors.get(i);
    if (!v) vectors.set(i, (v = quantize(hashingEmbed(messages[i].body, { dimension }))));
    return v;
  };
  const pool = sampleIndices(messages.length, POOL, 11);
  const inPool = new Set(pool);
  const pairs: Pair[] = [];
  const pair = (kind: PairKind, cached: number, incoming: number, similarity: number) =>
    pairs.push({
      kind,
      similarity,
      guardSafe: compareQuestions(messages[incoming].body, messages[cached].body).safe,
    });

  for (const a of sampleIndices(messages.length, anchors, 42).filter((i) => !inPool.has(i))) {
    const nearest = { same: { index: -1, score: -Infinity }, other: { index: -1, score: -Infinity } };
    for (const c of pool) {
      const score = cosine(vector(a), vector(c));
      const slot = messages[c].intent === messages[a].intent ? nearest.same : nearest.other;
      if (score > slot.score) [slot.score, slot.index] = [score, c];
    }
    const { same, other } = nearest;
    if (same.index >= 0)
      pair(answerMayDiffer(messages[a], messages[same.index]) ? 'unsafe' : 'safe', same.index, a, same.score);
    if (other.index >= 0) pair('confusable', other.index, a, other.score);
  }
  return pairs;
}

interface Rates {
  threshold: number;
  hitRate: number;
  wrongHitRate: number;
  wrongHitRateNoGuard: number;
  hitRateNoGuard: number;
  wrongShareOfHits: number;
}

function rates(pairs: Pair[], threshold: number): Rates {
  const safe = pairs.filter((p) => p.kind === 'safe');
  const wrong = pairs.filter((p) => p.kind !== 'safe');
  const hit = (p: Pair, guard: boolean) => p.similarity >= threshold && (!guard || p.guardSafe);
  const count = (list: Pair[], guard: boolean) => list.filter((p) => hit(p, guard)).length;
  const rightHits = count(safe, true);
  const wrongHits = count(wrong, true);
  return {
    threshold,
    hitRate: rightHits / Math.max(1, safe.length),
    hitRateNoGuard: count(safe, false) / Math.max(1, safe.length),
    wrongHitRate: wrongHits / Math.max(1, wrong.length),
    wrongHitRateNoGuard: count(wrong, false) / Math.max(1, wrong.length),
    wrongShareOfHits: wrongHits / Math.max(1, rightHits + wrongHits),
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const anchors = args.quick ? 600 : 3000;
  const config = loadConfig({});
  const dimension = config.llm.localEmbeddingDimension;
  const allPairs: Pair[] = [];
  const series: Record<string, Rates[]> = {};
  for (const dataset of DATASETS) {
    const pairs = buildPairs(await readMessages(dataset.file), anchors, dimension);
    allPairs.push(...pairs);
    series[dataset.name] = THRESHOLDS.map((t) => rates(pairs, t));
    const counts = (kind: PairKind) => pairs.filter((p) => p.kind === kind).length;
    console.log(
      `${dataset.name}: ${counts('safe')} safe, ${counts('unsafe')} unsafe same-intent, ${counts('confusable')} confusable pairs`,
    );
  }
  series.all = THRESHOLDS.map((t) => rates(allPairs, t));

  const pct = (x: number) => Math.round(x * 1000) / 10;
  console.log('\nthreshold  hit% (guard / none)   wrong-hit% (guard / none)   wrong share of hits% (guard)');
  for (const r of series.all) {
    console.log(
      `${r.threshold.toFixed(2)}       ${String(pct(r.hitRate)).padStart(5)} / ${String(pct(r.hitRateNoGuard)).padEnd(5)}        ` +
        `${String(pct(r.wrongHitRate)).padStart(5)} / ${String(pct(r.wrongHitRateNoGuard)).padEnd(5)}              ${pct(r.wrongShareOfHits)}`,
    );
  }

  const chosen = series.all.find((r) => r.wrongHitRate <= MAX_WRONG_HIT_RATE);
  const configured = config.semanticCache.semantic.threshold;
  const atConfigured = rates(allPairs, configured);
  const rows: BenchRow[] = [
    info({ name: 'pairs evaluated', value: allPairs.length, unit: 'pairs' }),
    info({
      name: 'recommended threshold (lowest with wrong hits ≤ 1%, guard on)',
      value: chosen?.threshold ?? 'none',
      unit: 'cosine',
    }),
    verdict({
      name: `wrong-hit rate at the configured threshold ${configured} (guard on)`,
      target: '≤ 1 %',
      value: pct(atConfigured.wrongHitRate),
      unit: '%',
      pass: atConfigured.wrongHitRate <= MAX_WRONG_HIT_RATE,
    }),
    info({
      name: `wrong-hit rate at ${configured}, guard off`,
      value: pct(atConfigured.wrongHitRateNoGuard),
      unit: '%',
    }),
    info({
      name: `hit rate on safe same-intent pairs at ${configured} (guard on)`,
      value: pct(atConfigured.hitRate),
      unit: '%',
    }),
    info({
      name: `hit rate at ${configured}, guard off`,
      value: pct(atConfigured.hitRateNoGuard),
      unit: '%',
    }),
    info({
      name: `share of hits that are wrong at ${configured} (this pair mix, guard on)`,
      value: pct(atConfigured.wrongShareOfHits),
      unit: '%',
    }),
  ];
  emitResult(
    {
      part: 'semantic-cache',
      rows,
      series,
      notes: [
        `local hashing embedder, dimension ${dimension}; the OpenAI path runs the same quantization, cosine and guard`,
        'GPTCache reports a 5.6% wrong-hit rate at 0.95 for comparison (different data and embedder)',
      ],
    },
    args,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
