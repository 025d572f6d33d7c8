import { MigrationInterface, QueryRunner } from 'typeorm';

/** The SQLite twin of postgres/1764500000000-assist-state.ts (sessions and agent preferences). */
export class AssistStateSqlite1764500000000 implements MigrationInterface {
  name = 'AssistStateSqlite1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE assist_session (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      session_id varchar(64) NOT NULL,
      ticket_id varchar(100) NULL,
      turns text NOT NULL,
      created_at datetime NOT NULL,
      expires_at datetime NOT NULL,
      retain_until datetime NULL,
      PRIMARY KEY (company_id, session_id)
    )`);
    await q.query(`CREATE INDEX ix_assist_session_expiry ON assist_session (company_id, expires_at)`);
    await q.query(`CREATE TABLE agent_preferences (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      agent_id varchar(100) NOT NULL,
      language varchar(8) NULL,
      tone varchar(16) NULL,
      signature text NULL,
      max_words integer NULL,
      updated_at datetime NOT NULL,
      PRIMARY KEY (company_id, agent_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_preferences`);
    await q.query(`DROP TABLE assist_session`);
  }
}
