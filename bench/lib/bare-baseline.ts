/**
 * The floor for a cached read: bare Fastify + ioredis, one GET of a stored JSON answer per request, no auth,
 * no validation, no Nest. Run as its own process (like the app) by the hot-path bench:
 *   BASELINE_PORT=... BASELINE_REDIS_URL=... node --require ./bench/swc-register.js bench/lib/bare-baseline.ts
 */
import Fastify from 'fastify';
import Redis from 'ioredis';

async function main(): Promise<void> {
  const redis = new Redis(process.env.BASELINE_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    commandTimeout: 250,
  });
  const key = 'bench-baseline:search';
  await redis.set(
    key,
    JSON.stringify({
      results: Array.from({ length: 5 }, (_, i) => ({
        type: 'ticket',
        id: `T-${i}`,
        score: 1 - i / 10,
        title: `Ticket ${i}`,
        summary: 'The reset link in the email has expired.',
      })),
      cached: true,
    }),
  );
  const app = Fastify({ logger: false });
  app.post('/api/v1/search', async (_request, reply) => {
    const cached = await redis.get(key);
    reply.header('content-type', 'application/json').header('x-cache', 'HIT');
    return cached;
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.listen({ port: Number(process.env.BASELINE_PORT ?? 3999), host: '127.0.0.1' });
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => redis.quit())
        .then(() => process.exit(0)),
  );
}

void main();
