import type { ArticleDto } from '../modules/tickets/dto/article.dto';
import type { TicketDto } from '../modules/tickets/dto/ticket.dto';
import { generateArticles, generateTickets } from './generate/support-data.generator';

/** The demo's data: generated English and Korean tickets and articles, the same on every run. */
export function demoData(input: { tickets: number; articles: number }): {
  tickets: TicketDto[];
  articles: ArticleDto[];
} {
  return {
    tickets: [...generateTickets(input.tickets, { seed: 7, koreanRatio: 0.3, idPrefix: 'DEMO-' })],
    articles: [...generateArticles(input.articles, { seed: 7, koreanRatio: 0.3 })],
  };
}

/** A page of GET /api/v1/tickets, as far as counting needs it. */
export interface TicketPage {
  items: Array<{ index_state: string }>;
  next_cursor: string | null;
}

/** How many of the company's tickets are indexed, page by page through GET /api/v1/tickets. */
export async function countIndexed(getPage: (url: string) => Promise<TicketPage>): Promise<number> {
  let indexed = 0;
  let cursor: string | null = null;
  do {
    const page: TicketPage = await getPage(
      `/api/v1/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    indexed += page.items.filter((t) => t.index_state === 'indexed').length;
    cursor = page.next_cursor;
  } while (cursor);
  return indexed;
}

/**
 * What the demo suggests trying: its first English ticket (for /init and /reply), its first Korean one, and the
 * question to ask in the English ticket's session (see exampleQuestion).
 */
export function demoExamples(tickets: TicketDto[]): {
  english: TicketDto;
  korean: TicketDto | undefined;
  question: string;
} {
  const english = tickets.find((t) => /[a-z]/i.test(t.subject) && !/[가-힣]/.test(t.subject)) ?? tickets[0];
  const korean = tickets.find((t) => /[가-힣]/.test(t.subject));
  return { english, korean, question: exampleQuestion(english) };
}

/**
 * The question the demo suggests asking in a ticket's session: the customer's first question in the ticket's
 * conversation ("How long does the deletion take?"), which similar resolved tickets answer, so the suggestion
 * fits the ticket opened just before it; the subject when the customer asked none.
 */
export function exampleQuestion(ticket: Pick<TicketDto, 'subject' | 'conversations'>): string {
  for (const message of ticket.conversations ?? []) {
    if (message.from !== 'customer') continue;
    const question = message.body.match(/[^.!?。\n]*\?/u)?.[0].trim();
    if (question && question.length > 3) return question;
  }
  return ticket.subject;
}
