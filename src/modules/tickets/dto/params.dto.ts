import { IsString, Length } from 'class-validator';

export class TicketIdParamDto {
  @IsString()
  @Length(1, 100)
  ticket_id: string;
}

export class ArticleIdParamDto {
  @IsString()
  @Length(1, 100)
  article_id: string;
}
