import { splitSentences } from './sentence-splitter';
import { contentTerms } from './text-features';

export interface ExtractiveSummaryOptions {
  /** Hard upper bound on the summary length, in characters. */
  maxChars: number;
  maxSentences?: number;
  /** 0..1: how strongly a sentence similar to one already chosen is penalized (MMR). */
  redundancyPenalty?: number;
  /** Sentences scoring below this share of the best one are left out even when there is room. */
  minRelativeScore?: number;
}

export interface ExtractiveSummary {
  summary: string;
  /** Indices of the chosen sentences in the split text, in reading order. */
  chosen: number[];
  sentenceCount: number;
}

/** Term-vector cosine above which a sentence only restates one already chosen. */
const NEAR_DUPLICATE = 0.8;

interface ScoredSentence {
  index: number;
  text: string;
  terms: Map<string, number>;
  score: number;
}

/**
 * Extractive summary: split into sentences, score each by position (openings state the problem in
 * support text), by the document-level weight of its content terms, then pick greedily with a redundancy
 * penalty (maximal marginal relevance) until the length bound is reached. Output keeps reading order.
 */
export function summarizeExtractive(text: string, options: ExtractiveSummaryOptions): ExtractiveSummary {
  const { maxChars, maxSentences = 5, redundancyPenalty = 0.7, minRelativeScore = 0.3 } = options;
  const sentences = splitSentences(text);
  if (sentences.length === 0) return { summary: '', chosen: [], sentenceCount: 0 };

  const documentTf = new Map<string, number>();
  const perSentence = sentences.map((sentence) => {
    const terms = new Map<string, number>();
    for (const term of contentTerms(sentence)) terms.set(term, (terms.get(term) ?? 0) + 1);
    for (const term of terms.keys()) documentTf.set(term, (documentTf.get(term) ?? 0) + 1);
    return terms;
  });

  const scored: ScoredSentence[] = sentences.map((sentence, index) => {
    const terms = perSentence[index];
    let termWeight = 0;
    // Terms repeated across sentences are what the text is about (a one-off aside scores near zero);
    // log damping keeps one word from dominating.
    for (const term of terms.keys()) termWeight += Math.log1p((documentTf.get(term) ?? 1) - 1) + 0.15;
    const lengthNorm = Math.sqrt(Math.max(terms.size, 1));
    const position = 1 + 0.6 * Math.pow(1 - index / sentences.length, 2) + (index === 0 ? 0.4 : 0);
    const tooShort = terms.size < 2 ? 0.4 : 1;
    return { index, text: sentence, terms, score: (termWeight / lengthNorm) * position * tooShort };
  });

  const maxScore = Math.max(...scored.map((s) => s.score), 1e-9);
  const chosen: ScoredSentence[] = [];
  const remaining = [...scored];
  let length = 0;
  while (remaining.length > 0 && chosen.length < maxSentences) {
    let best = -1;
    let bestValue = -Infinity;
    let bestSimilarity = 0;
    remaining.forEach((candidate, i) => {
      const similarity = Math.max(0, ...chosen.map((c) => cosine(candidate.terms, c.terms)));
      const value = candidate.score / maxScore - redundancyPenalty * similarity;
      if (value > bestValue) [best, bestValue, bestSimilarity] = [i, value, similarity];
    });
    const [candidate] = remaining.splice(best, 1);
    const nearDuplicate = bestSimilarity >= NEAR_DUPLICATE;
    if (chosen.length > 0 && (nearDuplicate || candidate.score / maxScore < minRelativeScore)) continue;
    const separator = chosen.length > 0 ? 1 : 0;
    if (length + separator + candidate.text.length <= maxChars) {
      chosen.push(candidate);
      length += separator + candidate.text.length;
    } else if (chosen.length === 0) {
      // The best sentence alone is too long: keep its beginning, cut at a word boundary.
      chosen.push({ ...candidate, text: truncateAtWord(candidate.text, maxChars) });
      break;
    }
  }
  chosen.sort((a, b) => a.index - b.index);
  return {
    summary: chosen.map((c) => c.text).join(' '),
    chosen: chosen.map((c) => c.index),
    sentenceCount: sentences.length,
  };
}

export function truncateAtWord(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const head = chars.slice(0, Math.max(0, maxChars - 1)).join('');
  const lastSpace = head.lastIndexOf(' ');
  return `${lastSpace > head.length * 0.6 ? head.slice(0, lastSpace) : head}…`;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [term, count] of a) dot += count * (b.get(term) ?? 0);
  if (dot === 0) return 0;
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  return dot / (norm(a) * norm(b));
}
