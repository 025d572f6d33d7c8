import { Module } from '@nestjs/common';
import { ArticlesController, TicketsController } from './tickets.controller';
import { TicketsCoreModule } from './tickets-core.module';

/** The tickets and articles routes (api role). */
@Module({
  imports: [TicketsCoreModule],
  controllers: [TicketsController, ArticlesController],
})
export class TicketsModule {}
