import { cacheKey } from '../../cache/domain/cache-keys';
import type { CacheKey } from '../../cache/ports/layered-cache.port';

/** Tickets' cache keys, from the one key builder. */
export const ticketKeys = {
  /**
   * Session layer (copies of what the database holds, like a session's copy): the last view of a ticket read
   * through the API, answered (as STALE) only while the database cannot answer. Keyed by the ticket id alone:
   * a change removes it, and a deletion bumps this kind's generation (cache-invalidation.listener.ts), so no
   * copy of a deleted ticket is ever read again, even when the removal of that one copy could not be made.
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
