import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

/** An ISO 8601 date-time with a time part (a bare date is not a moment). */
export const IsIsoDateTime = () =>
  applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO 8601 date-time' }),
    Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/, {
      message: '$property must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T09:30:00Z',
    }),
  );

export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Optional tags: at most 10, each 1-50 characters (tickets, articles and search filters alike). */
export const IsTagList = () =>
  applyDecorators(IsOptional(), IsArray(), ArrayMaxSize(10), IsString({ each: true }), Length(1, 50, { each: true }));
