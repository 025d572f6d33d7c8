import type { SearchDataType } from '../domain/search-document';

/**
 * Port: which of these ids are still stored for the company. Search drops hits that are not: the vector and
 * keyword entries of a deleted item are removed by the worker, after the row, and a deleted item must never be
 * returned or used for grounding in between (nor after a crash the reconciler has yet to repair).
 */
export abstract class DocumentPresence {
  abstract present(request: { companyId: string; type: SearchDataType; ids: string[] }): Promise<Set<string>>;
}
