/** What the search index stores and filters on. Shared by the vector and lexical ports. */
export type SearchDataType = 'ticket' | 'article';

/** The API's and the jobs' plural data types (`tickets`) as search's singular ones (`ticket`). */
export function toSearchType(type: 'tickets' | 'articles'): SearchDataType {
  return type === 'tickets' ? 'ticket' : 'article';
}

/** toSearchType over a request's list, each type once. */
export function toSearchTypes(types: ReadonlyArray<'tickets' | 'articles'>): SearchDataType[] {
  return [...new Set(types)].map(toSearchType);
}
export const SEARCH_DATA_TYPES: readonly SearchDataType[] = ['ticket', 'article'];

/** Stored with every indexed point; `id` is the ticket_id or article_id. */
export interface SearchPayload {
  company_id: string;
  type: SearchDataType;
  id: string;
  /** Ticket subject or article title. */
  title: string;
  summary: string;
  /** Tickets only. */
  status?: string;
  /** Tickets only. */
  priority?: string;
  tags: string[];
  /** ISO 8601, UTC. */
  created_at: string;
  updated_at: string;
  content_hash: string;
  /** Tickets only: a snippet of the agent's resolving reply. */
  resolution?: string;
}

/** Filters every adapter applies the same way. Lists are any-of; the created range is inclusive. */
export interface SearchFilter {
  status?: string[];
  priority?: string[];
  /** Matches when the document carries at least one of these tags. */
  tags?: string[];
  createdFrom?: string;
  createdTo?: string;
  /** Ids to leave out, e.g. the ticket a "similar tickets" lookup starts from. */
  excludeIds?: string[];
}

export interface SearchHit {
  id: string;
  type: SearchDataType;
  score: number;
  payload: SearchPayload;
}

/** Evaluates a SearchFilter against a payload: the reference semantics the adapters must agree with. */
export function matchesFilter(payload: SearchPayload, filter: SearchFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.status && filter.status.length > 0 && !filter.status.includes(payload.status ?? ''))
    return false;
  if (filter.priority && filter.priority.length > 0 && !filter.priority.includes(payload.priority ?? ''))
    return false;
  if (filter.tags && filter.tags.length > 0 && !filter.tags.some((tag) => payload.tags.includes(tag)))
    return false;
  if (filter.createdFrom || filter.createdTo) {
    const created = Date.parse(payload.created_at);
    if (Number.isNaN(created)) return false;
    if (filter.createdFrom && created < Date.parse(filter.createdFrom)) return false;
    if (filter.createdTo && created > Date.parse(filter.createdTo)) return false;
  }
  if (filter.excludeIds && filter.excludeIds.includes(payload.id)) return false;
  return true;
}

export function hasFilter(filter: SearchFilter | undefined): boolean {
  if (!filter) return false;
  return Boolean(
    filter.status?.length ||
    filter.priority?.length ||
    filter.tags?.length ||
    filter.createdFrom ||
    filter.createdTo ||
    filter.excludeIds?.length,
  );
}

/** Collection name per data type (one Qdrant collection, one embedded folder). */
export function collectionNameOf(type: SearchDataType): string {
  return type === 'ticket' ? 'tickets' : 'articles';
}
