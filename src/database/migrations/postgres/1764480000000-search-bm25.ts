import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Okapi BM25 for the PostgreSQL keyword index: ts_rank_cd has no inverse document frequency, so common words
 * swamp long queries. Per (company, type) partition we keep the document count and total length
 * (`search_partition_stat`, also the row writers lock), each term's document frequency (`search_term_stat`)
 * and each document's length in tokens (`search_document.doc_length`). The lexical adapter maintains all three
 * in the same transaction as the documents; this migration backfills them from rows already indexed.
 */
export class SearchBm25_1764480000000 implements MigrationInterface {
  name = 'SearchBm25_1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE search_document ADD COLUMN doc_length integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE search_document d SET doc_length = (
      SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0) FROM unnest(d.terms) u)`);
    await q.query(`CREATE TABLE search_partition_stat (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      type varchar(16) NOT NULL CHECK (type IN ('ticket','article')),
      doc_count bigint NOT NULL DEFAULT 0,
      total_length bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (company_id, type)
    )`);
    await q.query(`CREATE TABLE search_term_stat (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      type varchar(16) NOT NULL CHECK (type IN ('ticket','article')),
      term text NOT NULL,
      df integer NOT NULL,
      PRIMARY KEY (company_id, type, term)
    )`);
    await q.query(`INSERT INTO search_partition_stat (company_id, type, doc_count, total_length)
      SELECT company_id, type, count(*), coalesce(sum(doc_length), 0) FROM search_document GROUP BY 1, 2`);
    await q.query(`INSERT INTO search_term_stat (company_id, type, term, df)
      SELECT d.company_id, d.type, t.term, count(*)
        FROM search_document d, unnest(tsvector_to_array(d.terms)) AS t(term) GROUP BY 1, 2, 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE search_term_stat`);
    await q.query(`DROP TABLE search_partition_stat`);
    await q.query(`ALTER TABLE search_document DROP COLUMN doc_length`);
  }
}
