import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  IsIsoDateTime,
  IsTagList,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TicketPriority,
  TicketStatus,
} from './validators';

export class ConversationMessageDto {
  @ApiProperty({ enum: ['customer', 'agent'] })
  @IsIn(['customer', 'agent'], { message: '$property must be one of: customer, agent' })
  from: 'customer' | 'agent';

  @ApiProperty({ maxLength: 10_000 })
  @IsString()
  @MaxLength(10_000)
  body: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T09:30:00Z' })
  @IsIsoDateTime()
  created_at: string;
}

export class TicketDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'T-1001' })
  @IsString()
  @Length(1, 100)
  ticket_id: string;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Refund not received after 10 days' })
  @IsString()
  @Length(1, 500)
  subject: string;

  @ApiPropertyOptional({ maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiProperty({ enum: TICKET_STATUSES })
  @IsIn(TICKET_STATUSES, { message: `$property must be one of: ${TICKET_STATUSES.join(', ')}` })
  status: TicketStatus;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'medium' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES, { message: `$property must be one of: ${TICKET_PRIORITIES.join(', ')}` })
  priority?: TicketPriority;

  @ApiPropertyOptional({ type: [String], maxItems: 10, example: ['billing', 'refund'] })
  @IsTagList()
  tags?: string[];

  @ApiProperty({ format: 'date-time', example: '2024-05-01T09:30:00Z' })
  @IsIsoDateTime()
  created_at: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'defaults to created_at' })
  @IsOptional()
  @IsIsoDateTime()
  updated_at?: string;

  @ApiPropertyOptional({ type: [ConversationMessageDto], maxItems: 200 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ConversationMessageDto)
  conversations?: ConversationMessageDto[];
}

export class UpsertTicketsDto {
  @ApiProperty({ type: [TicketDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => TicketDto)
  tickets: TicketDto[];
}

export class UpsertResultDto {
  @ApiProperty({ description: 'new or changed, queued for indexing', example: 2 }) upserted: number;
  @ApiProperty({ description: 'same content as stored: not touched', example: 1 }) unchanged: number;
}

export class DeleteTicketsDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: 1000, example: ['T-1001', 'T-1002'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  ticket_ids: string[];
}

export class DeleteResultDto {
  @ApiProperty({ description: 'deleted now; their search entries are removed by the worker', example: 2 })
  deleted: number;
  @ApiProperty({ type: [String], description: 'ids the company has no ticket for', example: ['T-9999'] })
  not_found: string[];
}

export class ListTicketsQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES, { message: `$property must be one of: ${TICKET_STATUSES.join(', ')}` })
  status?: TicketStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'only tickets updated at or after this moment' })
  @IsOptional()
  @IsIsoDateTime()
  updated_since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Matches(/^([1-9]|[1-9]\d|1\d\d|200)$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(600)
  cursor?: string;

  @ApiPropertyOptional({ description: 'optional; must be the key’s company' })
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class TicketViewDto extends TicketDto {
  @ApiProperty({ nullable: true, type: String }) summary: string | null;
  @ApiProperty({ nullable: true, enum: ['llm', 'extractive'] }) summary_source: 'llm' | 'extractive' | null;
  @ApiProperty({ enum: ['pending', 'indexed', 'failed'] }) index_state: 'pending' | 'indexed' | 'failed';
  @ApiPropertyOptional({ nullable: true, type: String }) index_error?: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) indexed_at: string | null;
}

export class TicketPageDto {
  @ApiProperty({ type: [TicketViewDto] }) items: TicketViewDto[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' }) next_cursor: string | null;
}
