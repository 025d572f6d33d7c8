import { Controller, Get, Param, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { ApiErrors } from '../../common/http/api-docs';
import { ActorKeyId, AdminOnly } from '../../common/tenancy/auth.decorators';
import { CompanyExportService } from './company-export.service';
import { CompanyIdParamDto } from './dto/company.dto';

@ApiTags('admin')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
// Errors at the class level: a method's own responses take its `ApiProduces` type, and errors are JSON.
@ApiErrors(400, 401, 403, 404, 429, 503)
@AdminOnly()
@Controller('api/v1/admin/companies')
export class CompanyExportController {
  constructor(private readonly exports: CompanyExportService) {}

  @Get(':company_id/export')
  @ApiOperation({
    summary: 'Everything held for a company as NDJSON, streamed',
    description:
      'One JSON object per line, each with a `type`: `company` first, then `api_key`, `ticket`, `article`, ' +
      '`summary`, `session`, `preference` and `usage` lines, and last `{"type":"end","counts":{...}}` (lines per ' +
      'type). A response without the `end` line is incomplete: ask again. When the cache store does not answer, ' +
      'its counters are exported as `{"type":"usage","source":"cache","unavailable":true}` and the end line says ' +
      '`"degraded":["cache"]`. Written to the audit log ' +
      '(`company.exported`).',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'NDJSON: one record per line, the `end` line last',
    content: {
      'application/x-ndjson': {
        schema: {
          type: 'string',
          example:
            '{"type":"company","company_id":"acme","name":"Acme Inc.",...}\n{"type":"ticket","ticket_id":"T-1",...}\n' +
            '{"type":"end","company_id":"acme","counts":{"company":1,"ticket":1},"stores":["company","tickets"]}\n',
        },
      },
    },
  })
  async export(
    @ActorKeyId() actor: string,
    @Param() params: CompanyIdParamDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const lines = await this.exports.open({ companyId: params.company_id, actorKeyId: actor });
    void reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines));
  }
}
