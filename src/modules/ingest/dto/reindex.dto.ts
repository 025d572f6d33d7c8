import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export class StartReindexDto {
  @ApiPropertyOptional({
    description:
      "Rewrite only this company's vectors in the active collection (same embedder). Omitted: every company, into a new collection that replaces the active one when complete (what a model change needs).",
    example: 'acme',
    pattern: '^[a-z0-9_-]{2,50}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_-]{2,50}$/, { message: '$property must be 2-50 characters of a-z, 0-9, _ and -' })
  company_id?: string;
}

export class EmbedderDto {
  @ApiProperty({ example: 'text-embedding-3-small' }) model: string;
  @ApiProperty({ example: 1536 }) dimension: number;
}

export class ReindexRunDto {
  @ApiPropertyOptional({ example: 'acme' }) company_id?: string;
  @ApiProperty({ example: '2026-01-05T10:00:00.000Z' }) started_at: string;
  @ApiPropertyOptional({ example: '2026-01-05T10:03:12.000Z' }) finished_at?: string;
  @ApiProperty({ description: 'Vectors written so far', example: 1200 }) vectors: number;
  @ApiPropertyOptional({ example: 'Qdrant (upsert: timed out after 5000 ms)' }) error?: string;
}

export class ReindexStatusDto {
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
