import { MigrationInterface, QueryRunner } from 'typeorm';

/** The SQLite twin of postgres/1764490000000-data-lifecycle.ts (deletion outbox, audit log, retention). */
export class DataLifecycleSqlite1764490000000 implements MigrationInterface {
  name = 'DataLifecycleSqlite1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE deleted_item (
      company_id varchar(50) NOT NULL REFERENCES company(id) ON DELETE CASCADE,
      type varchar(16) NOT NULL CHECK (type IN ('tickets','articles')),
      item_id varchar(100) NOT NULL,
      deleted_at datetime NOT NULL,
      purged_at datetime NULL,
      PRIMARY KEY (company_id, type, item_id)
    )`);
    await q.query(`CREATE INDEX ix_deleted_item_purge ON deleted_item (company_id, purged_at)`);
    await q.query(`CREATE TABLE audit_log (
      id varchar(36) PRIMARY KEY,
      at datetime NOT NULL,
      actor_key_id varchar(100) NOT NULL,
      action varchar(50) NOT NULL,
      company_id varchar(50) NULL,
      target varchar(200) NOT NULL,
      details text NULL
    )`);
    await q.query(`CREATE INDEX ix_audit_log_at ON audit_log (at, id)`);
    await q.query(`ALTER TABLE company ADD COLUMN tickets_retention_days integer NULL`);
    await q.query(`ALTER TABLE company ADD COLUMN sessions_retention_hours integer NULL`);
    await q.query(`ALTER TABLE company ADD COLUMN erasing_since datetime NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE deleted_item`);
  }
}
