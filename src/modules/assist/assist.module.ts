import { Module } from '@nestjs/common';
import { WarmingModule } from '../warming/warming.module';
import { AssistController } from './assist.controller';
import { AssistCoreModule } from './assist-core.module';
import { InitService } from './init.service';
import { QueryService } from './query.service';
import { ReplyService } from './reply.service';
import { SessionService } from './session.service';

/** POST /init, /query and /reply with their sessions (api role). */
@Module({
  imports: [AssistCoreModule, WarmingModule],
  controllers: [AssistController],
  providers: [SessionService, InitService, QueryService, ReplyService],
})
export class AssistModule {}
