import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { SearchFilter } from './domain/search-document';
import { SearchFiltersDto, SearchRequestDto, SearchResponseDto } from './dto/search.dto';
import { SearchService } from './search.service';

const DEFAULT_LIMIT = 10;

@ApiTags('search')
@ApiTenantAuth()
@Controller('api/v1/search')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Hybrid (vector + keyword) search over the company’s tickets and articles' })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiErrors(400)
  search(@CompanyId() companyId: string, @Body() body: SearchRequestDto): Promise<SearchResponseDto> {
    const dataTypes = body.data_types ?? ['tickets', 'articles'];
    return this.searchService.search({
      companyId,
      query: body.query,
      dataTypes: [...new Set(dataTypes)].map((type) => (type === 'tickets' ? 'ticket' : 'article')),
      limit: body.limit ?? DEFAULT_LIMIT,
      filter: toFilter(body.filters),
    });
  }
}

function toFilter(filters: SearchFiltersDto | undefined): SearchFilter | undefined {
  if (!filters) return undefined;
  return {
    status: filters.status,
    priority: filters.priority,
    tags: filters.tags,
    createdFrom: filters.created_from,
    createdTo: filters.created_to,
  };
}
