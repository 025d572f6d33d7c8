import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsIsoDateTime, IsTagList } from './validators';

export class ArticleDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'KB-12' })
  @IsString()
  @Length(1, 100)
  article_id: string;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'How refunds work' })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiProperty({ maxLength: 50_000 })
  @IsString()
  @MaxLength(50_000)
  body: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 10 })
  @IsTagList()
  tags?: string[];

  @ApiProperty({ format: 'date-time', example: '2024-05-01T09:30:00Z' })
  @IsIsoDateTime()
  updated_at: string;
}

export class UpsertArticlesDto {
  @ApiProperty({ type: [ArticleDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ArticleDto)
  articles: ArticleDto[];
}
