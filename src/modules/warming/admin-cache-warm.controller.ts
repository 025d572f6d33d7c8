import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-docs';
import { AdminOnly } from '../../common/tenancy/auth.decorators';
import { CompanyIdParamDto } from '../admin/dto/company.dto';
import { JobAcceptedDto } from '../ingest/dto/ingest.dto';
import { WarmJobs } from './warm-jobs.service';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(400, 401, 403, 429)
@AdminOnly()
@Controller('api/v1/admin/cache/warm')
export class AdminCacheWarmController {
  constructor(private readonly jobs: WarmJobs) {}

  @Post(':company_id')
  @HttpCode(202)
  @ApiOperation({
    summary: "Warm the company's popular searches, answers and prompts now (a background job)",
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiErrors(503)
  async warm(@Param() params: CompanyIdParamDto): Promise<JobAcceptedDto> {
    return { job_id: await this.jobs.enqueue(params.company_id) };
  }
}
