import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-docs';
import { ActorKeyId, AdminOnly } from '../../common/tenancy/auth.decorators';
import { CompanyIdParamDto } from '../admin/dto/company.dto';
import { CompanyErasureService } from './company-erasure.service';
import { ErasureAcceptedDto, ErasureStatusDto } from './dto/erasure.dto';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(400, 401, 403, 429)
@AdminOnly()
@Controller('api/v1/admin/companies')
export class CompanyErasureController {
  constructor(private readonly erasure: CompanyErasureService) {}

  @Delete(':company_id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Erase a company and everything held for it',
    description:
      'Marks the company erasing and revokes all its API keys at once (every instance refuses them within a second), then queues the erasure: rows, summaries, vectors, keyword index, every cache layer, sessions, preferences, jobs, keys, usage, then the company. Asking again while it runs returns the same job. The audit trail is kept. Follow it with GET .../erasure.',
  })
  @ApiAcceptedResponse({ type: ErasureAcceptedDto })
  @ApiErrors(404, 503)
  async erase(@ActorKeyId() actor: string, @Param() params: CompanyIdParamDto): Promise<ErasureAcceptedDto> {
    const { jobId } = await this.erasure.requestErasure({ companyId: params.company_id, actorKeyId: actor });
    return { job_id: jobId };
  }

  @Get(':company_id/erasure')
  @ApiOperation({ summary: 'State of a company erasure, and its report once completed' })
  @ApiOkResponse({ type: ErasureStatusDto })
  @ApiErrors(404)
  async status(@Param() params: CompanyIdParamDto): Promise<ErasureStatusDto> {
    const status = await this.erasure.status(params.company_id);
    return {
      company_id: status.companyId,
      job_id: status.jobId,
      state: status.state,
      progress: status.progress,
      report: status.report,
      finished_at: status.finishedAt,
      error: status.error,
    };
  }
}
