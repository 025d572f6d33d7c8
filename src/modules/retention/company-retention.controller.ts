import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-docs';
import { ActorKeyId, AdminOnly } from '../../common/tenancy/auth.decorators';
import { CompanyIdParamDto } from '../admin/dto/company.dto';
import { RetentionPolicyDto, RetentionPolicyViewDto } from './dto/retention.dto';
import { RetentionService } from './retention.service';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(400, 401, 403, 404, 429, 503)
@AdminOnly()
@Controller('api/v1/admin/companies')
export class CompanyRetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Put(':company_id/retention')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Set a company's retention: tickets older than tickets_days are deleted hourly, sessions end after sessions_hours",
    description:
      'Omitted fields are unchanged, null clears one. Written to the audit log (`retention.changed`). Tickets last ' +
      'updated before now − tickets_days are deleted by the next hourly run like DELETE /api/v1/tickets (gone from ' +
      'search, grounding and caches).',
  })
  @ApiOkResponse({ type: RetentionPolicyViewDto })
  put(
    @ActorKeyId() actor: string,
    @Param() params: CompanyIdParamDto,
    @Body() body: RetentionPolicyDto,
  ): Promise<RetentionPolicyViewDto> {
    return this.retention.setPolicy({ companyId: params.company_id, actorKeyId: actor, body });
  }

  @Get(':company_id/retention')
  @ApiOperation({ summary: "A company's retention policy (null: kept however old)" })
  @ApiOkResponse({ type: RetentionPolicyViewDto })
  get(@Param() params: CompanyIdParamDto): Promise<RetentionPolicyViewDto> {
    return this.retention.getPolicy(params.company_id);
  }
}
