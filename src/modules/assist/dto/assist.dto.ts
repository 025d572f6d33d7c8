import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { SEARCH_REQUEST_DATA_TYPES, SearchRequestDataType } from '../../search/dto/search.dto';
import { TicketViewDto } from '../../tickets/dto/ticket.dto';
import { AGENT_ID_PATTERN } from '../domain/agent-preferences';

const COMPANY_ID_DOC = { description: 'optional; must be the key’s company' };

export class InitRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'T-1001' })
  @IsString()
  @Length(1, 100)
  ticket_id: string;

  @ApiPropertyOptional(COMPANY_ID_DOC)
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class QueryRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'How long does a refund take?' })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: '$property must not be blank' })
  query: string;

  @ApiPropertyOptional({ description: 'from /init (or an earlier /query): its ticket is the context' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  session_id?: string;

  @ApiPropertyOptional({ enum: SEARCH_REQUEST_DATA_TYPES, isArray: true, default: ['tickets', 'articles'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsIn(SEARCH_REQUEST_DATA_TYPES, { each: true, message: '$property[*] must be one of: tickets, articles' })
  data_types?: SearchRequestDataType[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 20,
    default: 5,
    description: 'sources retrieved for the answer',
  })
  @IsOptional()
  @IsInt({ message: '$property must be a whole number from 1 to 20' })
  @Min(1, { message: '$property must be a whole number from 1 to 20' })
  @Max(20, { message: '$property must be a whole number from 1 to 20' })
  limit?: number;

  @ApiPropertyOptional(COMPANY_ID_DOC)
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class ReplyRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'T-1001' })
  @IsString()
  @Length(1, 100)
  ticket_id: string;

  @ApiPropertyOptional({ description: 'from /init; validated (404 when unknown or expired)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  session_id?: string;

  @ApiPropertyOptional({ maxLength: 2000, example: 'Apologize for the delay and offer a 10% coupon.' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  instructions?: string;

  @ApiPropertyOptional({
    description:
      'the agent writing: their stored preferences (PUT /api/v1/agents/{agent_id}/preferences: language, tone, signature, max_words) shape the draft',
    example: 'agent-42',
  })
  @IsOptional()
  @IsString()
  @Matches(AGENT_ID_PATTERN, { message: '$property must be 1-100 characters of letters, digits, . _ @ -' })
  agent_id?: string;

  @ApiPropertyOptional(COMPANY_ID_DOC)
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class SourceRefDto {
  @ApiProperty({ description: 'the number the text cites as [ref]: sources[ref-1]', example: 1 }) ref: number;
  @ApiProperty({ enum: ['ticket', 'article'] }) type: 'ticket' | 'article';
  @ApiProperty({ description: 'ticket_id or article_id' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'relevance of the source as /search scores it (cosine similarity, or the normalized keyword score when ' +
      'only keyword search found it); every source reached the relevance floor',
  })
  score: number | null;
}

export class SimilarTicketDto {
  @ApiProperty() ticket_id: string;
  @ApiProperty() subject: string;
  @ApiProperty() summary: string;
  @ApiProperty({ nullable: true, type: String }) status: string | null;
  @ApiProperty() score: number;
  @ApiProperty({ nullable: true, type: String, description: 'the agent reply that resolved it' })
  resolution: string | null;
}

export class KbArticleDto {
  @ApiProperty() article_id: string;
  @ApiProperty() title: string;
  @ApiProperty() summary: string;
  @ApiProperty() score: number;
}

const PARTIAL_DOC = {
  description:
    'a part missed its deadline or a dependency failed: the answer is usable but incomplete, and not cached',
};

export class InitResponseDto {
  @ApiProperty({ description: 'pass to /query and /reply; expires after 2 h without use' })
  session_id: string;
  @ApiProperty({ type: TicketViewDto }) ticket: TicketViewDto;
  @ApiProperty() summary: string;
  @ApiProperty({ enum: ['llm', 'extractive'], description: 'extractive until an LLM summary exists' })
  summary_source: 'llm' | 'extractive';
  @ApiProperty({ type: [SimilarTicketDto], description: 'same company, best first, never the ticket itself' })
  similar_tickets: SimilarTicketDto[];
  @ApiProperty({ type: [KbArticleDto] }) kb_articles: KbArticleDto[];
  @ApiProperty({ description: 'served from the cache (usually prefetched when the ticket was indexed)' })
  cached: boolean;
  @ApiProperty(PARTIAL_DOC) partial: boolean;
  @ApiPropertyOptional({
    enum: ['summary', 'similar_tickets', 'kb_articles', 'session', 'ticket'],
    isArray: true,
    description:
      'what the bundle went without; ticket: the database did not answer, so this is the last bundle cached for the ticket (X-Cache: STALE), as the ticket was when it was cached',
  })
  degraded?: string[];
}

const DEGRADED_DOC = {
  enum: [
    'session',
    'ticket',
    'llm_timeout',
    'llm_unavailable',
    'retrieval_timeout',
    'preferences_unavailable',
  ],
  isArray: true,
  description:
    'what the answer went without, as in /init: session: the session store did not answer (answered without the session’s ticket and turns; the session is kept) or could not keep a new session; ticket: the database did not answer for the ticket: /query answered without the case’s facts (the session’s ticket), /reply drafted for the ticket’s last copy read through the API, /init (X-Cache: STALE) is its last cached bundle or one built around that copy; the others say why the answer is partial: llm_*: a local grounded composition stands in for the model; preferences_unavailable (/reply): the agent’s preferences could not be read, the draft ignores them',
};

export class QueryResponseDto {
  @ApiProperty({
    description:
      'cites sources as [1], [2], ...: every [n] is sources[n-1]; a follow-up in a session is answered with its earlier turns',
  })
  answer: string;
  @ApiProperty({ type: [SourceRefDto] }) sources: SourceRefDto[];
  @ApiProperty({ description: 'the given session, or a new one' }) session_id: string;
  @ApiProperty({
    description:
      'false when nothing retrieved passed the relevance floor: the answer then says plainly that the ' +
      'knowledge base has nothing on it, and `sources` is empty',
  })
  grounded: boolean;
  @ApiProperty() cached: boolean;
  @ApiProperty(PARTIAL_DOC) partial: boolean;
  @ApiPropertyOptional(DEGRADED_DOC) degraded?: string[];
}

export class ReplyResponseDto {
  @ApiProperty({
    description:
      'in the customer’s language (or the agent’s preferred one); other customers’ e-mails, phone, card, account and order numbers and token URLs appear only as placeholders ([email], [phone], ...); any [n] is sources[n-1]',
  })
  draft: string;
  @ApiProperty({ type: [SourceRefDto] }) sources: SourceRefDto[];
  @ApiProperty({
    description:
      'false when no similar ticket or article passed the relevance floor: the draft is written from the ' +
      'ticket alone, `sources` is empty and `notice` says so',
  })
  grounded: boolean;
  @ApiPropertyOptional({
    description: 'set when the draft is not grounded',
    example: 'No related ticket or article passed the relevance floor: drafted from the ticket alone.',
  })
  notice?: string;
  @ApiProperty() cached: boolean;
  @ApiProperty(PARTIAL_DOC) partial: boolean;
  @ApiPropertyOptional(DEGRADED_DOC) degraded?: string[];
}
