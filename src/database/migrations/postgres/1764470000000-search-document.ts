import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyword search in services mode: one row per indexed ticket or article, shared by every API instance.
 * `terms` is a tsvector of the application's own tokens (words, Hangul bigrams) under the 'simple' config,
 * so Korean matches without a dictionary; the GIN index serves `terms @@ query` per company.
 */
export class SearchDocument1764470000000 implements MigrationInterface {
  name = 'SearchDocument1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE search_document (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      type varchar(16) NOT NULL CHECK (type IN ('ticket','article')),
      id varchar(100) NOT NULL,
      status varchar(16) NULL,
      priority varchar(16) NULL,
      tags text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      payload jsonb NOT NULL,
      terms tsvector NOT NULL,
      PRIMARY KEY (company_id, type, id)
    )`);
    await q.query(`CREATE INDEX ix_search_document_terms ON search_document USING GIN (terms)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE search_document`);
  }
}
