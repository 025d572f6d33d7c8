import type { ConversationMessage } from '../../../database/entities/ticket.entity';
import type { TicketForReply } from '../../llm/ports/chat-model.port';
import type { TicketViewDto } from '../../tickets/dto/ticket.dto';

const CONTEXT_CHARS = 2_000;
const QUERY_CHARS = 1_000;

/** What Assist reads of a ticket: a stored row, or (database down) the fields of its last copy. */
export interface TicketLike {
  ticketId: string;
  subject: string;
  description: string | null;
  conversations: ConversationMessage[] | null;
  summary: string | null;
}

/** The fields Assist reads, from a ticket's view as GET answers it (its last copy, read while the database is down). */
export function ticketLikeOf(view: TicketViewDto): TicketLike {
  return {
    ticketId: view.ticket_id,
    subject: view.subject,
    description: view.description ?? null,
    conversations: view.conversations ?? null,
    summary: view.summary ?? null,
  };
}

/** What the reply must answer: the customer's latest message, or the description when there is none. */
export function ticketForReply(ticket: TicketLike): TicketForReply {
  const fromCustomer = (ticket.conversations ?? []).filter((m) => m.from === 'customer');
  const latest = fromCustomer[fromCustomer.length - 1]?.body;
  const body = [
    ticket.description ?? '',
    latest && latest !== ticket.description ? `Latest message: ${latest}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject: ticket.subject, body: cut(body || ticket.subject, CONTEXT_CHARS) };
}

/** The ticket as context for a question asked in its session. */
export function ticketContextText(ticket: TicketLike): string {
  return cut(ticket.summary || [ticket.subject, ticket.description ?? ''].join('\n'), CONTEXT_CHARS);
}

/** The search text that finds tickets and articles like this one. */
export function similarityQuery(ticket: TicketLike): string {
  return cut([ticket.subject, ticket.description ?? ''].filter(Boolean).join('\n'), QUERY_CHARS);
}

/** The whole conversation as one text, for summaries. */
export function conversationText(ticket: TicketLike): string {
  const parts = [ticket.subject, ticket.description ?? ''];
  for (const m of ticket.conversations ?? [])
    parts.push(`${m.from === 'agent' ? 'Agent' : 'Customer'}: ${m.body}`);
  return parts.filter((p) => p.trim().length > 0).join('\n');
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}
