import { Injectable } from '@nestjs/common';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { SEARCH_DATA_TYPES } from './domain/search-document';
import { LexicalIndex } from './ports/lexical-index.port';
import { VectorIndex } from './ports/vector-index.port';

/**
 * The company's partitions of both search indexes, every type: vectors (Qdrant or embedded) and keyword
 * documents with their statistics (PostgreSQL rows or the in-process BM25 files). Lexical documents count as rows.
 */
@Injectable()
export class SearchIndexEraser extends CompanyEraser {
  readonly store = 'search_index';
  readonly order = 20;

  constructor(
    private readonly vectors: VectorIndex,
    private readonly lexical: LexicalIndex,
  ) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    const counts = { vectors: 0, rows: 0 };
    for (const type of SEARCH_DATA_TYPES) {
      counts.vectors += await this.vectors.deleteCompany({ companyId, type });
      counts.rows += await this.lexical.deleteCompany({ companyId, type });
    }
    return counts;
  }

  async residue(companyId: string): Promise<number> {
    let n = 0;
    for (const type of SEARCH_DATA_TYPES) {
      n += await this.vectors.count({ companyId, type });
      n += await this.lexical.countCompany({ companyId, type });
    }
    return n;
  }
}
