import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiTenantAuth } from '../../common/http/api-docs';
import { CompanyId } from '../../common/tenancy/auth.decorators';
import { AgentPreferencesService } from './agent-preferences.service';
import {
  AgentIdParamDto,
  AgentPreferencesRequestDto,
  AgentPreferencesResponseDto,
} from './dto/agent-preferences.dto';

const AGENT_ID = {
  name: 'agent_id',
  description: 'your helpdesk’s agent id: 1-100 of letters, digits, . _ @ -',
};

@ApiTags('assist')
@ApiTenantAuth()
@Controller('api/v1/agents/:agent_id/preferences')
export class AgentPreferencesController {
  constructor(private readonly preferences: AgentPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'An agent’s reply-draft preferences (kept 7 days after their last use)' })
  @ApiParam(AGENT_ID)
  @ApiOkResponse({ type: AgentPreferencesResponseDto })
  @ApiErrors(400, 404)
  get(
    @CompanyId() companyId: string,
    @Param() params: AgentIdParamDto,
  ): Promise<AgentPreferencesResponseDto> {
    return this.preferences.get(companyId, params.agent_id);
  }

  @Put()
  @ApiOperation({
    summary: 'Set an agent’s reply-draft preferences (replaces them; /reply with this agent_id honours them)',
  })
  @ApiParam(AGENT_ID)
  @ApiOkResponse({ type: AgentPreferencesResponseDto })
  @ApiErrors(400)
  put(
    @CompanyId() companyId: string,
    @Param() params: AgentIdParamDto,
    @Body() body: AgentPreferencesRequestDto,
  ): Promise<AgentPreferencesResponseDto> {
    const { language, tone, signature, max_words } = body;
    return this.preferences.put(companyId, params.agent_id, { language, tone, signature, max_words });
  }
}
