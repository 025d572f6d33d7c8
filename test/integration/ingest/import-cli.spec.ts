import { execFile } from 'node:child_process';
import { mkdtempSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp, TEST_ADMIN_KEY } from '../../setup/test-app';

const run = promisify(execFile);

async function writeFile(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i += 1) {
    if (i % 1000 === 7) out.write('{broken json\n');
    else if (i % 1000 === 8) out.write(`${JSON.stringify({ ticket_id: `bad-${i}`, status: 'nope' })}\n`);
    else {
      const korean = i % 2 === 1;
      out.write(
        `${JSON.stringify({
          ticket_id: `IMP-${i}`,
          subject: korean ? `배송이 늦어요 ${i}` : `Package is late ${i}`,
          status: 'open',
          created_at: '2024-05-01T00:00:00Z',
          description: korean ? '주문한 상품이 아직 도착하지 않았습니다.' : 'My order has not arrived yet.',
        })}\n`,
      );
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

describe('npm run import (the CLI, on SQLite)', () => {
  let t: TestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-import-'));
  afterAll(() => t.close());

  it('streams a 10k-line file into the store, reporting bad lines without stopping', async () => {
    t = await startTestApp('sqlite', { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', QUEUE_REDIS_URL: '' });
    const key = await t.createCompany('importer');
    const file = join(dataDir, 'tickets.jsonl');
    await writeFile(file, 10_000);

    const { stdout } = await run(
      process.execPath,
      ['--require', './bench/swc-register.js', 'src/cli/import.ts', '--company', 'importer', '--file', file],
      { cwd: join(__dirname, '../../..'), env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_API_KEY: TEST_ADMIN_KEY }, timeout: 60_000 },
    );
    expect(stdout).toContain('10000 lines: 9980 stored (new or changed), 0 unchanged, 20 rejected');
    expect(stdout).toMatch(/line 8: not JSON/);
    expect(stdout).toMatch(/line 9: subject .*status must be one of/);

    const stored = await t.request({ method: 'GET', url: '/api/v1/tickets/IMP-9999', key });
    expect(stored.status).toBe(200);
    expect(stored.body.index_state).toBe('pending');
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/bad-8', key })).status).toBe(404);
  }, 90_000);

  it('refuses an unknown company', async () => {
    const file = join(dataDir, 'one.jsonl');
    await writeFile(file, 1);
    await expect(
      run(process.execPath, ['--require', './bench/swc-register.js', 'src/cli/import.ts', '--company', 'nobody', '--file', file], {
        cwd: join(__dirname, '../../..'),
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_API_KEY: TEST_ADMIN_KEY },
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("company 'nobody' does not exist") });
  }, 60_000);
});
