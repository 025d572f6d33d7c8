import Bull from 'bull';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BullConnections, BullJobQueue } from '../../../src/modules/jobs/adapters/bull.job-queue.adapter';
import { InProcessJobQueue } from '../../../src/modules/jobs/adapters/in-process.job-queue.adapter';
import { INGEST_QUEUE } from '../../../src/modules/jobs/jobs';
import { runJobQueueContract } from '../../contract/job-queue.contract';
import { describeSkippedWithout } from '../../support/services';

runJobQueueContract('in-process', async () => {
  const queue = new InProcessJobQueue();
  return { queue, dispose: () => queue.drain() };
});

const url = process.env.QUEUE_REDIS_URL;
if (url) {
  runJobQueueContract('Bull', async () => {
    const connections = new BullConnections((type) =>
      type === 'client'
        ? new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
        : new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false }),
    );
    const bull = new Bull(INGEST_QUEUE, {
      prefix: `test-${process.pid}-${randomBytes(3).toString('hex')}`,
      createClient: (type) => connections.open(type),
    });
    const queue = new BullJobQueue(bull, connections);
    // The producer connection has no offline queue: the app's first call comes long after it is up.
    await bull.isReady();
    const deadline = Date.now() + 5_000;
    while (bull.client.status !== 'ready' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return {
      queue,
      async dispose() {
        await queue.drain();
        await (bull as Bull.Queue & { onApplicationShutdown(): Promise<void> }).onApplicationShutdown();
      },
    };
  });
} else {
  describeSkippedWithout('JobQueue contract: Bull', ['QUEUE_REDIS_URL']);
}
