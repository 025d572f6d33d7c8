import { cacheKey, normalizeText } from '../../cache/domain/cache-keys';
import type { CacheKey } from '../../cache/ports/layered-cache.port';
import type { GroundingSource, TicketForReply } from '../../llm/ports/chat-model.port';

/**
 * Assist's cache keys, all from the one key builder. `init` and `summary` are keyed by the ticket id and its
 * content hash: a changed ticket never reads an old bundle or summary, even before invalidation sweeps run.
 */
export const assistKeys = {
  /** API layer: the /init bundle without its per-call session. */
  init(input: {
    companyId: string;
    ticketId: string;
    contentHash: string;
    summaryVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'api',
      companyId: input.companyId,
      kind: 'init',
      input: { ticket_id: input.ticketId },
      versions: { content: input.contentHash, summary: input.summaryVersion },
    });
  },

  /** LLM layer: an LLM summary made for /init when indexing left only an extractive one. */
  summary(input: {
    companyId: string;
    ticketId: string;
    contentHash: string;
    promptVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: input.companyId,
      kind: 'summary',
      input: { ticket_id: input.ticketId },
      versions: { content: input.contentHash, prompt: input.promptVersion },
    });
  },

  /** Vector layer: one retrieval (search results) for Assist. */
  retrieval(input: {
    companyId: string;
    query: string;
    dataTypes: string[];
    limit: number;
    filter: unknown;
    embedVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'vector',
      companyId: input.companyId,
      kind: 'retrieval',
      input: {
        query: normalizeText(input.query),
        data_types: [...input.dataTypes].sort(),
        limit: input.limit,
        filter: input.filter ?? null,
      },
      versions: { embed: input.embedVersion },
    });
  },

  /**
   * LLM layer: a /query answer. Content-addressed: the hash covers the question and every source text the
   * prompt is built from (the session's ticket included), so a changed ticket or article can never be served
   * an old answer, and nothing has to be invalidated company-wide when unrelated data changes.
   */
  answer(input: {
    companyId: string;
    question: string;
    grounding: GroundingSource[];
    promptVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: input.companyId,
      kind: 'grounded-answer',
      input: { question: normalizeText(input.question), sources: promptSources(input.grounding) },
      versions: { prompt: input.promptVersion },
    });
  },

  /** LLM layer: a reply draft, content-addressed like answers (the ticket text, instructions and sources). */
  reply(input: {
    companyId: string;
    ticketId: string;
    ticket: TicketForReply;
    instructions: string | undefined;
    grounding: GroundingSource[];
    promptVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: input.companyId,
      kind: 'reply-draft',
      input: {
        ticket_id: input.ticketId,
        ticket: input.ticket,
        instructions: input.instructions ? normalizeText(input.instructions) : null,
        sources: promptSources(input.grounding),
      },
      versions: { prompt: input.promptVersion },
    });
  },

  /** Session layer: sliding TTL. A session id of another company builds another key: a miss, so a 404. */
  session(input: { companyId: string; sessionId: string }): CacheKey {
    return cacheKey({
      layer: 'session',
      companyId: input.companyId,
      kind: 'session',
      input: { session_id: input.sessionId },
    });
  },
};

/** What of a source reaches the prompt (scores only order them, and the order is kept). */
function promptSources(
  grounding: GroundingSource[],
): Array<{ id: string; title: string | null; text: string }> {
  return grounding.map((s) => ({ id: s.id, title: s.title ?? null, text: s.text }));
}
