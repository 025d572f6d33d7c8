import { Body, Controller, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { ArticleDto, UpsertArticlesDto } from './dto/article.dto';
import { TicketIdParamDto } from './dto/params.dto';
import { ListTicketsQueryDto, TicketPageDto, TicketViewDto, UpsertResultDto, UpsertTicketsDto } from './dto/ticket.dto';
import { TicketsService } from './tickets.service';

@ApiTags('tickets')
@ApiTenantAuth()
@Controller('api/v1/tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Bulk upsert up to 1,000 tickets; changed tickets are queued for indexing' })
  @ApiOkResponse({ type: UpsertResultDto })
  @ApiErrors(400, 413)
  upsert(@CompanyId() companyId: string, @Body() body: UpsertTicketsDto): Promise<UpsertResultDto> {
    return this.tickets.upsertTickets(companyId, body.tickets);
  }

  @Get()
  @ApiOperation({ summary: 'List tickets in updated_at order with cursor pagination' })
  @ApiOkResponse({ type: TicketPageDto })
  @ApiErrors(400)
  list(@CompanyId() companyId: string, @Query() query: ListTicketsQueryDto): Promise<TicketPageDto> {
    return this.tickets.listTickets(companyId, query);
  }

  @Get('export')
  @ApiOperation({ summary: 'Every ticket of the company with its summary, as NDJSON, streamed' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'one TicketView JSON object per line' })
  exportAll(@CompanyId() companyId: string, @Res() reply: FastifyReply): void {
    void reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(this.tickets.exportTickets(companyId)));
  }

  @Get(':ticket_id')
  @ApiOperation({ summary: 'One ticket with its stored summary and index state' })
  @ApiOkResponse({ type: TicketViewDto })
  @ApiErrors(400, 404)
  get(@CompanyId() companyId: string, @Param() params: TicketIdParamDto): Promise<TicketViewDto> {
    return this.tickets.getTicket(companyId, params.ticket_id);
  }
}

@ApiTags('articles')
@ApiTenantAuth()
@Controller('api/v1/articles')
export class ArticlesController {
  constructor(private readonly tickets: TicketsService) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Bulk upsert up to 1,000 knowledge-base articles' })
  @ApiOkResponse({ type: UpsertResultDto })
  @ApiErrors(400, 413)
  upsert(@CompanyId() companyId: string, @Body() body: UpsertArticlesDto): Promise<UpsertResultDto> {
    return this.tickets.upsertArticles(companyId, body.articles as ArticleDto[]);
  }
}
