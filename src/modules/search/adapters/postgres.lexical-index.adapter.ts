import { DataSource } from 'typeorm';
import { AppError } from '../../../common/errors/app-error';
import { SearchFilter, SearchHit, SearchPayload } from '../domain/search-document';
import { tokenize } from '../domain/text-tokens';
import {
  DeleteLexicalRequest,
  LexicalIndex,
  LexicalSearchRequest,
  UpsertLexicalRequest,
} from '../ports/lexical-index.port';
import { validateK } from './vector-request.validation';

/** Nine bound values per document: 500 stay far below PostgreSQL's 65,535 parameters. */
const DOCUMENTS_PER_STATEMENT = 500;
/** tsvector limits: positions are 1..16,383 and at most 256 are kept per lexeme. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
/** 2,046 bytes is PostgreSQL's lexeme limit; 500 characters stay under it in any script (≤ 4 bytes each). */
const MAX_LEXEME_CHARS = 500;
/** A query of thousands of distinct tokens is not a keyword search; the first ones carry it. */
const MAX_QUERY_TERMS = 64;
/** ts_rank_cd normalization 1: divide by 1 + log(document length), as BM25 discounts long documents. */
const RANK_NORMALIZATION = 1;

/**
 * Keyword search in PostgreSQL (services mode), so every API instance sees the same index. Documents live in
 * `search_document` with a GIN-indexed tsvector built from the same tokens as the in-process BM25 (lower-cased
 * words, Hangul/CJK bigrams): the lexemes are passed verbatim, like the 'simple' configuration (no stemming,
 * no stop words), but also independent of the database's locale, which decides what its parser calls a letter.
 * Ranked by ts_rank_cd; every statement is scoped by company and type.
 */
export class PostgresLexicalIndex extends LexicalIndex {
  constructor(private readonly db: DataSource) {
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
    // One writer per document order: sorted ids keep concurrent upserts of overlapping sets from deadlocking.
    const unique = [...new Map(documents.map((d) => [d.id, d])).values()].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    for (let start = 0; start < unique.length; start += DOCUMENTS_PER_STATEMENT) {
      const slice = unique.slice(start, start + DOCUMENTS_PER_STATEMENT);
      const params: unknown[] = [];
      const tuples = slice.map((d) => {
        params.push(
          companyId,
          type,
          d.id,
          d.payload.status ?? null,
          d.payload.priority ?? null,
          d.payload.tags,
          d.payload.created_at,
          JSON.stringify(d.payload),
          tsvectorLiteral(tokenize(d.text)),
        );
        const n = params.length;
        return `($${n - 8}, $${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}::text[], $${n - 2}::timestamptz, $${n - 1}::jsonb, $${n}::tsvector)`;
      });
      await this.db.query(
        `INSERT INTO search_document (company_id, type, id, status, priority, tags, created_at, payload, terms)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (company_id, type, id) DO UPDATE SET
           status = EXCLUDED.status, priority = EXCLUDED.priority, tags = EXCLUDED.tags,
           created_at = EXCLUDED.created_at, payload = EXCLUDED.payload, terms = EXCLUDED.terms`,
        params,
      );
    }
  }

  async delete({ companyId, type, ids }: DeleteLexicalRequest): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `DELETE FROM search_document WHERE company_id = $1 AND type = $2 AND id = ANY($3::text[])`,
      [companyId, type, ids],
    );
  }

  async search({ companyId, type, query, k, filter }: LexicalSearchRequest): Promise<SearchHit[]> {
    validateK(k);
    const terms = [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    const params: unknown[] = [companyId, type, terms.map(quoteLexeme).join(' | ')];
    const conditions = filterConditions(filter, params);
    params.push(k);
    const rows: Array<{ id: string; score: number; payload: SearchPayload }> = await this.db.query(
      `SELECT id, ts_rank_cd(terms, q, ${RANK_NORMALIZATION}) AS score, payload
         FROM search_document, CAST($3 AS tsquery) AS q
        WHERE company_id = $1 AND type = $2 AND terms @@ q${conditions.map((c) => ` AND ${c}`).join('')}
        ORDER BY score DESC, id ASC
        LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ id: row.id, type, score: Number(row.score), payload: row.payload }));
  }
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

/** `'lexeme':1,4 'other':2` from a token sequence: positions let ts_rank_cd see frequency and proximity. */
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
