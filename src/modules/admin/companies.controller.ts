import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-docs';
import { ActorKeyId, AdminOnly } from '../../common/tenancy/auth.decorators';
import { AuditService } from '../audit/audit.service';
import { ApiKeysService } from '../auth/api-keys.service';
import {
  ApiKeyIssuedDto,
  ApiKeyParamsDto,
  ApiKeyRevokedDto,
  CompanyCreatedDto,
  CompanyIdParamDto,
  CreateCompanyDto,
} from './dto/company.dto';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(400, 401, 403, 429)
@AdminOnly()
@Controller('api/v1/admin/companies')
export class CompaniesController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a company and its first API key' })
  @ApiCreatedResponse({ type: CompanyCreatedDto })
  @ApiErrors(409)
  async create(@ActorKeyId() actor: string, @Body() body: CreateCompanyDto): Promise<CompanyCreatedDto> {
    const created = await this.apiKeys.createCompany({ companyId: body.company_id, name: body.name });
    await this.audit.record({
      actorKeyId: actor,
      action: 'company.created',
      companyId: created.companyId,
      target: `company/${created.companyId}`,
    });
    return { company_id: created.companyId, api_key: created.apiKey };
  }

  @Post(':company_id/api-keys')
  @ApiOperation({ summary: 'Issue another API key for a company' })
  @ApiCreatedResponse({ type: ApiKeyIssuedDto })
  @ApiErrors(404)
  async issue(@ActorKeyId() actor: string, @Param() params: CompanyIdParamDto): Promise<ApiKeyIssuedDto> {
    const issued = await this.apiKeys.issueKey(params.company_id);
    await this.audit.record({
      actorKeyId: actor,
      action: 'api_key.issued',
      companyId: params.company_id,
      target: `api_key/${issued.keyId}`,
    });
    return { api_key: issued.apiKey, key_id: issued.keyId };
  }

  @Delete(':company_id/api-keys/:key_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key (every instance stops accepting it within a second)' })
  @ApiOkResponse({ type: ApiKeyRevokedDto })
  @ApiErrors(404)
  async revoke(@ActorKeyId() actor: string, @Param() params: ApiKeyParamsDto): Promise<ApiKeyRevokedDto> {
    const revoked = await this.apiKeys.revokeKey({ companyId: params.company_id, keyId: params.key_id });
    await this.audit.record({
      actorKeyId: actor,
      action: 'api_key.revoked',
      companyId: params.company_id,
      target: `api_key/${revoked.keyId}`,
    });
    return { key_id: revoked.keyId, revoked_at: revoked.revokedAt.toISOString() };
  }
}
