import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { AdminOnly, CompanyId } from '../../common/tenancy/auth.decorators';
import { JobAcceptedDto, JobIdParamDto, JobStatusDto, StartIngestDto } from './dto/ingest.dto';
import type { DataType, IngestResult } from '../jobs/jobs';
import { IngestProducer } from './ingest.producer';

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
  @ApiOkResponse({ schema: { example: { queues: { ingest: { waiting: 0, active: 1, completed: 12, failed: 0, delayed: 0, paused: 0 } }, backend: 'bull' } } })
  async counts(): Promise<{ queues: Record<string, unknown>; backend: string }> {
    return { queues: { ingest: await this.producer.counts() }, backend: this.producer.kind };
  }
}
