import type { Schemas } from '@qdrant/js-client-rest';
import { pointIdOf } from '../../domain/point-id';
import { SearchDataType, SearchFilter } from '../../domain/search-document';

type Filter = Schemas['Filter'];
type Condition = Schemas['Condition'];

/**
 * Translates our filter to Qdrant's. The company condition is added here, first and always: callers pass
 * a SearchFilter, never a raw Qdrant filter, so there is nothing they could use to widen the scope.
 */
export function tenantFilter(companyId: string, type: SearchDataType, filter?: SearchFilter): Filter {
  const must: Condition[] = [{ key: 'company_id', match: { value: companyId } }];
  const mustNot: Condition[] = [];
  if (filter?.status?.length) must.push({ key: 'status', match: { any: filter.status } });
  if (filter?.priority?.length) must.push({ key: 'priority', match: { any: filter.priority } });
  if (filter?.tags?.length) must.push({ key: 'tags', match: { any: filter.tags } });
  if (filter?.createdFrom || filter?.createdTo) {
    must.push({
      key: 'created_at',
      range: {
        ...(filter.createdFrom ? { gte: new Date(filter.createdFrom).toISOString() } : {}),
        ...(filter.createdTo ? { lte: new Date(filter.createdTo).toISOString() } : {}),
      },
    });
  }
  if (filter?.excludeIds?.length) {
    mustNot.push({ has_id: filter.excludeIds.map((id) => pointIdOf(companyId, type, id)) });
  }
  return mustNot.length > 0 ? { must, must_not: mustNot } : { must };
}

/** Payload indexes: company_id is the tenant key (Qdrant co-locates and indexes each tenant's points). */
export const PAYLOAD_INDEXES: { field: string; schema: Schemas['PayloadFieldSchema'] }[] = [
  { field: 'company_id', schema: { type: 'keyword', is_tenant: true } },
  { field: 'status', schema: { type: 'keyword' } },
  { field: 'priority', schema: { type: 'keyword' } },
  { field: 'tags', schema: { type: 'keyword' } },
  { field: 'created_at', schema: { type: 'datetime' } },
];
