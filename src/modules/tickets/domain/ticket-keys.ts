import { cacheKey } from '../../cache/domain/cache-keys';
import type { CacheKey } from '../../cache/ports/layered-cache.port';

/** Tickets' cache keys, from the one key builder. */
export const ticketKeys = {
  /**
   * Session layer (copies of what the database holds, like a session's copy): the last view of a ticket read
   * through the API, answered (as STALE) only while the database cannot answer. Keyed by the ticket id alone:
   * a change removes it, and so does a deletion, which invalidates the company's session layer instead when
   * the cache cannot confirm the removal (TicketsService), so no copy of a deleted ticket is ever read again.
   */
  copy(input: { companyId: string; ticketId: string }): CacheKey {
    return cacheKey({
      layer: 'session',
      companyId: input.companyId,
      kind: 'ticket',
      input: { ticket_id: input.ticketId },
    });
  },
};
