import type { SearchDataType } from '../../src/modules/search/domain/search-document';
import { DocumentPresence } from '../../src/modules/search/ports/document-presence.port';

/** Every id is stored unless it was deleted here: `delete(companyId, type, id)`. */
export class FakeDocumentPresence extends DocumentPresence {
  private readonly deleted = new Set<string>();
  readonly requests: Array<{ companyId: string; type: SearchDataType; ids: string[] }> = [];

  /** While set, every lookup rejects with it (a database that cannot be reached). */
  failure: Error | undefined;

  delete(companyId: string, type: SearchDataType, id: string): void {
    this.deleted.add(`${companyId}/${type}/${id}`);
  }

  present(request: { companyId: string; type: SearchDataType; ids: string[] }): Promise<Set<string>> {
    this.requests.push(request);
    if (this.failure) return Promise.reject(this.failure);
    const { companyId, type, ids } = request;
    return Promise.resolve(new Set(ids.filter((id) => !this.deleted.has(`${companyId}/${type}/${id}`))));
  }
}
