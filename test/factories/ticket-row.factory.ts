import type { ArticleEntity, TicketEntity } from '../../src/database/entities';

const AT = new Date('2024-05-01T00:00:00Z');

/** The index columns of a row stored and never indexed, tickets and articles alike. */
const NEVER_INDEXED = {
  contentHash: 'h',
  indexedHash: null,
  summary: null,
  summarySource: null,
  indexState: 'pending',
  indexError: null,
  indexedAt: null,
} as const;

/** A stored ticket row (pending, never indexed) for repository and service tests; override any column. */
export function ticketRow(
  input: Pick<TicketEntity, 'companyId' | 'ticketId'> & Partial<TicketEntity>,
): TicketEntity {
  return {
    subject: `subject of ${input.ticketId}`,
    description: null,
    status: 'open',
    priority: 'medium',
    tags: [],
    conversations: null,
    createdAt: AT,
    updatedAt: AT,
    ...NEVER_INDEXED,
    ...input,
  };
}

/** A stored article row (pending, never indexed); override any column. */
export function articleRow(
  input: Pick<ArticleEntity, 'companyId' | 'articleId'> & Partial<ArticleEntity>,
): ArticleEntity {
  return {
    title: `title of ${input.articleId}`,
    body: 'body',
    category: null,
    tags: [],
    updatedAt: AT,
    ...NEVER_INDEXED,
    ...input,
  };
}
