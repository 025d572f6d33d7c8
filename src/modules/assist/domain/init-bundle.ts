import type { RetrievedDoc } from './grounding';

export type SummarySource = 'llm' | 'extractive';
/** Parts of an /init bundle that can miss the deadline. */
/** The parts of /init that can come back degraded; `session`: the session could not be stored. */
/**
 * What a bundle went without. `ticket`: the database did not answer, so the ticket could not be re-read; the
 * bundle is the last one cached for it (as the ticket was then).
 */
export type InitPart = 'summary' | 'similar_tickets' | 'kb_articles' | 'session' | 'ticket';

export interface SimilarTicket {
  ticket_id: string;
  subject: string;
  summary: string;
  status: string | null;
  score: number;
  resolution: string | null;
}

export interface KbArticle {
  article_id: string;
  title: string;
  summary: string;
  score: number;
}

/** The cacheable part of /init (everything but the per-call session). `ticket` is the API's ticket view. */
export interface InitBundle<TTicket = unknown> {
  ticket: TTicket;
  summary: string;
  summary_source: SummarySource;
  similar_tickets: SimilarTicket[];
  kb_articles: KbArticle[];
  /** True when a part missed the deadline or failed: never cached. */
  partial: boolean;
  degraded: InitPart[];
  /** An LLM summary is being made; the bundle is not cached so the next /init picks it up. */
  summary_pending: boolean;
}

/** Similar tickets: same company (the search is company-scoped), never the ticket itself, best first. */
export function toSimilarTickets(
  docs: RetrievedDoc[],
  input: { excludeId: string; limit: number },
): SimilarTicket[] {
  return docs
    .filter((d) => d.type === 'ticket' && d.id !== input.excludeId)
    .slice(0, input.limit)
    .map((d) => ({
      ticket_id: d.id,
      subject: d.title,
      summary: d.summary,
      status: d.status ?? null,
      score: round(d.score),
      resolution: d.resolution ?? null,
    }));
}

export function toKbArticles(docs: RetrievedDoc[], limit: number): KbArticle[] {
  return docs
    .filter((d) => d.type === 'article')
    .slice(0, limit)
    .map((d) => ({ article_id: d.id, title: d.title, summary: d.summary, score: round(d.score) }));
}

/**
 * Which summary /init shows: a stored LLM summary, else an LLM summary made since (cache), else the
 * extractive one, which is instant and always available.
 */
export function chooseSummary(input: {
  stored: { text: string | null; source: string | null };
  cachedLlm?: string;
  extractive: () => string;
}): { summary: string; source: SummarySource } {
  if (input.stored.text && input.stored.source === 'llm')
    return { summary: input.stored.text, source: 'llm' };
  if (input.cachedLlm) return { summary: input.cachedLlm, source: 'llm' };
  if (input.stored.text) return { summary: input.stored.text, source: 'extractive' };
  return { summary: input.extractive(), source: 'extractive' };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
