import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assist state in the database (was in the cache Redis, which may lose it): agents' sessions, with a sliding
 * expiry and the company's retention cap, and agents' draft preferences.
 */
export class AssistState1764500000000 implements MigrationInterface {
  name = 'AssistState1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE assist_session (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      session_id varchar(64) NOT NULL,
      ticket_id varchar(100) NULL,
      turns text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      retain_until timestamptz NULL,
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
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (company_id, agent_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_preferences`);
    await q.query(`DROP TABLE assist_session`);
  }
}
