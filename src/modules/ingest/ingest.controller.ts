import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiBearerAuth,
  ApiSecurity,
} from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { ActorKeyId, AdminOnly, CompanyId } from '../../common/tenancy/auth.decorators';
import { AuditService } from '../audit/audit.service';
import { JobAcceptedDto, JobIdParamDto, JobStatusDto, StartIngestDto } from './dto/ingest.dto';
import type { DataType, IngestResult } from '../jobs/jobs';
import { IngestProducer } from './ingest.producer';
import { ReindexRun, ReindexService } from './reindex.service';
import { EmbedderVersions } from '../search/embedder-versions.service';
import { ReindexStatusDto, StartReindexDto } from './dto/reindex.dto';

@ApiTags('ingest')
@ApiTenantAuth()
@Controller('api/v1/ingest')
export class IngestController {
  constructor(private readonly producer: IngestProducer) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Summarize, embed and index what was stored in a date range (a background job)' })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiErrors(400)
  async start(@CompanyId() companyId: string, @Body() body: StartIngestDto): Promise<JobAcceptedDto> {
    const jobId = await this.producer.startIngest({
      companyId,
      startDate: body.start_date,
      endDate: body.end_date,
      dataTypes: [...new Set<DataType>(body.data_types ?? ['tickets'])],
      force: body.options?.force === true,
    });
    return { job_id: jobId };
  }

  @Get(':job_id')
  @ApiOperation({ summary: 'State, progress, stats and failed items of an ingest job of this company' })
  @ApiOkResponse({ type: JobStatusDto })
  @ApiErrors(400, 404)
  async status(@CompanyId() companyId: string, @Param() params: JobIdParamDto): Promise<JobStatusDto> {
    const job = await this.producer.getJob(companyId, params.job_id);
    const result = job.result as IngestResult | undefined;
    const progress = job.progress ?? { processed: 0, total: 0, failed: 0 };
    return {
      job_id: job.id,
      state: job.state,
      progress,
      stats: (result?.stats as unknown as Record<string, number>) ?? {},
      errors: result?.errors ?? [],
      ...(job.failedReason && job.state === 'failed' ? { failed_reason: job.failedReason } : {}),
    };
  }
}

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(401, 403)
@AdminOnly()
@Controller('api/v1/admin/queues')
export class AdminQueuesController {
  constructor(private readonly producer: IngestProducer) {}

  @Get()
  @ApiOperation({ summary: 'Job counts per queue and state' })
  @ApiOkResponse({
    schema: {
      example: {
        queues: { ingest: { waiting: 0, active: 1, completed: 12, failed: 0, delayed: 0, paused: 0 } },
        backend: 'bull',
      },
    },
  })
  async counts(): Promise<{ queues: Record<string, unknown>; backend: string }> {
    return { queues: { ingest: await this.producer.counts() }, backend: this.producer.kind };
  }
}

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(401, 403)
@AdminOnly()
@Controller('api/v1/admin/reindex')
export class AdminReindexController {
  constructor(
    private readonly reindex: ReindexService,
    private readonly versions: EmbedderVersions,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild vectors with the configured embedding model, in the background',
    description:
      'Embeds every indexed ticket and article again from its stored summary. Without company_id: into a new collection per type that replaces the active one when complete (the old one is then dropped); search answers from keywords until then if the model changed. With company_id: rewrites that company’s vectors in the active collection. Follow it with GET.',
  })
  @ApiAcceptedResponse({ type: ReindexStatusDto })
  @ApiErrors(400, 409)
  async start(@ActorKeyId() actor: string, @Body() body: StartReindexDto): Promise<ReindexStatusDto> {
    const run = await this.reindex.start({ companyId: body.company_id });
    await this.audit.record({
      actorKeyId: actor,
      action: 'reindex.started',
      ...(run.companyId ? { companyId: run.companyId } : {}),
      target: `reindex/${run.id}`,
    });
    return { job_id: run.id, ...this.status(run) };
  }

  @Get()
  @ApiOperation({
    summary: 'Whether the vectors match the configured embedder, and the last re-index of this instance',
  })
  @ApiOkResponse({ type: ReindexStatusDto })
  async current(): Promise<ReindexStatusDto> {
    await this.versions.refresh().catch(() => undefined);
    return this.status(this.reindex.run);
  }

  private status(run: ReindexRun | undefined): ReindexStatusDto {
    const { state, embedder } = this.versions.status();
    return {
      state,
      embedder,
      ...(run
        ? {
            run: {
              job_id: run.id,
              ...(run.companyId ? { company_id: run.companyId } : {}),
              started_at: run.startedAt.toISOString(),
              ...(run.finishedAt ? { finished_at: run.finishedAt.toISOString() } : {}),
              vectors: run.vectors,
              ...(run.error ? { error: run.error } : {}),
            },
          }
        : {}),
    };
  }
}
