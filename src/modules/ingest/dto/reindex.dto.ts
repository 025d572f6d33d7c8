import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { COMPANY_ID_PATTERN, IsCompanyId } from '../../../common/tenancy/company-id';

export class StartReindexDto {
  @ApiPropertyOptional({
    description:
      "Rewrite only this company's vectors in the active collection (same embedder). Omitted: every company, into a new collection that replaces the active one when complete (what a model change needs).",
    example: 'acme',
    pattern: COMPANY_ID_PATTERN.source,
  })
  @IsOptional()
  @IsCompanyId()
  company_id?: string;
}

export class EmbedderDto {
  @ApiProperty({ example: 'text-embedding-3-small' }) model: string;
  @ApiProperty({ example: 1536 }) dimension: number;
}

export class ReindexRunDto {
  @ApiProperty({ description: 'The run’s id, as POST answered it', format: 'uuid' }) job_id: string;
  @ApiPropertyOptional({ example: 'acme' }) company_id?: string;
  @ApiProperty({ example: '2026-01-05T10:00:00.000Z' }) started_at: string;
  @ApiPropertyOptional({ example: '2026-01-05T10:03:12.000Z' }) finished_at?: string;
  @ApiProperty({ description: 'Vectors written so far', example: 1200 }) vectors: number;
  @ApiPropertyOptional({ example: 'Qdrant (upsert: timed out after 5000 ms)' }) error?: string;
}

export class ReindexStatusDto {
  @ApiPropertyOptional({
    description: 'On POST: the id of the run started (also `run.job_id`); follow it with GET',
    format: 'uuid',
  })
  job_id?: string;
  @ApiProperty({
    enum: ['current', 'reindex_needed', 'reindexing', 'unknown'],
    description:
      'current: every collection holds the configured embedder’s vectors; reindex_needed: one holds another’s (search answers from keywords); reindexing: a re-index runs in this instance',
  })
  state: string;
  @ApiProperty({ type: EmbedderDto, description: 'The configured embedder' }) embedder: EmbedderDto;
  @ApiPropertyOptional({ type: ReindexRunDto, description: 'The last re-index started in this instance' })
  run?: ReindexRunDto;
}
