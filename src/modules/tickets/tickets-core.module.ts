import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ArticlesExporter, SummariesExporter, TicketsExporter } from './company-data/company-exporters';
import { CompanyExportRepository } from './company-data/company-export.repository';
import { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';
import { TicketsEraser } from './tickets.eraser';

/** Tickets and articles without routes: the one place their repository and service are provided (every role). */
@Module({
  imports: [EventsModule],
  providers: [
    TicketRepository,
    TicketsService,
    // The company export finds these by discovery (CompanyExporter).
    CompanyExportRepository,
    TicketsExporter,
    ArticlesExporter,
    SummariesExporter,
    TicketsEraser,
  ],
  exports: [TicketRepository, TicketsService],
})
export class TicketsCoreModule {}
