/**
 * One numbering of the sources an answer or draft may cite, made once and used by the prompt, the local
 * composer, the response's `sources` and every cached copy: `sources[n - 1].ref === n`, so a citation [n]
 * always names the n-th listed source. Context (the open ticket, earlier turns) is never numbered.
 */
export interface GroundingSource {
  /** The number the text cites as [ref]; 1-based, the source's position in the list. */
  ref: number;
  /** `ticket:T-1` / `article:A-9`: how the caller identifies it in `sources`. */
  id: string;
  kind: 'ticket' | 'article';
  title?: string;
  /** For tickets: the summary and the agent's resolving reply; for articles: the matching passage. */
  text: string;
  score?: number;
}

/** Sources as numbered by `numberSources`: only ever built there (or cut by `withTexts`, which keeps the refs). */
export type NumberedSources = readonly GroundingSource[];

/** The open ticket as context of a question: given to the model, never numbered and never cited. */
export interface GroundingContext {
  title: string;
  text: string;
}

/** Numbers sources 1..n in the order they are given (the prompt order). */
export function numberSources(sources: ReadonlyArray<Omit<GroundingSource, 'ref'>>): NumberedSources {
  return sources.map((source, i) => ({ ...source, ref: i + 1 }));
}

/** The same sources with new texts (cut to a budget, redacted): the numbering never changes. */
export function withTexts(
  sources: NumberedSources,
  text: (source: GroundingSource) => string,
): NumberedSources {
  return sources.map((source) => ({ ...source, text: text(source) }));
}

const CITATION = /\[(\d{1,3})\]/g;

/** The numbers a text cites as [n], in order of appearance. */
export function citedRefs(text: string): number[] {
  return [...text.matchAll(CITATION)].map((m) => Number(m[1]));
}

/** Citations of a text that name no listed source (empty when every [n] resolves). */
export function danglingCitations(text: string, sources: NumberedSources): number[] {
  return citedRefs(text).filter((n) => sources[n - 1]?.ref !== n);
}

/** Removes citation markers (an earlier answer's [n] named that answer's sources, not this one's). */
export function stripCitations(text: string): string {
  return text.replace(/ ?\[\d{1,3}\]/g, '');
}
