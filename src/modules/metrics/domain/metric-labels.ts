/**
 * Label values derived from requests and queries. Each function maps an open-ended input onto a small
 * fixed set, so no raw URL, id or SQL text ever becomes a label value.
 */

/** A request that matched no route: the raw URL would be one series per probe or typo. */
export const UNMATCHED_ENDPOINT = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : 'OTHER';
}

/** The route template (`/api/v1/tickets/:ticket_id`), never the URL it matched. */
export function endpointLabel(routeTemplate: string | undefined): string {
  return routeTemplate && routeTemplate.startsWith('/') ? routeTemplate : UNMATCHED_ENDPOINT;
}

export function statusCodeLabel(statusCode: number): string {
  return Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599
    ? String(statusCode)
    : 'other';
}

export type CacheResultLabel = 'hit' | 'stale' | 'miss' | 'none';

/** From the `X-Cache` reply header cacheable routes set (HIT, STALE or MISS); absent → none. */
export function cacheResultLabel(header: unknown): CacheResultLabel {
  const value = (Array.isArray(header) ? header[0] : header)?.toString().trim().toLowerCase();
  return value === 'hit' || value === 'stale' || value === 'miss' ? value : 'none';
}

export type QueryType = 'select' | 'insert' | 'update' | 'delete' | 'other';

const QUERY_TYPES = new Set<QueryType>(['select', 'insert', 'update', 'delete']);

/** The statement's leading verb; `WITH …` and anything else (DDL, transactions, pragmas) is `other`. */
export function queryTypeOf(sql: string): QueryType {
  const verb = /^[\s(]*(\w+)/.exec(sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, ''))?.[1]?.toLowerCase();
  return verb && QUERY_TYPES.has(verb as QueryType) ? (verb as QueryType) : 'other';
}
