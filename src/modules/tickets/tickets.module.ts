import { Module } from '@nestjs/common';
import { DataChangeEvents } from './data-change.events';
import { TicketRepository } from './ticket.repository';
import { ArticlesController, TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  controllers: [TicketsController, ArticlesController],
  providers: [TicketRepository, TicketsService, DataChangeEvents],
  exports: [TicketRepository, TicketsService, DataChangeEvents],
})
export class TicketsModule {}
