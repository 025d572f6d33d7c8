import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAiCompatibleDouble, vectorOf } from '../../fakes/openai-compatible.double';

/** Runs `src/main.ts` as an operator would and returns how it ended. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-refused-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', './bench/swc-register.js', 'src/main.ts'], {
      cwd: join(__dirname, '../../..'),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        METRICS_ENABLED: 'false',
        PORT: String(40_000 + Math.floor(Math.random() * 20_000)),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

describe('a start the configuration cannot serve stops at once, naming the variable (exit 78)', () => {
  it('split roles without QDRANT_URL', async () => {
    const { code, output } = await start({ APP_ROLE: 'worker' });
    expect(code).toBe(78);
    expect(output).toMatch(/QDRANT_URL: required with APP_ROLE=worker/);
  }, 70_000);

  it('an embeddings server whose vectors have another size than LLM_EMBEDDING_DIMENSION', async () => {
    const double = await new OpenAiCompatibleDouble().start();
    try {
      double.on('GET /models', {
        status: 200,
        body: { object: 'list', data: [{ id: 'llama3.2', object: 'model' }] },
      });
      double.on('POST /embeddings', {
        status: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', embedding: vectorOf(768), index: 0 }],
          model: 'e',
        },
      });
      const { code, output } = await start({
        OPENAI_BASE_URL: double.url,
        LLM_CHAT_MODEL: 'llama3.2',
        LLM_EMBEDDING_MODEL: 'nomic-embed-text',
        LLM_EMBEDDING_DIMENSION: '1024',
      });
      expect(code).toBe(78);
      expect(output).toMatch(/LLM_EMBEDDING_DIMENSION: .*expected 1 vectors of 1024, got 1 of 768/);
      expect(double.callsTo('/embeddings')).toHaveLength(1);
    } finally {
      await double.stop();
    }
  }, 70_000);
});
