import { Injectable } from '@nestjs/common';
import type { CacheCredit } from '../cache/ports/layered-cache.port';
import type { ChatUsage } from '../llm/ports/chat-model.port';
import { UsageLedger } from '../llm/usage-ledger.service';

/** What a cached LLM result saves on each hit: its tokens and their list price. */
@Injectable()
export class LlmCredit {
  constructor(private readonly ledger: UsageLedger) {}

  of(result: { model: string; usage: ChatUsage; source: string }): CacheCredit | undefined {
    if (result.source !== 'openai') return undefined;
    const tokens = result.usage.promptTokens + result.usage.completionTokens;
    return { tokens, costUsd: this.ledger.costOf(result.model, result.usage) };
  }
}
