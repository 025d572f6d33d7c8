import { Module } from '@nestjs/common';
import { DataChangeEvents } from './data-change.events';
import { TicketIndexedEvents } from './ticket-indexed.events';

/**
 * The application's in-process events: data changed (tickets stored it) and documents indexed (ingest
 * indexed them). Publishers and listeners import this module and inject the events; nothing looks them up.
 */
@Module({
  providers: [DataChangeEvents, TicketIndexedEvents],
  exports: [DataChangeEvents, TicketIndexedEvents],
})
export class EventsModule {}
