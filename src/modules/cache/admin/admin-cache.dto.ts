import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsCompanyId } from '../../../common/tenancy/company-id';
import { CACHE_LAYERS } from '../ports/layered-cache.port';

const LAYER = `(${CACHE_LAYERS.join('|')})`;

export class CacheCompanyParamDto {
  @IsCompanyId()
  company_id: string;
}

export class InvalidateCacheQueryDto {
  @ApiPropertyOptional({
    description: `comma-separated layers (default: all): ${CACHE_LAYERS.join(', ')}`,
    example: 'llm,vector',
  })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(`^${LAYER}(,${LAYER})*$`), {
    message: `$property must be a comma-separated list of: ${CACHE_LAYERS.join(', ')}`,
  })
  types?: string;
}

export class CacheStatsQueryDto {
  @ApiPropertyOptional({ description: 'narrow the stats to one company' })
  @IsOptional()
  @IsCompanyId()
  company_id?: string;
}

export class CacheInvalidatedDto {
  @ApiProperty({
    description: 'keys of older generations found and removed, per layer',
    example: { llm: 12, vector: 40 },
  })
  invalidated: Record<string, number>;
}

/** Hits that carried a credit, and the LLM tokens and estimated cost they avoided. */
export class CacheSavingsDto {
  @ApiProperty() hits: number;
  @ApiProperty() tokens: number;
  @ApiProperty() cost_usd: number;
}

export class CacheStatsDto {
  @ApiProperty() total_keys: number;
  @ApiProperty({ description: 'used_memory of the cache Redis (embedded: approximate size of the entries)' })
  memory_usage_mb: number;
  @ApiProperty({ description: 'hits (including stale hits) / lookups, 0-1' }) hit_ratio: number;
  @ApiProperty({ example: { vector: 0.8, llm: 0.6 } }) hit_ratio_by_type: Record<string, number>;
  @ApiProperty({ description: 'keys per layer (SCAN count)', example: { llm: 10, vector: 4 } })
  key_distribution: Record<string, number>;
  @ApiProperty() connected_clients: number;
  @ApiProperty({ description: 'lookups per layer' }) lookups: Record<
    string,
    { hits: number; stale: number; misses: number }
  >;
  @ApiProperty({ type: CacheSavingsDto, description: 'LLM tokens and estimated cost avoided by hits' })
  savings: CacheSavingsDto;
  @ApiProperty({ enum: ['redis', 'memory'] }) store: 'redis' | 'memory';
}
