import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { ArticleDto, UpsertArticlesDto } from './dto/article.dto';
import { ArticleIdParamDto, TicketIdParamDto } from './dto/params.dto';
import {
  DeleteResultDto,
  DeleteTicketsDto,
  ListTicketsQueryDto,
  TicketPageDto,
  TicketViewDto,
  UpsertResultDto,
  UpsertTicketsDto,
} from './dto/ticket.dto';
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

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete up to 1,000 tickets: gone at once from reads, search and grounding; index entries follow',
  })
  @ApiOkResponse({ type: DeleteResultDto })
  @ApiErrors(400, 413)
  deleteMany(@CompanyId() companyId: string, @Body() body: DeleteTicketsDto): Promise<DeleteResultDto> {
    return this.tickets.deleteTickets(companyId, body.ticket_ids);
  }

  @Delete(':ticket_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one ticket: never returned by search or used for grounding again' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(400, 404)
  async delete(@CompanyId() companyId: string, @Param() params: TicketIdParamDto): Promise<void> {
    await this.tickets.deleteTicket(companyId, params.ticket_id);
  }

  @Get(':ticket_id')
  @ApiOperation({ summary: 'One ticket with its stored summary and index state' })
  @ApiOkResponse({
    type: TicketViewDto,
    headers: {
      'X-Cache': {
        description:
          'STALE when the database could not answer and this is the last copy read through the API (never one older than the last change or of a deleted ticket); absent otherwise',
        schema: { type: 'string', enum: ['STALE'] },
      },
    },
  })
  @ApiErrors(400, 404)
  async get(
    @CompanyId() companyId: string,
    @Param() params: TicketIdParamDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketViewDto> {
    const { ticket, stale } = await this.tickets.getTicket(companyId, params.ticket_id);
    // The database could not answer: the last copy read or stored through the API.
    if (stale) reply.header('x-cache', 'STALE');
    return ticket;
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

  @Delete(':article_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one article: never returned by search or used for grounding again' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(400, 404)
  async delete(@CompanyId() companyId: string, @Param() params: ArticleIdParamDto): Promise<void> {
    await this.tickets.deleteArticle(companyId, params.article_id);
  }
}
