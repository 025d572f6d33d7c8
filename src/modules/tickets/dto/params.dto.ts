import { IsString, Length } from 'class-validator';

export class TicketIdParamDto {
  @IsString()
  @Length(1, 100)
  ticket_id: string;
}
