import { Module } from '@nestjs/common';
import { LlmModule } from '../../llm/llm.module';
import { CacheModule } from '../../cache/cache.module';
import { SemanticAnswerCacheService } from './semantic-answer-cache.service';
import { SemanticAnswerCache } from './semantic-answer-cache.port';

/** The semantic layer for /query answers; import it where SemanticAnswerCache is injected. */
@Module({
  imports: [LlmModule, CacheModule],
  providers: [{ provide: SemanticAnswerCache, useClass: SemanticAnswerCacheService }],
  exports: [SemanticAnswerCache],
})
export class SemanticCacheModule {}
