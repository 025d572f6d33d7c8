import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1764460000000 implements MigrationInterface {
  name = 'Init1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE company (
      id varchar(50) PRIMARY KEY,
      name varchar(200) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE api_key (
      id varchar(36) PRIMARY KEY,
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      prefix varchar(16) NOT NULL,
      hash varchar(64) NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz NULL
    )`);
    await q.query(`CREATE INDEX ix_api_key_company ON api_key (company_id)`);
    await q.query(`CREATE INDEX ix_api_key_prefix ON api_key (prefix)`);
    await q.query(`CREATE TABLE ticket (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      ticket_id varchar(100) NOT NULL,
      subject varchar(500) NOT NULL,
      description text NULL,
      status varchar(16) NOT NULL CHECK (status IN ('open','pending','resolved','closed')),
      priority varchar(16) NOT NULL CHECK (priority IN ('low','medium','high','urgent')),
      tags text NOT NULL,
      conversations text NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      content_hash varchar(64) NOT NULL,
      indexed_hash varchar(64) NULL,
      summary text NULL,
      summary_source varchar(16) NULL CHECK (summary_source IN ('llm','extractive')),
      index_state varchar(16) NOT NULL CHECK (index_state IN ('pending','indexed','failed')),
      index_error text NULL,
      indexed_at timestamptz NULL,
      PRIMARY KEY (company_id, ticket_id)
    )`);
    await q.query(`CREATE INDEX ix_ticket_company_updated ON ticket (company_id, updated_at, ticket_id)`);
    await q.query(`CREATE INDEX ix_ticket_company_created ON ticket (company_id, created_at, ticket_id)`);
    await q.query(`CREATE INDEX ix_ticket_company_state ON ticket (company_id, index_state)`);
    await q.query(`CREATE TABLE article (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      article_id varchar(100) NOT NULL,
      title varchar(500) NOT NULL,
      body text NOT NULL,
      category varchar(100) NULL,
      tags text NOT NULL,
      updated_at timestamptz NOT NULL,
      content_hash varchar(64) NOT NULL,
      indexed_hash varchar(64) NULL,
      summary text NULL,
      summary_source varchar(16) NULL CHECK (summary_source IN ('llm','extractive')),
      index_state varchar(16) NOT NULL CHECK (index_state IN ('pending','indexed','failed')),
      index_error text NULL,
      indexed_at timestamptz NULL,
      PRIMARY KEY (company_id, article_id)
    )`);
    await q.query(`CREATE INDEX ix_article_company_updated ON article (company_id, updated_at, article_id)`);
    await q.query(`CREATE INDEX ix_article_company_state ON article (company_id, index_state)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['article', 'ticket', 'api_key', 'company']) await q.query(`DROP TABLE ${table}`);
  }
}
