import { cacheKey, normalizeText } from '../../cache/domain/cache-keys';
import type { CacheKey } from '../../cache/ports/layered-cache.port';
import type {
  ConversationTurn,
  DraftPreferences,
  GroundingContext,
  NumberedSources,
  TicketForReply,
} from '../../llm/ports/chat-model.port';

/**
 * Assist's cache keys, all from the one key builder. `init` and `summary` are keyed by the ticket id and its
 * content hash: a changed ticket never reads an old bundle or summary, even before invalidation sweeps run.
 */
export const assistKeys = {
  /**
   * Session layer: the copy of a session kept in the cache, read when the database (its home) cannot answer.
   * Keyed by the session id alone: the copy is replaced on every write.
   */
  sessionCopy(input: { companyId: string; sessionId: string }): CacheKey {
    return cacheKey({
      layer: 'session',
      companyId: input.companyId,
      kind: 'session',
      input: { session_id: input.sessionId },
    });
  },

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

  /**
   * API layer: the content hash of the ticket's last cached bundle, so that bundle can be found while the
   * database (where the current hash lives) cannot answer. In the API layer, whose generation a deletion bumps:
   * a deleted ticket's pointer is never read again.
   */
  initRevision(input: { companyId: string; ticketId: string }): CacheKey {
    return cacheKey({
      layer: 'api',
      companyId: input.companyId,
      kind: 'init-revision',
      input: { ticket_id: input.ticketId },
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
   * LLM layer: a /query answer. Content-addressed: the hash covers the question and every text the prompt is
   * built from (numbered sources, the session's ticket and earlier turns when they are in it), so a changed
   * ticket or article can never be served an old answer, and nothing has to be invalidated company-wide when
   * unrelated data changes. A question without ticket or turns shares one company-wide entry.
   */
  answer(input: {
    companyId: string;
    question: string;
    sources: NumberedSources;
    context?: GroundingContext;
    history?: ConversationTurn[];
    promptVersion: string;
  }): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: input.companyId,
      kind: 'grounded-answer',
      input: {
        question: normalizeText(input.question),
        sources: promptSources(input.sources),
        context: input.context ?? null,
        history: input.history?.length ? input.history : null,
      },
      versions: { prompt: input.promptVersion, citations: CITATIONS_VERSION },
    });
  },

  /**
   * LLM layer: that a generation wanted to derive from the cached value under `base` and found none (see
   * GenerationSpec.baseOnDemand). Keyed by the base key's hash, which covers everything that value is made from.
   */
  baseDemand(base: CacheKey): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: base.companyId,
      kind: 'base-demand',
      input: { base: `${base.kind}:${base.hash}` },
    });
  },

  /**
   * LLM layer: a reply draft, content-addressed like answers (the ticket text, instructions and sources) and
   * keyed by the hash of the agent's preferences (null without any: drafts shared by every agent).
   */
  reply(input: {
    companyId: string;
    ticketId: string;
    ticket: TicketForReply;
    instructions: string | undefined;
    sources: NumberedSources;
    /** Hashed into the key with the rest: each agent's preferences get their own drafts. */
    preferences: DraftPreferences | null;
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
        sources: promptSources(input.sources),
        preferences: input.preferences,
      },
      versions: { prompt: input.promptVersion, citations: CITATIONS_VERSION },
    });
  },
};

/**
 * Answers and drafts cached before sources were numbered once (the open ticket took [1]) cite the wrong
 * source: this version keeps them from ever being served again.
 */
const CITATIONS_VERSION = 2;

/** What of a source reaches the prompt (scores only order them, and the order is kept). */
function promptSources(
  sources: NumberedSources,
): Array<{ ref: number; id: string; title: string | null; text: string }> {
  return sources.map((s) => ({ ref: s.ref, id: s.id, title: s.title ?? null, text: s.text }));
}
