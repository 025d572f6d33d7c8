import { Injectable, Logger } from '@nestjs/common';

export interface TicketIndexed {
  companyId: string;
  ticketIds: string[];
}

/** The seam Assist uses to prefetch /init bundles of freshly indexed tickets. Listener failures never fail a job. */
@Injectable()
export class TicketIndexedEvents {
  private readonly logger = new Logger('TicketIndexed');
  private readonly listeners: Array<(event: TicketIndexed) => Promise<void> | void> = [];

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
