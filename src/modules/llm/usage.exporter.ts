import { Injectable } from '@nestjs/common';
import { CompanyExporter, ExportRecord } from '../../common/tenancy/company-data';
import { UsageLedger } from './usage-ledger.service';

/**
 * The company's token usage and estimated cost per model and purpose. The ledger lives in process (metrics
 * read it): the lines are the answering instance's totals since it started (`scope: "process"`).
 */
@Injectable()
export class LlmUsageExporter extends CompanyExporter {
  readonly store = 'usage';

  constructor(private readonly ledger: UsageLedger) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    for (const row of this.ledger.totals({ companyId })) {
      yield {
        type: 'usage',
        source: 'llm',
        scope: 'process',
        model: row.model,
        purpose: row.purpose,
        calls: row.calls,
        fallback_calls: row.fallbackCalls,
        prompt_tokens: row.promptTokens,
        cached_prompt_tokens: row.cachedPromptTokens,
        completion_tokens: row.completionTokens,
        embedding_tokens: row.embeddingTokens,
        cost_usd: row.costUsd,
        saved_calls: row.savedCalls,
        saved_cost_usd: row.savedCostUsd,
      };
    }
  }
}
