import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { AUDIT_ACTIONS } from '../domain/audit-actions';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'only actions on this company' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_-]{2,50}$/, { message: '$property must be 2-50 characters of a-z, 0-9, _ and -' })
  company_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Matches(/^([1-9]\d?|1\d\d|200)$/, { message: '$property must be a whole number from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    description: 'the acting key: admin:<fingerprint of the admin key>, or system',
    example: 'admin:3f2a9c1b7d4e',
  })
  actor_key_id: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: string;
  @ApiProperty({ type: String, nullable: true }) company_id: string | null;
  @ApiProperty({ example: 'company/acme' }) target: string;
  @ApiProperty({ type: Object, nullable: true }) details: Record<string, unknown> | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'newest first' }) items: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}
