import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SearchFilter, toSearchTypes } from '../domain/search-document';
import type { SearchInput } from '../search.service';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import {
  IsIsoDateTime,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TicketPriority,
  TicketStatus,
} from '../../tickets/dto/validators';

export const SEARCH_REQUEST_DATA_TYPES = ['tickets', 'articles'] as const;
export type SearchRequestDataType = (typeof SEARCH_REQUEST_DATA_TYPES)[number];

/** Valid when either side is missing or not a date: those cases get their own message. */
function IsOnOrAfterMoment(other: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isOnOrAfterMoment',
      target: object.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const start = (args.object as Record<string, unknown>)[other];
          if (typeof value !== 'string' || typeof start !== 'string') return true;
          const [to, from] = [Date.parse(value), Date.parse(start)];
          return Number.isNaN(to) || Number.isNaN(from) || to >= from;
        },
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be on or after ${other}`,
      },
    });
}

/** A single value where an array is expected reads as an array of one (`"status": "resolved"`). */
const oneOrMany = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? [value] : value);

export class SearchFiltersDto {
  @ApiPropertyOptional({
    enum: TICKET_STATUSES,
    isArray: true,
    description: 'any of (one value or an array); articles have none, so this leaves them out',
  })
  @IsOptional()
  @Transform(oneOrMany)
  @IsArray()
  @ArrayMaxSize(TICKET_STATUSES.length)
  @IsIn(TICKET_STATUSES, {
    each: true,
    message: `$property[*] must be one of: ${TICKET_STATUSES.join(', ')}`,
  })
  status?: TicketStatus[];

  @ApiPropertyOptional({
    enum: TICKET_PRIORITIES,
    isArray: true,
    description: 'any of (one value or an array); articles have none, so this leaves them out',
  })
  @IsOptional()
  @Transform(oneOrMany)
  @IsArray()
  @ArrayMaxSize(TICKET_PRIORITIES.length)
  @IsIn(TICKET_PRIORITIES, {
    each: true,
    message: `$property[*] must be one of: ${TICKET_PRIORITIES.join(', ')}`,
  })
  priority?: TicketPriority[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    description: 'documents carrying at least one of these tags',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'created at or after (articles: last updated)' })
  @IsOptional()
  @IsIsoDateTime()
  created_from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created at or before; on or after created_from' })
  @IsOptional()
  @IsIsoDateTime()
  @IsOnOrAfterMoment('created_from')
  created_to?: string;
}

export class SearchRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'customer still waiting for a refund' })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: '$property must not be blank' })
  query: string;

  @ApiPropertyOptional({
    enum: SEARCH_REQUEST_DATA_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: 5,
    default: ['tickets', 'articles'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsIn(SEARCH_REQUEST_DATA_TYPES, { each: true, message: '$property[*] must be one of: tickets, articles' })
  data_types?: SearchRequestDataType[];

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @IsInt({ message: '$property must be a whole number from 1 to 50' })
  @Min(1, { message: '$property must be a whole number from 1 to 50' })
  @Max(50, { message: '$property must be a whole number from 1 to 50' })
  limit?: number;

  @ApiPropertyOptional({ type: SearchFiltersDto })
  @IsOptional()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => SearchFiltersDto)
  filters?: SearchFiltersDto;

  @ApiPropertyOptional({ description: 'optional; must be the key’s company' })
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class SearchResultDto {
  @ApiProperty({ enum: ['ticket', 'article'] }) type: 'ticket' | 'article';
  @ApiProperty({ description: 'ticket_id or article_id', example: 'T-1001' }) id: string;
  @ApiProperty({
    description:
      'relevance on the scale `score_type` names: `cosine` is the cosine similarity of the query and document ' +
      'embeddings (-1 to 1); `keyword` is the BM25 score divided by the most any document could score for ' +
      'this query (0 to 1), given when only keyword search found the document. Not a rank: /query and /reply ' +
      'ground only on results whose cosine + keyword weight × keyword score reaches the relevance floor.',
    example: 0.71,
  })
  score: number;
  @ApiProperty({ enum: ['cosine', 'keyword'], description: 'the scale of `score`' })
  score_type: 'cosine' | 'keyword';
  @ApiPropertyOptional({
    description: 'the normalized keyword score (0 to 1) when keyword search found the document too',
    example: 0.42,
  })
  keyword_score?: number;
  @ApiProperty({
    description:
      'what the results are ordered by, meaningful only within one response: cosine + keyword weight × ' +
      'keyword score (SEARCH_FUSION=score, the default), or reciprocal rank fusion Σ weight / (k + rank) ' +
      '(SEARCH_FUSION=rrf)',
    example: 1.12,
  })
  fusion_score: number;
  @ApiProperty({ description: 'ticket subject or article title' }) title: string;
  @ApiProperty() summary: string;
  @ApiPropertyOptional({ enum: TICKET_STATUSES, description: 'tickets only' }) status?: string;
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, description: 'tickets only' }) priority?: string;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiPropertyOptional({ description: 'tickets only: a snippet of the resolving agent reply' })
  resolution?: string;
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchResultDto], description: 'best first' }) results: SearchResultDto[];
  @ApiProperty({ description: 'served from the search cache' }) cached: boolean;
  @ApiPropertyOptional({
    description: 'set when part of the search was skipped',
    example: 'vector search unavailable, keyword results only',
  })
  degraded?: string;
}

const DEFAULT_LIMIT = 10;

/** The route's body as SearchService input (shared by the controller and the search warmer, so keys agree). */
export function toSearchInput(companyId: string, body: SearchRequestDto): SearchInput {
  const dataTypes = body.data_types ?? ['tickets', 'articles'];
  return {
    companyId,
    query: body.query,
    dataTypes: toSearchTypes(dataTypes),
    limit: body.limit ?? DEFAULT_LIMIT,
    filter: toFilter(body.filters),
  };
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
