import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErasureAcceptedDto {
  @ApiProperty({
    description: 'The erasure job; follow it with GET .../erasure',
    example: 'erase-company:acme',
  })
  job_id: string;
}

export class ErasureReportDto {
  @ApiProperty({
    description:
      'Database rows (tickets, articles with their summaries, tombstones, keyword documents, usage, the company)',
  })
  rows: number;
  @ApiProperty({ description: 'Vectors removed from the vector index' }) vectors: number;
  @ApiProperty({ description: 'Cache entries and counters (every layer, sessions and preferences included)' })
  cache_keys: number;
  @ApiProperty({
    description: 'Queued, delayed, failed or finished jobs of the company, with their payloads',
  })
  jobs: number;
  @ApiProperty({ description: 'API keys' }) keys: number;
}

export class JobProgressDto {
  @ApiProperty() processed: number;
  @ApiProperty() total: number;
  @ApiProperty() failed: number;
}

export class ErasureStatusDto {
  @ApiProperty({ example: 'acme' }) company_id: string;
  @ApiProperty({ example: 'erase-company:acme' }) job_id: string;
  @ApiProperty({ enum: ['queued', 'running', 'retrying', 'completed'] }) state: string;
  @ApiPropertyOptional({ type: JobProgressDto, nullable: true, description: 'Erasers run of all found' })
  progress: JobProgressDto | null;
  @ApiPropertyOptional({ type: ErasureReportDto, nullable: true, description: 'Set once completed' })
  report: ErasureReportDto | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) finished_at: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The last attempt’s error while retrying',
  })
  error: string | null;
}
