import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/http/api-docs';
import { ActorKeyId, AdminOnly } from '../../../common/tenancy/auth.decorators';
import { AuditService } from '../../audit/audit.service';
import { CacheStatsService } from '../cache-stats.service';
import { CacheLayer, LayeredCache } from '../ports/layered-cache.port';
import {
  CacheCompanyParamDto,
  CacheInvalidatedDto,
  CacheStatsDto,
  CacheStatsQueryDto,
  InvalidateCacheQueryDto,
} from './admin-cache.dto';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiErrors(400, 401, 403, 429)
@AdminOnly()
@Controller('api/v1/admin/cache')
export class AdminCacheController {
  constructor(
    private readonly cache: LayeredCache,
    private readonly stats: CacheStatsService,
    private readonly audit: AuditService,
  ) {}

  @Get('stats')
  @ApiOperation({ summary: 'Cache statistics: hit ratios, keys per layer, memory, clients, savings' })
  @ApiOkResponse({ type: CacheStatsDto })
  @ApiErrors(503)
  getStats(@Query() query: CacheStatsQueryDto): Promise<CacheStatsDto> {
    return this.stats.snapshot({ companyId: query.company_id });
  }

  @Delete(':company_id')
  @HttpCode(200)
  @ApiOperation({ summary: "Invalidate a company's cache, all layers or `?types=`" })
  @ApiOkResponse({ type: CacheInvalidatedDto })
  @ApiErrors(503)
  async invalidate(
    @ActorKeyId() actor: string,
    @Param() params: CacheCompanyParamDto,
    @Query() query: InvalidateCacheQueryDto,
  ): Promise<CacheInvalidatedDto> {
    const layers = query.types ? (query.types.split(',') as CacheLayer[]) : undefined;
    const invalidated = await this.cache.invalidate(params.company_id, layers);
    await this.audit.record({
      actorKeyId: actor,
      action: 'cache.invalidated',
      companyId: params.company_id,
      target: `cache/${params.company_id}`,
      details: { layers: layers ?? 'all', invalidated },
    });
    return { invalidated: invalidated as Record<string, number> };
  }
}
