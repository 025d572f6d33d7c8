import { loadConfig } from '../../../src/config/config';
import { MemoryPopularityStore } from '../../../src/modules/warming/adapters/memory.popularity-store.adapter';
import { QueryPopularity } from '../../../src/modules/warming/query-popularity.service';
import { WarmJobs } from '../../../src/modules/warming/warm-jobs.service';
import { InProcessJobQueue } from '../../../src/modules/jobs/adapters/in-process.job-queue.adapter';

describe('nightly warm enqueueing', () => {
  it('enqueues one warm job per company with popularity data, once per day however many instances fire', async () => {
    const config = loadConfig({});
    const popularity = new QueryPopularity(new MemoryPopularityStore(), config);
    for (let i = 0; i < 250; i++)
      await popularity.record({ companyId: `co-${i}`, kind: 'search', request: { query: 'q' } });
    const queue = new InProcessJobQueue();
    const jobs = new WarmJobs(queue, popularity);
    const day = new Date('2026-06-01T02:00:00Z');

    expect(await jobs.enqueueNightly(day)).toBe(250);
    await jobs.enqueueNightly(day);
    expect((await queue.counts()).waiting).toBe(250);
    const job = await queue.getJob('warm:co-7:2026-06-01');
    expect(job?.data).toEqual({ companyId: 'co-7' });

    await jobs.enqueueNightly(new Date('2026-06-02T02:00:00Z'));
    expect((await queue.counts()).waiting).toBe(500);
  });
});
