import { loadSqliteDriver, sqliteDriverPackage } from './sqlite-driver';

type SqliteDatabase = new (path: string) => {
  prepare(sql: string): { get(): unknown };
  close(): void;
};

describe('sqliteDriverPackage', () => {
  it.each([
    ['20.19.0', 'better-sqlite3'],
    ['20.20.2', 'better-sqlite3'],
    ['22.12.0', 'better-sqlite3-node-api'],
    ['24.21.0', 'better-sqlite3-node-api'],
    ['26.0.0', 'better-sqlite3-node-api'],
  ])('Node %s takes %s', (version, expected) => {
    expect(sqliteDriverPackage(version)).toBe(expected);
  });
});

describe('loadSqliteDriver', () => {
  it('gives a driver that opens a database and runs a statement on this Node', () => {
    const Database = loadSqliteDriver() as SqliteDatabase;
    const db = new Database(':memory:');
    expect(db.prepare('select 41 + 1 as answer').get()).toEqual({ answer: 42 });
    db.close();
  });
});
