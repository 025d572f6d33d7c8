import type { ConversationMessage } from '../../../database/entities/ticket.entity';

/** What the pipeline needs of a stored row; built by the repository, consumed by pure functions. */
export interface TicketRow {
  id: string;
  subject: string;
  description: string | null;
  status: string;
  priority: string;
  tags: string[];
  conversations: ConversationMessage[] | null;
  createdAt: Date;
  updatedAt: Date;
  contentHash: string;
  indexedHash: string | null;
  indexState: string;
  /** The stored summary of the indexed content (a re-index embeds it again without summarizing). */
  summary?: string | null;
}

export interface ArticleRow {
  id: string;
  title: string;
  body: string;
  category: string | null;
  tags: string[];
  updatedAt: Date;
  contentHash: string;
  indexedHash: string | null;
  indexState: string;
  summary?: string | null;
}

const EMBED_EXCERPT = 1_500;
const RESOLUTION_EXCERPT = 600;

/** The text a ticket is summarized from: subject, description, then the conversation in order. */
export function ticketSourceText(t: TicketRow): string {
  const parts = [t.subject, t.description ?? ''];
  for (const m of t.conversations ?? []) parts.push(`${m.from === 'agent' ? 'Agent' : 'Customer'}: ${m.body}`);
  return parts.filter((p) => p.trim().length > 0).join('\n');
}

export function articleSourceText(a: ArticleRow): string {
  return [a.title, a.body].filter((p) => p.trim().length > 0).join('\n');
}

/** The agent's last reply: what a similar ticket contributes to a grounded draft. */
export function resolutionOf(t: TicketRow): string | undefined {
  const agent = (t.conversations ?? []).filter((m) => m.from === 'agent');
  const last = agent[agent.length - 1];
  return last ? excerpt(last.body, RESOLUTION_EXCERPT) : undefined;
}

/** What is embedded: the title and summary carry the meaning; an excerpt of the body adds vocabulary. */
export function embeddingText(input: { title: string; summary: string; body: string }): string {
  return [input.title, input.summary, excerpt(input.body, EMBED_EXCERPT)].filter(Boolean).join('\n');
}

/** Cuts at a code point boundary, never inside a surrogate pair. */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/** Skip a row whose stored summary and vector were built from its current content. */
export function isUpToDate(row: { indexState: string; indexedHash: string | null; contentHash: string }): boolean {
  return row.indexState === 'indexed' && row.indexedHash === row.contentHash;
}

/** UTC day bounds of an inclusive YYYY-MM-DD range. */
export function dayRange(startDate: string, endDate: string): { from: Date; to: Date } {
  const from = new Date(`${startDate}T00:00:00.000Z`);
  const to = new Date(`${endDate}T23:59:59.999Z`);
  return { from, to };
}
