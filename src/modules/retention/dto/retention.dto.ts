import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RETENTION_BOUNDS } from '../domain/retention-window';

const { ticketsDays, sessionsHours } = RETENTION_BOUNDS;

/** Omitted: unchanged; null: cleared (nothing is deleted for age). */
export class RetentionPolicyDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: ticketsDays.min,
    maximum: ticketsDays.max,
    description:
      'tickets last updated longer ago are deleted by the hourly retention job; null clears the policy',
    example: 365,
  })
  @IsOptional()
  @IsInt()
  @Min(ticketsDays.min)
  @Max(ticketsDays.max)
  tickets_days?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: sessionsHours.min,
    maximum: sessionsHours.max,
    description:
      'the longest an assist session lives, however often it is read (enforced by the session store); null clears it',
    example: 24,
  })
  @IsOptional()
  @IsInt()
  @Min(sessionsHours.min)
  @Max(sessionsHours.max)
  sessions_hours?: number | null;
}

export class RetentionPolicyViewDto {
  @ApiProperty({ example: 'acme' }) company_id: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 365 }) tickets_days: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 24 }) sessions_hours: number | null;
}
