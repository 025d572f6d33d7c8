import { Module } from '@nestjs/common';
import { WarmingModule } from '../warming/warming.module';
import { AgentPreferencesController } from './agent-preferences.controller';
import { AgentPreferencesService } from './agent-preferences.service';
import { AssistController } from './assist.controller';
import { AssistCoreModule } from './assist-core.module';
import { InitService } from './init.service';
import { QueryService } from './query.service';
import { ReplyService } from './reply.service';
import { SessionService } from './session.service';

/** POST /init, /query and /reply with their sessions, and agents' preferences (api role). */
@Module({
  imports: [AssistCoreModule, WarmingModule],
  controllers: [AssistController, AgentPreferencesController],
  providers: [SessionService, InitService, QueryService, ReplyService, AgentPreferencesService],
})
export class AssistModule {}
