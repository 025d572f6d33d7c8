import { randomBytes } from 'node:crypto';
import { FakeOpenAiServer } from '../fakes/openai.fake-server';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { startTestApp, TestApp } from '../setup/test-app';

type Entry = { status: 'up' | 'down'; state: string; on_failure?: 'fail' | 'degrade'; latency_ms?: number };

async function readiness(t: TestApp): Promise<{ status: number; details: Record<string, Entry> }> {
  const res = await t.request({ method: 'GET', url: '/health/ready' });
  return { status: res.status, details: res.body.details as Record<string, Entry> };
}

describe('GET /health/ready covers every configured dependency', () => {
  it('local models, no Qdrant: each entry has a state, and says whether its failure fails or degrades', async () => {
    const t = await startTestApp('sqlite');
    try {
      const { status, details } = await readiness(t);
      expect(status).toBe(200);
      expect(details.database).toMatchObject({ status: 'up', state: 'up', on_failure: 'fail' });
      expect(details.database.latency_ms).toEqual(expect.any(Number));
      expect(details.lifecycle).toMatchObject({ state: 'serving', on_failure: 'fail' });
      expect(details.llm_chat).toMatchObject({ status: 'up', state: 'local', on_failure: 'degrade' });
      expect(details.llm_embeddings).toMatchObject({ status: 'up', state: 'local', on_failure: 'degrade' });
      expect(details.vectors).toMatchObject({ status: 'up', on_failure: 'degrade' });
      // No Qdrant configured: nothing to report; the queue Redis only where one is configured.
      expect(details.qdrant).toBeUndefined();
      if (process.env.QUEUE_REDIS_URL) {
        expect(details.queue_redis).toMatchObject({ status: 'up', on_failure: 'degrade' });
      } else {
        expect(details.queue_redis).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });

  it('Qdrant and the model servers: reported with latency while up, degraded (not 503) when they go away', async () => {
    const qdrant = await new FakeQdrantServer().start();
    const openai = await FakeOpenAiServer.start();
    const t = await startTestApp('sqlite', {
      QDRANT_URL: qdrant.url,
      QDRANT_TIMEOUT_MS: '500',
      OPENAI_BASE_URL: openai.url,
      LLM_EMBEDDING_DIMENSION: '16',
    });
    try {
      const up = await readiness(t);
      expect(up.status).toBe(200);
      expect(up.details.qdrant).toMatchObject({ status: 'up', state: 'up', on_failure: 'degrade' });
      expect(up.details.qdrant.latency_ms).toEqual(expect.any(Number));
      expect(up.details.llm_chat).toMatchObject({ status: 'up', state: 'ok' });
      expect(up.details.llm_embeddings).toMatchObject({ status: 'up', state: 'ok' });

      await qdrant.stop();
      await openai.close();
      const down = await readiness(t);
      expect(down.status).toBe(200);
      expect(down.details.qdrant).toMatchObject({
        status: 'up',
        state: 'unreachable',
        on_failure: 'degrade',
      });
      expect(down.details.llm_chat).toMatchObject({ state: 'unreachable', on_failure: 'degrade' });
      expect(down.details.llm_embeddings).toMatchObject({ state: 'unreachable', on_failure: 'degrade' });
      expect(down.details.database.status).toBe('up');
    } finally {
      await t.close();
      await qdrant.stop();
    }
  });

  const withQueue = process.env.QUEUE_REDIS_URL ? it : it.skip;
  withQueue(
    'api role: the queue Redis, and whether a worker has beaten recently (needs QUEUE_REDIS_URL)',
    async () => {
      const qdrant = await new FakeQdrantServer().start();
      const shared = {
        QDRANT_URL: qdrant.url,
        QUEUE_PREFIX: `ready-${randomBytes(3).toString('hex')}`,
      };
      const api = await startTestApp('sqlite', { ...shared, APP_ROLE: 'api' });
      let worker: TestApp | undefined;
      try {
        const alone = await readiness(api);
        expect(alone.status).toBe(200);
        expect(alone.details.queue_redis).toMatchObject({ status: 'up', on_failure: 'degrade' });
        expect(alone.details.worker).toMatchObject({
          status: 'up',
          state: 'no worker seen',
          on_failure: 'degrade',
        });

        worker = await startTestApp('sqlite', { ...shared, APP_ROLE: 'worker' });
        expect((await readiness(worker)).details.queue_redis).toMatchObject({
          status: 'up',
          on_failure: 'fail',
        });
        const deadline = Date.now() + 5_000;
        let state = '';
        while (state !== 'alive' && Date.now() < deadline) {
          state = (await readiness(api)).details.worker.state;
          if (state !== 'alive') await new Promise((r) => setTimeout(r, 100));
        }
        expect(state).toBe('alive');
      } finally {
        await worker?.close();
        await api.close();
        await qdrant.stop();
      }
    },
  );
});
