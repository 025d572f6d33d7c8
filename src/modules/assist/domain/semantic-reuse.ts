import type { SourceRef } from './grounding';

/**
 * Whether a similar question's cached answer (the semantic layer's match) may answer this question. It may only
 * if every source it shows is one this question's own retrieval grounded on, so an answer never shows a source
 * its question did not retrieve. The grounding never holds the open ticket (context, not an answer to it), so
 * an answer citing it is not reused either. An answer without sources is not offered for a question that has
 * grounding of its own.
 */
export function reusableAnswer(input: {
  sources: ReadonlyArray<Pick<SourceRef, 'type' | 'id'>>;
  grounded: ReadonlyArray<{ type: string; id: string }>;
  openTicketId?: string;
}): boolean {
  const { sources, grounded, openTicketId } = input;
  if (sources.length === 0) return grounded.length === 0;
  if (openTicketId !== undefined && sources.some((s) => s.type === 'ticket' && s.id === openTicketId))
    return false;
  const retrieved = new Set(grounded.map((d) => `${d.type}:${d.id}`));
  return sources.every((s) => retrieved.has(`${s.type}:${s.id}`));
}
