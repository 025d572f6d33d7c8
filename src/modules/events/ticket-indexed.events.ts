import { Injectable, Logger } from '@nestjs/common';

export interface TicketIndexed {
  companyId: string;
  ticketIds: string[];
}

/** Tickets or articles whose new version is now searchable. */
export interface DocumentsIndexed {
  companyId: string;
  type: 'tickets' | 'articles';
  ids: string[];
}

/** The seam Assist uses to prefetch /init bundles of freshly indexed tickets. Listener failures never fail a job. */
@Injectable()
export class TicketIndexedEvents {
  private readonly logger = new Logger('TicketIndexed');
  private readonly listeners: Array<(event: TicketIndexed) => Promise<void> | void> = [];
  private readonly documentListeners: Array<(event: DocumentsIndexed) => Promise<void> | void> = [];

  /** Every indexed chunk, tickets and articles: the search cache drops results computed on the old index. */
  subscribeDocuments(listener: (event: DocumentsIndexed) => Promise<void> | void): void {
    this.documentListeners.push(listener);
  }

  async publishDocuments(event: DocumentsIndexed): Promise<void> {
    if (event.ids.length === 0) return;
    for (const listener of this.documentListeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.warn(`documents listener failed for ${event.companyId}: ${String(error)}`);
      }
    }
  }

  subscribe(listener: (event: TicketIndexed) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  async publish(event: TicketIndexed): Promise<void> {
    if (event.ticketIds.length === 0) return;
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.warn(`listener failed for ${event.companyId}: ${String(error)}`);
      }
    }
  }
}
