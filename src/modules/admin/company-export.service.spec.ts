import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { AppError } from '../../common/errors/app-error';
import { CompanyExporter, ExportRecord } from '../../common/tenancy/company-data';
import type { AuditRecord, AuditService } from '../audit/audit.service';
import type { CompanyRepository } from '../auth/api-key.repository';
import { CompanyExportService, orderExporters } from './company-export.service';

class FakeExporter extends CompanyExporter {
  constructor(
    readonly store: string,
    private readonly records: (companyId: string) => ExportRecord[],
    private readonly failAfter?: number,
  ) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    let n = 0;
    for (const record of this.records(companyId)) {
      if (this.failAfter !== undefined && n === this.failAfter) throw new Error('store down');
      n += 1;
      yield record;
    }
  }
}

function serviceWith(exporters: unknown[], known = ['acme']) {
  const audited: AuditRecord[] = [];
  const providers = [...exporters, { notAnExporter: true }].map((instance) => ({
    instance,
    isDependencyTreeStatic: () => true,
  }));
  const service = new CompanyExportService(
    { getProviders: () => providers } as unknown as DiscoveryService,
    { exists: async (id: string) => known.includes(id) } as unknown as CompanyRepository,
    { record: async (entry: AuditRecord) => void audited.push(entry) } as unknown as AuditService,
  );
  return { service, audited };
}

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of lines) text += chunk;
  return text;
}

const many = (type: string, n: number) => () => Array.from({ length: n }, (_, i) => ({ type, i }));

describe('CompanyExportService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('orders stores: company, tickets, articles, summaries, sessions, preferences, usage, then unknown ones by name', () => {
    const names = [
      'usage',
      'zeta-store',
      'tickets',
      'preferences',
      'alpha-store',
      'company',
      'sessions',
      'articles',
      'summaries',
    ];
    const exporters = names.map((store) => new FakeExporter(store, () => []));
    expect(orderExporters([...exporters, exporters[0]]).map((e) => e.store)).toEqual([
      'company',
      'tickets',
      'articles',
      'summaries',
      'sessions',
      'preferences',
      'usage',
      'alpha-store',
      'zeta-store',
    ]);
  });

  it('streams every discovered exporter in order, then an end line with the counts; audits first', async () => {
    const { service, audited } = serviceWith([
      new FakeExporter('usage', many('usage', 2)),
      new FakeExporter('tickets', many('ticket', 3_000)),
      new FakeExporter('company', (companyId) => [{ type: 'company', company_id: companyId }]),
    ]);
    const lines = (await collect(await service.open({ companyId: 'acme', actorKeyId: 'admin:x' })))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportRecord);
    expect(lines[0]).toEqual({ type: 'company', company_id: 'acme' });
    expect(lines.slice(1, 3_001).every((l) => l.type === 'ticket')).toBe(true);
    expect(lines.slice(3_001, 3_003).map((l) => l.type)).toEqual(['usage', 'usage']);
    expect(lines[3_003]).toEqual({
      type: 'end',
      company_id: 'acme',
      counts: { company: 1, ticket: 3_000, usage: 2 },
      stores: ['company', 'tickets', 'usage'],
    });
    expect(lines).toHaveLength(3_004);
    expect(audited).toEqual([
      {
        actorKeyId: 'admin:x',
        action: 'company.exported',
        companyId: 'acme',
        target: 'company/acme',
        details: { stores: ['company', 'tickets', 'usage'] },
      },
    ]);
  });

  it('sends lines in chunks of about 64 KB, never splitting a line', async () => {
    const { service } = serviceWith([
      new FakeExporter('tickets', () =>
        Array.from({ length: 2_000 }, (_, i) => ({ type: 'ticket', body: 'x'.repeat(100 + (i % 50)) })),
      ),
    ]);
    const chunks: string[] = [];
    for await (const chunk of await service.open({ companyId: 'acme', actorKeyId: 'admin:x' }))
      chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.length).toBeLessThan(64 * 1024 + 1_000);
    }
  });

  it('cuts the stream without an end line when a store fails mid-way', async () => {
    const { service } = serviceWith([
      new FakeExporter('company', () => [{ type: 'company' }]),
      new FakeExporter('tickets', many('ticket', 10), 5),
    ]);
    const lines = await service.open({ companyId: 'acme', actorKeyId: 'admin:x' });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of lines) text += chunk;
      })(),
    ).rejects.toThrow('store down');
    expect(text).not.toContain('"end"');
  });

  it('completes with degraded on the end line when a record says its source was unavailable', async () => {
    const { service } = serviceWith([
      new FakeExporter('company', () => [{ type: 'company' }]),
      new FakeExporter('usage', () => [
        { type: 'usage', source: 'cache', unavailable: true },
        { type: 'usage', source: 'llm', calls: 2 },
      ]),
    ]);
    const lines = (await collect(await service.open({ companyId: 'acme', actorKeyId: 'admin:x' })))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportRecord);
    expect(lines[lines.length - 1]).toEqual({
      type: 'end',
      company_id: 'acme',
      counts: { company: 1, usage: 2 },
      stores: ['company', 'usage'],
      degraded: ['cache'],
    });
  });

  it('refuses an unknown company before auditing or reading anything', async () => {
    const { service, audited } = serviceWith([new FakeExporter('tickets', many('ticket', 1))]);
    await expect(service.open({ companyId: 'nobody', actorKeyId: 'admin:x' })).rejects.toMatchObject(
      AppError.notFound('company', 'nobody'),
    );
    expect(audited).toEqual([]);
  });
});
