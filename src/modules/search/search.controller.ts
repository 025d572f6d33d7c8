import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { Cached } from '../cache/http/cached.decorator';
import { QueryPopularity } from '../warming/query-popularity.service';
import { SearchRequestDto, SearchResponseDto, toSearchInput } from './dto/search.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@ApiTenantAuth()
@Controller('api/v1/search')
export class SearchController {
  constructor(
    private readonly searchService: SearchService,
    private readonly popularity: QueryPopularity,
  ) {}

  @Post()
  @HttpCode(200)
  // Vector layer; the index's state is covered by invalidation (a stored or indexed change bumps the company's
  // search generation), the models and ranking mode that shaped the results by the key's versions.
  @Cached('vector', 'search', {
    markCached: true,
    shouldStore: (value) => (value as SearchResponseDto).degraded === undefined,
    versions: (config) => ({
      embedder: `${config.llm.embeddingsProvider}:${config.llm.embeddingModel}:${config.llm.localEmbeddingDimension}`,
      hybrid: config.search.hybrid ? 1 : 0,
    }),
  })
  @ApiOperation({ summary: 'Hybrid (vector + keyword) search over the company’s tickets and articles' })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiErrors(400)
  search(
    @CompanyId() companyId: string,
    @Body() body: SearchRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<SearchResponseDto> {
    // The raw body: the search warmer rebuilds this route's cache key from it (bounded, never throws).
    void this.popularity.record({ companyId, kind: 'search', request: request.body as object });
    return this.searchService.search(toSearchInput(companyId, body));
  }
}
