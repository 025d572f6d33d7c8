import type { DiscoveryService } from '@nestjs/core';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import type { AuditRecord, AuditService } from '../audit/audit.service';
import type { CompanyRepository } from '../auth/api-key.repository';
import type { ApiKeysService } from '../auth/api-keys.service';
import type { JobQueue } from '../jobs/ports/job-queue.port';
import { CompanyErasureService } from './company-erasure.service';

/** A store holding `items` things of the company; `failOnce` makes its first erase throw after erasing half. */
class FakeStore extends CompanyEraser {
  readonly calls: string[] = [];
  private failed = false;

  constructor(
    readonly store: string,
    readonly order: number,
    public items: number,
    private readonly field: keyof ErasureCounts,
    private readonly log: string[],
    private readonly failOnce = false,
  ) {
    super();
  }

  async erase(): Promise<ErasureCounts> {
    this.log.push(this.store);
    if (this.failOnce && !this.failed) {
      this.failed = true;
      const half = Math.floor(this.items / 2);
      this.items -= half;
      throw new Error(`${this.store} crashed`);
    }
    const n = this.items;
    this.items = 0;
    return { [this.field]: n };
  }

  async residue(): Promise<number> {
    return this.items;
  }
}

function setUp(stores: (log: string[]) => FakeStore[]) {
  const log: string[] = [];
  const erasers = stores(log);
  const audit: AuditRecord[] = [];
  const discovery = {
    getProviders: () => [...erasers, ...erasers, { name: 'other' }].map((instance) => ({ instance })),
  } as unknown as DiscoveryService;
  const companies = { erasingSince: async () => new Date(0) } as unknown as CompanyRepository;
  const auditService = {
    record: async (entry: AuditRecord) => void audit.push(entry),
    list: async () => ({
      items: audit
        .filter((a) => a.action === 'company.erased')
        .map((a) => ({ at: 'now', details: a.details })),
      next_cursor: null,
    }),
  } as unknown as AuditService;
  const service = new CompanyErasureService(
    discovery,
    {} as ApiKeysService,
    companies,
    {} as JobQueue,
    auditService,
  );
  return { service, log, audit, erasers };
}

const noProgress = async () => undefined;

describe('CompanyErasureService.erase', () => {
  it('runs every discovered eraser once per round in order, the final ones last, and sums the report', async () => {
    const { service, log, audit } = setUp((l) => [
      new FakeStore('company', 100, 1, 'rows', l),
      new FakeStore('tickets', 30, 500, 'rows', l),
      new FakeStore('keys', 0, 2, 'keys', l),
      new FakeStore('vectors', 20, 500, 'vectors', l),
      new FakeStore('cache', 20, 7, 'cache_keys', l),
      new FakeStore('jobs', 10, 3, 'jobs', l),
    ]);
    const report = await service.erase({ companyId: 'acme', actorKeyId: 'admin:x' }, noProgress);
    expect(log).toEqual(['keys', 'jobs', 'cache', 'vectors', 'tickets', 'company']);
    expect(report).toEqual({ rows: 501, vectors: 500, cache_keys: 7, jobs: 3, keys: 2 });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'company.erased',
        actorKeyId: 'admin:x',
        companyId: 'acme',
        target: 'company/acme',
      }),
    ]);
    expect(audit[0].details).toMatchObject({ report });
  });

  it('resumes after a crash: the retry finishes, the company row goes only once everything else is clean', async () => {
    const { service, log, audit, erasers } = setUp((l) => [
      new FakeStore('tickets', 30, 100, 'rows', l, true),
      new FakeStore('company', 100, 1, 'rows', l),
    ]);
    await expect(service.erase({ companyId: 'acme', actorKeyId: 'admin:x' }, noProgress)).rejects.toThrow(
      'tickets crashed',
    );
    expect(erasers.find((e) => e.store === 'company')!.items).toBe(1);
    expect(audit).toEqual([]);

    const report = await service.erase({ companyId: 'acme', actorKeyId: 'admin:x' }, noProgress);
    expect(report).toEqual({ rows: 50 + 1, vectors: 0, cache_keys: 0, jobs: 0, keys: 0 });
    expect(log).toEqual(['tickets', 'tickets', 'company']);
    // Run again (a duplicate delivery): nothing found, no second audit entry.
    await expect(service.erase({ companyId: 'acme', actorKeyId: 'admin:x' }, noProgress)).resolves.toEqual({
      rows: 0,
      vectors: 0,
      cache_keys: 0,
      jobs: 0,
      keys: 0,
    });
    expect(audit).toHaveLength(1);
  });

  it('refuses to erase a company that was not marked for erasure', async () => {
    const { service } = setUp((l) => [new FakeStore('tickets', 30, 1, 'rows', l)]);
    (service as unknown as { companies: { erasingSince: () => Promise<null> } }).companies.erasingSince =
      async () => null;
    await expect(service.erase({ companyId: 'acme', actorKeyId: 'admin:x' }, noProgress)).rejects.toThrow(
      'not marked for erasure',
    );
  });
});
