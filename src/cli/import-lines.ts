import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../common/http/validation';
import { TicketDto } from '../modules/tickets/dto/ticket.dto';

export type ImportFormat = 'tickets' | 'dataset';

/**
 * One JSON line → a validated TicketDto, or the reasons it was rejected. `tickets` lines carry API.md's
 * fields; `dataset` lines are the public support-message records (id, body, intent, response, …).
 */
export async function parseTicketLine(line: string, format: ImportFormat): Promise<{ ticket?: TicketDto; errors?: string[] }> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { errors: [`not JSON: ${(error as Error).message}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { errors: ['not a JSON object'] };
  const plain = format === 'dataset' ? fromDatasetRecord(raw as Record<string, unknown>) : raw;
  const dto = plainToInstance(TicketDto, plain);
  const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return problems.length > 0 ? { errors: flattenValidationErrors(problems) } : { ticket: dto };
}

const DATASET_EPOCH = '2024-01-01T00:00:00Z';

function fromDatasetRecord(r: Record<string, unknown>): Record<string, unknown> {
  const body = typeof r.body === 'string' ? r.body : '';
  const response = typeof r.response === 'string' ? r.response : undefined;
  const subject = (typeof r.subject === 'string' && r.subject) || Array.from(body).slice(0, 120).join('');
  const tags = [r.intent, r.category].filter((t): t is string => typeof t === 'string' && t.length > 0).map((t) => t.slice(0, 50));
  return {
    ticket_id: r.id,
    subject,
    description: body,
    status: response ? 'resolved' : 'open',
    tags,
    created_at: DATASET_EPOCH,
    conversations: [
      { from: 'customer', body, created_at: DATASET_EPOCH },
      ...(response ? [{ from: 'agent', body: response, created_at: DATASET_EPOCH }] : []),
    ],
  };
}
