import { JobName, JobOptions } from '../../src/modules/jobs/jobs';
import { JobQueue, JobView } from '../../src/modules/jobs/ports/job-queue.port';

const OPTIONS: JobOptions = { attempts: 1, backoffMs: 10, removeOnComplete: false, removeOnFail: false };

async function settled(queue: JobQueue, id: string, timeoutMs = 10_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    if (job && (job.state === 'completed' || job.state === 'failed')) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not settle (state ${job?.state})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The same cases against every JobQueue adapter: one fresh queue per case (a name is processed once). */
export function runJobQueueContract(
  name: string,
  open: () => Promise<{ queue: JobQueue; dispose(): Promise<void> }>,
): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ queue, dispose } = await open());
    });
    afterEach(() => dispose());

    it('runs a job with its payload and keeps its result and progress', async () => {
      const seen: unknown[] = [];
      queue.process({
        name: JobName.Warm,
        concurrency: 1,
        handler: async (data, ctx) => {
          seen.push(data);
          await ctx.reportProgress({ processed: 1, total: 1, failed: 0 });
          return { warmed: data.companyId };
        },
      });
      const id = await queue.add({ name: JobName.Warm, data: { companyId: 'acme' }, options: OPTIONS });
      const job = await settled(queue, id);
      expect(seen).toEqual([{ companyId: 'acme' }]);
      expect(job).toMatchObject({
        id,
        name: 'warm',
        data: { companyId: 'acme' },
        state: 'completed',
        result: { warmed: 'acme' },
        progress: { processed: 1, total: 1, failed: 0 },
      });
    });

    it('retries a failing job up to its attempts, then marks it failed with the reason', async () => {
      let calls = 0;
      queue.process({
        name: JobName.Warm,
        concurrency: 1,
        handler: async () => {
          calls += 1;
          throw new Error(`boom ${calls}`);
        },
      });
      const id = await queue.add({
        name: JobName.Warm,
        data: { companyId: 'acme' },
        options: { ...OPTIONS, attempts: 2 },
      });
      const job = await settled(queue, id);
      expect(calls).toBe(2);
      expect(job).toMatchObject({ state: 'failed', attemptsMade: 2, failedReason: 'boom 2' });
    });

    it('attemptsMade counts finished failed attempts (Bull’s meaning): 0 while the first runs and after it succeeds', async () => {
      const seen: Array<{ attempt: number; attemptsMade: number | undefined }> = [];
      let id = '';
      queue.process({
        name: JobName.Warm,
        concurrency: 1,
        handler: async (data, ctx) => {
          seen.push({ attempt: ctx.attempt, attemptsMade: (await queue.getJob(ctx.id))?.attemptsMade });
          if (data.companyId === 'flaky' && ctx.attempt === 1) throw new Error('first attempt fails');
          return 'ok';
        },
      });
      id = await queue.add({
        name: JobName.Warm,
        data: { companyId: 'acme' },
        options: { ...OPTIONS, attempts: 3 },
      });
      expect(await settled(queue, id)).toMatchObject({ state: 'completed', attemptsMade: 0 });
      expect(seen).toEqual([{ attempt: 1, attemptsMade: 0 }]);

      seen.length = 0;
      id = await queue.add({
        name: JobName.Warm,
        data: { companyId: 'flaky' },
        options: { ...OPTIONS, attempts: 3 },
      });
      expect(await settled(queue, id)).toMatchObject({ state: 'completed', attemptsMade: 1 });
      expect(seen).toEqual([
        { attempt: 1, attemptsMade: 0 },
        { attempt: 2, attemptsMade: 1 },
      ]);
    });

    it('a fixed job id deduplicates while the job is queued', async () => {
      const options = { ...OPTIONS, jobId: 'warm:acme:2026-12-07' };
      const first = await queue.add({ name: JobName.Warm, data: { companyId: 'acme' }, options });
      const second = await queue.add({ name: JobName.Warm, data: { companyId: 'acme' }, options });
      expect(second).toBe(first);
      expect((await queue.counts()).waiting).toBe(1);
    });

    it('removes and counts the jobs of one company in every state but active, keeping the ones asked', async () => {
      queue.process({ name: JobName.Warm, concurrency: 1, handler: async () => 'done' });
      // Failed ones: Bull's worker takes every job of the queue (one without a handler fails), so a job left
      // without a handler would move from waiting to failed while the test counts.
      queue.process({
        name: JobName.PurgeDeleted,
        concurrency: 1,
        handler: async () => {
          throw new Error('refused');
        },
      });
      const done = await queue.add({ name: JobName.Warm, data: { companyId: 'acme' }, options: OPTIONS });
      await settled(queue, done);
      const refused = await queue.add({
        name: JobName.PurgeDeleted,
        data: { companyId: 'acme' },
        options: { ...OPTIONS, jobId: 'purge:acme' },
      });
      const kept = await queue.add({
        name: JobName.PurgeDeleted,
        data: { companyId: 'acme' },
        options: { ...OPTIONS, jobId: 'keep:acme' },
      });
      const other = await queue.add({
        name: JobName.PurgeDeleted,
        data: { companyId: 'globex' },
        options: { ...OPTIONS, jobId: 'purge:globex' },
      });
      for (const id of [refused, kept, other])
        expect(await settled(queue, id)).toMatchObject({ state: 'failed' });
      await expect(queue.countCompanyJobs({ companyId: 'acme', keepIds: [kept] })).resolves.toBe(2);

      await expect(queue.removeCompanyJobs({ companyId: 'acme', keepIds: [kept] })).resolves.toBe(2);
      expect(await queue.getJob(done)).toBeNull();
      expect(await queue.getJob(refused)).toBeNull();
      expect(await queue.getJob(kept)).not.toBeNull();
      expect(await queue.getJob(other)).not.toBeNull();
      await expect(queue.countCompanyJobs({ companyId: 'acme', keepIds: [kept] })).resolves.toBe(0);
      await expect(queue.countCompanyJobs({ companyId: 'globex', keepIds: [] })).resolves.toBe(1);
      await expect(queue.removeCompanyJobs({ companyId: 'acme', keepIds: [kept] })).resolves.toBe(0);
    });

    it('knows no job it was never given, and counts by state', async () => {
      expect(await queue.getJob('no-such-job')).toBeNull();
      const counts = await queue.counts();
      expect(Object.keys(counts).sort()).toEqual([
        'active',
        'completed',
        'delayed',
        'failed',
        'paused',
        'waiting',
      ]);
    });

    it('answers a ping, and a worker heartbeat is read back as recent', async () => {
      await expect(queue.ping()).resolves.toBeUndefined();
      const before = Date.now();
      await queue.recordWorkerHeartbeat(60_000);
      const last = await queue.lastWorkerHeartbeat();
      expect(last).toBeInstanceOf(Date);
      expect(last!.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(last!.getTime()).toBeLessThanOrEqual(Date.now());
    });
  });
}
