import { Injectable, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from '../../config/config';
import { CacheWarmer, WarmerOutcome } from '../warming/cache-warmer.service';
import type { PopularQuery } from '../warming/query-popularity.service';
import { AnswerService } from './answer.service';
import { QueryRequestDto } from './dto/assist.dto';
import { toSearchTypes } from '../search/domain/search-document';
import { GroundedGeneration } from './grounded-generation.service';

/**
 * The `answer` warmer: answers the company's popular /query questions again so the next asker is served from
 * cache. Questions asked inside a session are warmed without their ticket (the session is gone by then):
 * that fills the answer every sessionless asker gets and the semantic layer. Partial answers are not cached.
 */
@Injectable()
export class AnswerWarmer implements OnModuleInit {
  constructor(
    private readonly warmer: CacheWarmer,
    private readonly answers: AnswerService,
    private readonly generation: GroundedGeneration,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.warmer.register('answer', (input) => this.warm(input));
  }

  async warm(input: { companyId: string; popular: PopularQuery[] }): Promise<WarmerOutcome> {
    const outcome: WarmerOutcome = { warmed: 0, skipped: 0, failed: 0 };
    for (const popular of input.popular) {
      if (popular.kind !== 'query') continue;
      // Stored requests come back from Redis: validated as the route would before they run.
      const body = plainToInstance(QueryRequestDto, popular.request);
      if (validateSync(body, { whitelist: true, forbidNonWhitelisted: true }).length > 0) {
        outcome.skipped += 1;
        continue;
      }
      try {
        const plan = await this.answers.plan({
          companyId: input.companyId,
          question: body.query,
          dataTypes: body.data_types && toSearchTypes(body.data_types),
          limit: body.limit,
          ticket: null,
          turns: [],
          cacheMode: 'no-cache',
          retrievalDeadlineMs: this.config.assist.prefetchDeadlineMs,
        });
        const result = await this.generation.generate(plan.spec, this.config.assist.backgroundTimeoutMs);
        if (result.partial || plan.retrievalPartial) outcome.skipped += 1;
        else outcome.warmed += 1;
      } catch {
        outcome.failed += 1;
      }
    }
    return outcome;
  }
}
