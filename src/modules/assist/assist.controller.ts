import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { QueryPopularity } from '../warming/query-popularity.service';
import { toSearchTypes } from '../search/domain/search-document';
import {
  InitRequestDto,
  InitResponseDto,
  QueryRequestDto,
  QueryResponseDto,
  ReplyRequestDto,
  ReplyResponseDto,
} from './dto/assist.dto';
import { cacheModeOf, sendEventStream, sendJson, wantsEventStream } from './http/sse.responder';
import { InitService } from './init.service';
import { QueryService } from './query.service';
import { ReplyService } from './reply.service';

const STREAM_DOC =
  'With `Accept: text/event-stream`: SSE events `token` `{ text }`, then `done` with the JSON body below, or `error` `{ message, code }`.';
const CACHE_CONTROL = {
  name: 'Cache-Control',
  required: false,
  description: '`no-cache` skips the cache read',
};

@ApiTags('assist')
@ApiTenantAuth()
@ApiHeader(CACHE_CONTROL)
@Controller('api/v1')
export class AssistController {
  constructor(
    private readonly initService: InitService,
    private readonly queryService: QueryService,
    private readonly replyService: ReplyService,
    private readonly popularity: QueryPopularity,
  ) {}

  @Post('init')
  @ApiOperation({
    summary: 'Open a ticket: summary, similar tickets, related articles and a new session (budget 2 s)',
  })
  @ApiOkResponse({ type: InitResponseDto })
  @ApiErrors(400, 404)
  async init(
    @CompanyId() companyId: string,
    @Body() body: InitRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const result = await this.initService.init({
      companyId,
      ticketId: body.ticket_id,
      cacheMode: cacheModeOf(request),
    });
    // The last cached bundle, served while the ticket could not be re-read.
    return sendJson(reply, result, result.degraded?.includes('ticket') === true);
  }

  @Post('query')
  @ApiOperation({ summary: 'A grounded answer with numbered sources (budget 3 s)', description: STREAM_DOC })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: QueryResponseDto })
  @ApiErrors(400, 404)
  async query(
    @CompanyId() companyId: string,
    @Body() body: QueryRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const input = {
      companyId,
      query: body.query,
      sessionId: body.session_id,
      dataTypes: body.data_types && toSearchTypes(body.data_types),
      limit: body.limit,
      cacheMode: cacheModeOf(request),
    };
    // Popular questions are what the nightly warm run answers again (bounded, never throws).
    void this.popularity.record({ companyId, kind: 'query', request: request.body as object });
    if (wantsEventStream(request)) {
      return sendEventStream(request, reply, (signal) => this.queryService.stream(input, signal));
    }
    return sendJson(reply, await this.queryService.answer(input));
  }

  @Post('reply')
  @ApiOperation({ summary: 'A reply draft in the customer’s language (budget 5 s)', description: STREAM_DOC })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: ReplyResponseDto })
  @ApiErrors(400, 404)
  async reply(
    @CompanyId() companyId: string,
    @Body() body: ReplyRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const input = {
      companyId,
      ticketId: body.ticket_id,
      sessionId: body.session_id,
      instructions: body.instructions || undefined,
      agentId: body.agent_id,
      cacheMode: cacheModeOf(request),
    };
    if (wantsEventStream(request)) {
      return sendEventStream(request, reply, (signal) => this.replyService.stream(input, signal));
    }
    return sendJson(reply, await this.replyService.draft(input));
  }
}
