import { loadConfig } from './config';
import { ConfigValidationError } from './define-config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs embedded with no environment at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('embedded');
    expect(config.app).toMatchObject({ role: 'all', port: 3000, dataDir: './data' });
    expect(config.database).toEqual({ kind: 'sqlite', path: null, logging: false });
    expect(config.redis.url).toBeUndefined();
    expect(config.llm.provider).toBe('local');
    expect(config.search.vectorStore).toBe('embedded');
  });

  it('switches each dependency to its service when its variable is set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      QDRANT_URL: 'http://qdrant:6333',
      OPENAI_BASE_URL: 'http://vllm:8000/v1',
      ADMIN_API_KEY: 'a-long-enough-admin-key',
      APP_ROLE: 'worker',
      PORT: '8080',
    });
    expect(config.mode).toBe('services');
    expect(config.database.kind).toBe('postgres');
    expect(config.redis).toMatchObject({ url: 'redis://cache:6379', queueUrl: 'redis://cache:6379' });
    expect(config.search.vectorStore).toBe('qdrant');
    expect(config.llm.provider).toBe('openai');
    expect(config.app).toMatchObject({ role: 'worker', port: 8080 });
  });

  it('refuses split roles without QDRANT_URL: the embedded vector index serves one process', () => {
    const services = { DATABASE_URL: 'postgres://u@db:5432/app', REDIS_URL: 'redis://cache:6379', ADMIN_API_KEY: 'a-long-enough-admin-key' };
    for (const role of ['api', 'worker']) {
      expect(problems({ ...services, APP_ROLE: role })).toEqual([
        expect.stringMatching(new RegExp(`^QDRANT_URL: required with APP_ROLE=${role}`)),
      ]);
      expect(problems({ ...services, APP_ROLE: role, QDRANT_URL: 'http://qdrant:6333' })).toEqual([]);
    }
    expect(problems({ ...services })).toEqual([]);
  });

  it('configures each model role apart: server, key, temperature, output-length field, dimensions, encoding', () => {
    const defaults = loadConfig({ OPENAI_API_KEY: 'sk-1' }).llm;
    expect(defaults).toMatchObject({
      embeddings: { apiKey: 'sk-1' },
      maxTokensField: 'max_completion_tokens',
      sendEmbeddingDimensions: false,
      embeddingEncoding: 'base64',
      startupProbe: true,
    });
    expect(defaults.temperature).toBeUndefined();
    // Model calls over node:http unless a proxy is configured (then Node's fetch, which can follow it).
    expect(defaults.viaProxy).toBe(false);
    expect(loadConfig({ OPENAI_API_KEY: 'k', HTTPS_PROXY: 'http://proxy:3128' }).llm.viaProxy).toBe(true);
    expect(loadConfig({ OPENAI_API_KEY: 'k', HTTP_PROXY: 'http://proxy:3128' }).llm.viaProxy).toBe(true);
    const vllm = loadConfig({
      OPENAI_BASE_URL: 'http://vllm:8000/v1',
      LLM_EMBEDDINGS_BASE_URL: 'http://tei:8080/v1',
      LLM_EMBEDDINGS_API_KEY: 'embed-key',
      LLM_EMBEDDING_MODEL: 'BAAI/bge-m3',
      LLM_EMBEDDING_DIMENSION: '1024',
      LLM_TEMPERATURE: '0.2',
    }).llm;
    expect(vllm).toMatchObject({
      provider: 'openai',
      baseUrl: 'http://vllm:8000/v1',
      embeddings: { baseUrl: 'http://tei:8080/v1', apiKey: 'embed-key' },
      temperature: 0.2,
      maxTokensField: 'both',
      embeddingDimension: 1024,
      sendEmbeddingDimensions: false,
    });
    expect(loadConfig({ OPENAI_API_KEY: 'k', LLM_EMBEDDING_DIMENSION: '256' }).llm.sendEmbeddingDimensions).toBe(true);
    expect(
      loadConfig({ OPENAI_API_KEY: 'k', LLM_EMBEDDING_DIMENSION: '256', LLM_EMBEDDING_SEND_DIMENSIONS: 'false' }).llm
        .sendEmbeddingDimensions,
    ).toBe(false);
    expect(problems({ LLM_TEMPERATURE: '3', LLM_MAX_TOKENS_FIELD: 'tokens', LLM_EMBEDDING_ENCODING: 'hex' })).toEqual([
      expect.stringMatching(/^LLM_TEMPERATURE: must be a number from 0 to 2/),
      expect.stringMatching(/^LLM_MAX_TOKENS_FIELD: must be one of/),
      expect.stringMatching(/^LLM_EMBEDDING_ENCODING: must be base64 or float/),
    ]);
  });

  it('keeps a separate queue Redis when QUEUE_REDIS_URL is set', () => {
    const config = loadConfig({ REDIS_URL: 'redis://cache:6379', QUEUE_REDIS_URL: 'redis://queue:6379' });
    expect(config.redis.queueUrl).toBe('redis://queue:6379');
  });

  it('names every bad variable with its value', () => {
    const found = problems({ PORT: 'eighty', APP_ROLE: 'both', DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379' });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: .*"eighty"/),
        expect.stringMatching(/^APP_ROLE: must be one of all, api, worker/),
        expect.stringMatching(/^DATABASE_URL: must be a postgres/),
        expect.stringMatching(/^REDIS_URL: must be a redis/),
      ]),
    );
  });

  it('requires an admin key in services mode and refuses short ones', () => {
    expect(problems({ DATABASE_URL: 'postgres://u@db/app' })).toEqual([expect.stringMatching(/^ADMIN_API_KEY: required/)]);
    expect(problems({ ADMIN_API_KEY: 'short' })).toEqual([expect.stringMatching(/^ADMIN_API_KEY: must be at least 16/)]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).app.port).toBe(3000);
  });

  it('rejects ports out of range', () => {
    expect(problems({ PORT: '70000' })).toEqual([expect.stringMatching(/^PORT: must be a TCP port/)]);
    expect(problems({ PORT: '0' })).toEqual([expect.stringMatching(/^PORT: must be a TCP port/)]);
  });
});
