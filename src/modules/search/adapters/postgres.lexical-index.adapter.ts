import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../../common/errors/app-error';
import { BM25_DEFAULTS, bm25Idf, normalizedKeywordScore } from '../domain/bm25';
import { SearchFilter, SearchHit, SearchPayload } from '../domain/search-document';
import { tokenize } from '../domain/text-tokens';
import {
  DeleteLexicalRequest,
  LexicalIndex,
  LexicalPartitionRequest,
  LexicalSearchRequest,
  UpsertLexicalRequest,
} from '../ports/lexical-index.port';
import { validateK } from './vector-request.validation';

/** Ten bound values per document: 500 stay far below PostgreSQL's 65,535 parameters. */
const DOCUMENTS_PER_STATEMENT = 500;
/** tsvector limits: positions are 1..16,383 and at most 256 are kept per lexeme. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
/** 2,046 bytes is PostgreSQL's lexeme limit; 500 characters stay under it in any script (≤ 4 bytes each). */
const MAX_LEXEME_CHARS = 500;
/** A query of thousands of distinct tokens is not a keyword search; the first ones carry it. */
const MAX_QUERY_TERMS = 64;
/** Rows removed per statement when a company's partition is erased. */
const ERASE_BATCH = 5_000;
/** The column `term` as a quoted tsquery lexeme, in SQL: quoteLexeme's escaping (backslash, then quote doubled). */
const LEXEME_SQL = String.raw`'''' || replace(replace(term, '\', '\\'), '''', '''''') || ''''`;
/** Okapi BM25 constants, the same as domain/bm25.ts. */
const BM25 = BM25_DEFAULTS;

export interface PostgresLexicalOptions {
  /**
   * At most this many documents are scored per query: candidate terms are taken rarest first while their
   * document frequencies add up to no more than this (the rarest always), and the candidates are cut there,
   * shortest documents first (BM25 favours them for equal term counts), then by id: a choice made by the data,
   * never by the query plan or the rows' physical order, so unchanged data always gives the same results.
   */
  maxCandidates: number;
  /**
   * Terms whose BM25 idf is below this (they occur in nearly every document of the partition) do not select
   * candidates, unless no query term is rarer; they still count in the score of the candidates.
   */
  minCandidateIdf: number;
}

export const DEFAULT_POSTGRES_LEXICAL_OPTIONS: PostgresLexicalOptions = {
  maxCandidates: 5_000,
  minCandidateIdf: 0.1,
};

/**
 * Keyword search in PostgreSQL (services mode), so every API instance sees the same index. Documents live in
 * `search_document` with a GIN-indexed tsvector built from the same tokens as the in-process BM25 (lower-cased
 * words, Hangul/CJK bigrams): the lexemes are passed verbatim, like the 'simple' configuration (no stemming,
 * no stop words), but also independent of the database's locale, which decides what its parser calls a letter.
 *
 * Ranked by Okapi BM25, the same formula as domain/bm25.ts: document frequencies per (company, type) live in
 * `search_term_stat`, document count and total length in `search_partition_stat`, both kept in the same
 * transaction as the documents (writers of one partition serialize on its stat row). A query reads its terms'
 * frequencies, selects candidates through the GIN index with its rarer terms only (bounded, see
 * PostgresLexicalOptions) and scores them in SQL with tf from the tsvector positions. Every statement is
 * scoped by company and type.
 */
export class PostgresLexicalIndex extends LexicalIndex {
  constructor(
    private readonly db: DataSource,
    private readonly options: PostgresLexicalOptions = DEFAULT_POSTGRES_LEXICAL_OPTIONS,
  ) {
    super();
  }

  async upsert({ companyId, type, documents }: UpsertLexicalRequest): Promise<void> {
    for (const document of documents) {
      if (
        document.payload.company_id !== companyId ||
        document.payload.type !== type ||
        document.payload.id !== document.id
      ) {
        throw AppError.invalid(`document '${document.id}' does not belong to ${companyId}/${type}`);
      }
    }
    if (documents.length === 0) return;
    // The last version of a repeated id wins, as it would in sequence.
    const unique = [...new Map(documents.map((d) => [d.id, d])).values()].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    await this.db.transaction(async (tx) => {
      await lockPartition(tx, companyId, type);
      for (let start = 0; start < unique.length; start += DOCUMENTS_PER_STATEMENT) {
        const slice = unique.slice(start, start + DOCUMENTS_PER_STATEMENT);
        const ids = slice.map((d) => d.id);
        // 1. The replaced versions leave the statistics.
        await tx.query(
          `WITH old AS (
             SELECT terms, doc_length FROM search_document
              WHERE company_id = $1 AND type = $2 AND id = ANY($3::text[])
           )${subtractFromStats('old')}`,
          [companyId, type, ids],
        );
        // 2. The documents, one multi-row statement.
        const params: unknown[] = [];
        const tuples = slice.map((d) => {
          const tokens = tokenize(d.text);
          params.push(
            companyId,
            type,
            d.id,
            d.payload.status ?? null,
            d.payload.priority ?? null,
            d.payload.tags,
            d.payload.created_at,
            JSON.stringify(d.payload),
            tsvectorLiteral(tokens),
            tokens.length,
          );
          const n = params.length;
          return `($${n - 9}, $${n - 8}, $${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}::text[], $${n - 3}::timestamptz, $${n - 2}::jsonb, $${n - 1}::tsvector, $${n}::integer)`;
        });
        await tx.query(
          `INSERT INTO search_document
             (company_id, type, id, status, priority, tags, created_at, payload, terms, doc_length)
           VALUES ${tuples.join(', ')}
           ON CONFLICT (company_id, type, id) DO UPDATE SET
             status = EXCLUDED.status, priority = EXCLUDED.priority, tags = EXCLUDED.tags,
             created_at = EXCLUDED.created_at, payload = EXCLUDED.payload, terms = EXCLUDED.terms,
             doc_length = EXCLUDED.doc_length`,
          params,
        );
        // 3. The new versions enter them.
        await tx.query(
          `WITH cur AS (
             SELECT terms, doc_length FROM search_document
              WHERE company_id = $1 AND type = $2 AND id = ANY($3::text[])
           ), inc AS (
             INSERT INTO search_term_stat (company_id, type, term, df)
             SELECT $1, $2, t, count(*) FROM cur, unnest(tsvector_to_array(cur.terms)) t GROUP BY t
             ON CONFLICT (company_id, type, term) DO UPDATE SET df = search_term_stat.df + EXCLUDED.df
           )
           UPDATE search_partition_stat
              SET doc_count = doc_count + (SELECT count(*) FROM cur),
                  total_length = total_length + (SELECT coalesce(sum(doc_length), 0) FROM cur)
            WHERE company_id = $1 AND type = $2`,
          [companyId, type, ids],
        );
      }
    });
  }

  async delete({ companyId, type, ids }: DeleteLexicalRequest): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction(async (tx) => {
      await lockPartition(tx, companyId, type);
      await tx.query(
        `WITH gone AS (
           DELETE FROM search_document WHERE company_id = $1 AND type = $2 AND id = ANY($3::text[])
           RETURNING terms, doc_length
         )${subtractFromStats('gone')}`,
        [companyId, type, ids],
      );
      // Terms no document holds any more: dropped so the table tracks the live vocabulary.
      await tx.query(`DELETE FROM search_term_stat WHERE company_id = $1 AND type = $2 AND df <= 0`, [
        companyId,
        type,
      ]);
    });
  }

  /**
   * Company erasure: the partition's documents in batches (each its own short statement), then its term and
   * partition statistics, also in batches. No per-document statistics update: the whole partition goes.
   */
  async deleteCompany({ companyId, type }: LexicalPartitionRequest): Promise<number> {
    let documents = 0;
    for (;;) {
      const gone = await this.deleteBatch('search_document', companyId, type);
      documents += gone;
      if (gone < ERASE_BATCH) break;
    }
    while ((await this.deleteBatch('search_term_stat', companyId, type)) >= ERASE_BATCH);
    await this.db.query(`DELETE FROM search_partition_stat WHERE company_id = $1 AND type = $2`, [
      companyId,
      type,
    ]);
    return documents;
  }

  async countCompany({ companyId, type }: LexicalPartitionRequest): Promise<number> {
    const rows: Array<{ n: string }> = await this.db.query(
      `SELECT (SELECT count(*) FROM search_document WHERE company_id = $1 AND type = $2)
            + (SELECT count(*) FROM search_term_stat WHERE company_id = $1 AND type = $2)
            + (SELECT count(*) FROM search_partition_stat WHERE company_id = $1 AND type = $2) AS n`,
      [companyId, type],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async deleteBatch(table: 'search_document' | 'search_term_stat', companyId: string, type: string) {
    const result: [unknown[], number] = await this.db.query(
      `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE company_id = $1 AND type = $2 LIMIT ${ERASE_BATCH})`,
      [companyId, type],
    );
    return result[1];
  }

  /**
   * One statement: the partition's statistics and the query terms' document frequencies, the candidate terms
   * (rarest first, by df then term in byte order, while their frequencies add up to the cap and their idf
   * reaches the floor; the rarest always), the candidates through the GIN index and their BM25 scores. One
   * round trip per partition, an empty partition included.
   */
  async search({ companyId, type, query, k, filter }: LexicalSearchRequest): Promise<SearchHit[]> {
    validateK(k);
    const terms = [...new Set(tokenize(query))]
      .filter((t) => t.length <= MAX_LEXEME_CHARS)
      .slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    const params: unknown[] = [
      companyId,
      type,
      terms,
      this.options.minCandidateIdf,
      this.options.maxCandidates,
      k,
    ];
    const conditions = filterConditions(filter, params);
    const rows: Array<{
      id: string;
      score: number;
      payload: SearchPayload;
      doc_count: number;
      stat_terms: string[];
      stat_dfs: number[];
    }> = await this.db.query(
      `WITH part AS (
         SELECT doc_count::float8 AS n, coalesce(nullif(total_length::float8 / doc_count, 0), 1) AS avgdl
           FROM search_partition_stat WHERE company_id = $1 AND type = $2 AND doc_count > 0
       ), stat AS (
         SELECT s.term, s.df, ln(1 + (p.n - s.df + 0.5) / (s.df + 0.5)) AS idf,
                row_number() OVER w AS rn, sum(s.df) OVER w AS cum
           FROM part p
           JOIN search_term_stat s ON s.company_id = $1 AND s.type = $2 AND s.term = ANY($3::text[]) AND s.df > 0
         WINDOW w AS (ORDER BY s.df, s.term COLLATE "C" ROWS UNBOUNDED PRECEDING)
       ), q AS (
         SELECT string_agg(${LEXEME_SQL}, ' | ')::tsquery AS query
           FROM stat WHERE rn = 1 OR (idf >= $4 AND cum <= $5)
       ), weighted AS (
         SELECT array_agg(term) AS terms, array_agg(df) AS dfs FROM stat
       ), candidate AS (
         SELECT id, terms, doc_length FROM search_document
          WHERE company_id = $1 AND type = $2 AND terms @@ (SELECT query FROM q)${conditions.map((c) => ` AND ${c}`).join('')}
          ORDER BY doc_length ASC, id ASC
          LIMIT $5
       ), scored AS (
         SELECT c.id,
                -- Summed in lexeme order: a float sum in join order could differ in the last bit between two
                -- plans, and flip documents that tie (the same text) from one call to the next.
                sum(w.idf * u.tf * ${BM25.k1 + 1}::float8
                    / (u.tf + ${BM25.k1}::float8 * (${1 - BM25.b}::float8
                       + ${BM25.b}::float8 * c.doc_length / (SELECT avgdl FROM part))) ORDER BY u.lexeme) AS score
           FROM candidate c
           CROSS JOIN LATERAL (
             SELECT lexeme, coalesce(array_length(positions, 1), 1)::float8 AS tf
               FROM unnest(ts_filter(setweight(c.terms, 'A', (SELECT terms FROM weighted)), '{a}'))
           ) u
           JOIN stat w ON w.term = u.lexeme
          GROUP BY c.id
          ORDER BY score DESC, c.id ASC
          LIMIT $6
       )
       SELECT s.id, s.score, d.payload, (SELECT n FROM part) AS doc_count,
              (SELECT terms FROM weighted) AS stat_terms, (SELECT dfs FROM weighted) AS stat_dfs
         FROM scored s JOIN search_document d ON d.company_id = $1 AND d.type = $2 AND d.id = s.id
        ORDER BY s.score DESC, s.id ASC`,
      params,
    );
    if (rows.length === 0) return [];
    // Every distinct query term bounds the score, those no document holds at their idf for df 0.
    const documentCount = Number(rows[0].doc_count);
    const dfOf = new Map(rows[0].stat_terms.map((term, i) => [term, Number(rows[0].stat_dfs[i])]));
    const termIdfs = terms.map((term) => bm25Idf(documentCount, dfOf.get(term) ?? 0));
    return rows.map((row) => ({
      id: row.id,
      type,
      score: normalizedKeywordScore({ score: Number(row.score), termIdfs, k1: BM25.k1 }),
      payload: row.payload,
    }));
  }
}

/** Writers of one (company, type) serialize on its statistics row, created on first use. */
async function lockPartition(tx: EntityManager, companyId: string, type: string): Promise<void> {
  await tx.query(
    `INSERT INTO search_partition_stat (company_id, type) VALUES ($1, $2)
     ON CONFLICT (company_id, type) DO UPDATE SET doc_count = search_partition_stat.doc_count`,
    [companyId, type],
  );
}

/** The SearchFilter semantics of matchesFilter (search-document.ts) as SQL; values are bound, never inlined. */
function filterConditions(filter: SearchFilter | undefined, params: unknown[]): string[] {
  if (!filter) return [];
  const out: string[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status?.length) out.push(`status = ANY(${bind(filter.status)}::text[])`);
  if (filter.priority?.length) out.push(`priority = ANY(${bind(filter.priority)}::text[])`);
  if (filter.tags?.length) out.push(`tags && ${bind(filter.tags)}::text[]`);
  if (filter.createdFrom) out.push(`created_at >= ${bind(filter.createdFrom)}::timestamptz`);
  if (filter.createdTo) out.push(`created_at <= ${bind(filter.createdTo)}::timestamptz`);
  if (filter.excludeIds?.length) out.push(`id <> ALL(${bind(filter.excludeIds)}::text[])`);
  return out;
}

/** A lexeme in tsvector/tsquery literal syntax: single-quoted, with quotes and backslashes escaped. */
function quoteLexeme(token: string): string {
  return `'${token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** `'lexeme':1,4 'other':2` from a token sequence: the count of positions is the term frequency. */
export function tsvectorLiteral(tokens: string[]): string {
  const positions = new Map<string, number[]>();
  tokens.forEach((token, i) => {
    // PostgreSQL refuses lexemes over 2 KB; such a "word" (an encoded blob) is no keyword anyway.
    if (token.length > MAX_LEXEME_CHARS) return;
    const list = positions.get(token) ?? [];
    if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(Math.min(i + 1, MAX_POSITION));
    positions.set(token, list);
  });
  return [...positions].map(([token, list]) => `${quoteLexeme(token)}:${list.join(',')}`).join(' ');
}

/**
 * The rest of a statement whose CTE `source` (columns terms, doc_length) holds documents leaving partition
 * ($1 company, $2 type): their terms leave the document frequencies, their count and length the partition's.
 */
function subtractFromStats(source: 'old' | 'gone'): string {
  return `, dec AS (
     UPDATE search_term_stat s SET df = s.df - d.n
       FROM (SELECT t AS term, count(*) AS n FROM ${source}, unnest(tsvector_to_array(${source}.terms)) t GROUP BY t) d
      WHERE s.company_id = $1 AND s.type = $2 AND s.term = d.term
   )
   UPDATE search_partition_stat
      SET doc_count = doc_count - (SELECT count(*) FROM ${source}),
          total_length = total_length - (SELECT coalesce(sum(doc_length), 0) FROM ${source})
    WHERE company_id = $1 AND type = $2`;
}
