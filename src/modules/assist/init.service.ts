import { Injectable } from '@nestjs/common';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import type { InitPart, KbArticle, SimilarTicket, SummarySource } from './domain/init-bundle';
import type { TicketViewDto } from '../tickets/dto/ticket.dto';
import { InitBundleService } from './init-bundle.service';
import { SessionService } from './session.service';

export interface InitResult {
  session_id: string;
  ticket: TicketViewDto;
  summary: string;
  summary_source: SummarySource;
  similar_tickets: SimilarTicket[];
  kb_articles: KbArticle[];
  cached: boolean;
  partial: boolean;
  degraded?: InitPart[];
}

/** POST /init: the ticket's bundle (cached, usually prefetched) and a new session for the agent. */
@Injectable()
export class InitService {
  constructor(
    private readonly bundles: InitBundleService,
    private readonly sessions: SessionService,
  ) {}

  async init(input: { companyId: string; ticketId: string; cacheMode: CacheMode }): Promise<InitResult> {
    const { companyId, ticketId } = input;
    // The bundle first: an unknown ticket is a 404 and must not leave a session behind.
    const { value: bundle, status } = await this.bundles.bundle({
      companyId,
      ticketId,
      mode: input.cacheMode,
    });
    const { session, stored } = await this.sessions.create(companyId, ticketId);
    const degraded: InitPart[] = stored ? bundle.degraded : [...bundle.degraded, 'session'];
    return {
      session_id: session.session_id,
      ticket: bundle.ticket,
      summary: bundle.summary,
      summary_source: bundle.summary_source,
      similar_tickets: bundle.similar_tickets,
      kb_articles: bundle.kb_articles,
      cached: status !== 'MISS',
      partial: bundle.partial,
      ...(degraded.length > 0 ? { degraded } : {}),
    };
  }
}
