import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { DRAFT_TONES, DraftTone } from '../../llm/domain/draft-preferences';
import type { TextLanguage } from '../../llm/domain/language';
import { AGENT_ID_PATTERN } from '../domain/agent-preferences';

const LANGUAGES: TextLanguage[] = ['en', 'ko'];
const MAX_WORDS = { min: 30, max: 2000 };

export class AgentIdParamDto {
  @IsString()
  @Matches(AGENT_ID_PATTERN, { message: '$property must be 1-100 characters of letters, digits, . _ @ -' })
  agent_id: string;
}

export class AgentPreferencesRequestDto {
  @ApiPropertyOptional({
    enum: LANGUAGES,
    description: 'reply drafts in this language instead of the customer’s',
  })
  @IsOptional()
  @IsIn(LANGUAGES, { message: '$property must be one of: en, ko' })
  language?: TextLanguage;

  @ApiPropertyOptional({ enum: DRAFT_TONES, description: 'the voice of reply drafts' })
  @IsOptional()
  @IsIn(DRAFT_TONES, { message: '$property must be one of: friendly, formal, concise' })
  tone?: DraftTone;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, example: 'Jane Doe\nAcme Support' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @Matches(/\S/, { message: '$property must not be blank' })
  signature?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MAX_WORDS.min,
    maximum: MAX_WORDS.max,
    description: 'the most words a reply draft may have, signature included',
  })
  @IsOptional()
  @IsInt({ message: `$property must be a whole number from ${MAX_WORDS.min} to ${MAX_WORDS.max}` })
  @Min(MAX_WORDS.min, {
    message: `$property must be a whole number from ${MAX_WORDS.min} to ${MAX_WORDS.max}`,
  })
  @Max(MAX_WORDS.max, {
    message: `$property must be a whole number from ${MAX_WORDS.min} to ${MAX_WORDS.max}`,
  })
  max_words?: number;

  @ApiPropertyOptional({ description: 'optional; must be the key’s company' })
  @IsOptional()
  @IsString()
  company_id?: string;
}

export class AgentPreferencesResponseDto {
  @ApiProperty() agent_id: string;
  @ApiPropertyOptional({ enum: LANGUAGES }) language?: TextLanguage;
  @ApiPropertyOptional({ enum: DRAFT_TONES }) tone?: DraftTone;
  @ApiPropertyOptional() signature?: string;
  @ApiPropertyOptional({ type: 'integer' }) max_words?: number;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
