import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule, BullBoardModuleOptions } from '@bull-board/nestjs';
import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { AppConfig } from '../../config/config';
import { queueBlockingWaitSeconds } from '../../config/redis.config';
import { BullClientType, BullConnections, BullJobQueue } from './adapters/bull.job-queue.adapter';
import { InProcessJobQueue } from './adapters/in-process.job-queue.adapter';
import { BULL_BOARD_ROUTE, INGEST_QUEUE } from './jobs';
import { JobQueue } from './ports/job-queue.port';
import { QueueMetricsReporter } from './queue-metrics.reporter';
import { CompanyJobsEraser } from './company-jobs.eraser';

/**
 * Bull's three connections: the producer's fails fast (no offline queue); the others retry their commands.
 * The connect timeout is long because boot can block the event loop for seconds (tokenizer build, cold module
 * loading) and a timeout firing then drops the connection under Bull's first commands; a refused connection
 * still fails at once, and every add is bounded separately.
 *
 * A frozen or partitioned Redis keeps sockets open without answering, and a worker blocked in BRPOPLPUSH on such
 * a socket would never take a job again: every connection is dropped and reopened once it has waited
 * QUEUE_REDIS_SOCKET_TIMEOUT_MS for a reply, which is above Bull's blocking wait (`drainDelay`, set from it).
 */
function bullClient(url: string, type: BullClientType, socketTimeoutMs: number): Redis {
  const common = { connectTimeout: 30_000, socketTimeout: socketTimeoutMs, keepAlive: 10_000 };
  return type === 'client'
    ? new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : new Redis(url, {
        ...common,
        maxRetriesPerRequest: null,
        enableReadyCheck: false,
        retryStrategy: (attempt) => Math.min(attempt * 200, 1_000),
      });
}

/**
 * The one job queue of the application (ingest and warm jobs ride it): Bull on QUEUE_REDIS_URL, else the
 * in-process queue. Global, registered once per application, so every producer and processor shares it.
 */
@Module({})
export class JobsModule {
  static register(config: AppConfig): DynamicModule {
    const queueUrl = config.redis.queueUrl;
    const servesApi = config.app.role !== 'worker';

    // One set of connections per application: closed with its queue (see BullConnections).
    const connections = queueUrl ? new BullConnections((type) => bullClient(queueUrl, type, config.redis.queueSocketTimeoutMs)) : undefined;
    const queueProvider: Provider = connections
      ? {
          provide: JobQueue,
          inject: [getQueueToken(INGEST_QUEUE)],
          useFactory: (queue: Queue) => new BullJobQueue(queue, connections),
        }
      : { provide: JobQueue, useClass: InProcessJobQueue };

    return {
      module: JobsModule,
      global: true,
      imports: queueUrl
        ? [
            BullModule.registerQueue({
              name: INGEST_QUEUE,
              prefix: config.ingest.queuePrefix,
              createClient: (type) => connections!.open(type),
              settings: {
                stalledInterval: config.ingest.stalledIntervalMs,
                lockDuration: config.ingest.lockDurationMs,
                maxStalledCount: 5,
                drainDelay: queueBlockingWaitSeconds(config.redis),
              },
            }),
            // Bull Board for operators; the admin key guards it (see BULL_BOARD_ROUTE in create-app).
            ...(servesApi
              ? [
                  // @bull-board/fastify 9.10.1 types name its own copy of @bull-board/api; the runtime contract is the same.
                  BullBoardModule.forRoot({
                    route: BULL_BOARD_ROUTE,
                    adapter: BullBoardFastifyAdapter as unknown as BullBoardModuleOptions['adapter'],
                  }),
                  BullBoardModule.forFeature({ name: INGEST_QUEUE, adapter: BullAdapter }),
                ]
              : []),
          ]
        : [],
      providers: [queueProvider, QueueMetricsReporter, CompanyJobsEraser],
      exports: [JobQueue],
    };
  }
}
