import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { cachedPromptPart, estimateCost, findPrice } from './domain/usage-cost';
import { LlmPurpose } from './ports/llm-call';

export type UsageSource = 'openai' | 'local' | 'local-fallback';

/** Tokens of one call as reported; `cachedPromptTokens` is the part of the prompt the provider had cached. */
export interface UsageTokens {
  promptTokens?: number;
  cachedPromptTokens?: number;
  completionTokens?: number;
  embeddingTokens?: number;
}

export interface UsageEvent {
  companyId: string;
  model: string;
  purpose: LlmPurpose;
  source: UsageSource;
  promptTokens: number;
  /** Of `promptTokens`, those the provider served from its prompt cache. */
  cachedPromptTokens: number;
  completionTokens: number;
  embeddingTokens: number;
  costUsd: number;
  /** A cache hit that avoided this call: tokens and cost are credited as savings, not spent. */
  saved: boolean;
  at: Date;
}

export interface UsageTotals {
  companyId: string;
  model: string;
  purpose: LlmPurpose;
  calls: number;
  fallbackCalls: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  embeddingTokens: number;
  costUsd: number;
  savedCalls: number;
  savedCostUsd: number;
}

export type UsageListener = (event: UsageEvent) => void;
export interface UsageFilter {
  companyId?: string;
  model?: string;
  purpose?: LlmPurpose;
}

/**
 * Token usage and estimated cost per company, model and purpose, in process. Metrics read it (`totals`) or
 * subscribe (`onUsage`); the cache credits calls it saved (`creditSavings`).
 */
@Injectable()
export class UsageLedger {
  private readonly rows = new Map<string, UsageTotals>();
  private readonly listeners = new Set<UsageListener>();

  constructor(private readonly config: AppConfig) {}

  record(
    usage: { companyId: string; model: string; purpose: LlmPurpose; source: UsageSource } & UsageTokens,
  ): UsageEvent {
    return this.add(usage, false);
  }

  creditSavings(usage: { companyId: string; model: string; purpose: LlmPurpose } & UsageTokens): UsageEvent {
    return this.add({ ...usage, source: 'openai' }, true);
  }

  costOf(model: string, tokens: UsageTokens): number {
    return estimateCost(findPrice(this.config.llm.prices, model), {
      promptTokens: tokens.promptTokens ?? 0,
      cachedPromptTokens: tokens.cachedPromptTokens,
      completionTokens: tokens.completionTokens ?? 0,
      embeddingTokens: tokens.embeddingTokens ?? 0,
    });
  }

  totals(filter: UsageFilter = {}): UsageTotals[] {
    return [...this.rows.values()]
      .filter(
        (row) =>
          (!filter.companyId || row.companyId === filter.companyId) &&
          (!filter.model || row.model === filter.model) &&
          (!filter.purpose || row.purpose === filter.purpose),
      )
      .map((row) => ({ ...row }));
  }

  /** All matching rows added together. */
  sum(filter: UsageFilter = {}): Omit<UsageTotals, 'companyId' | 'model' | 'purpose'> {
    const total = {
      calls: 0,
      fallbackCalls: 0,
      promptTokens: 0,
      cachedPromptTokens: 0,
      completionTokens: 0,
      embeddingTokens: 0,
      costUsd: 0,
      savedCalls: 0,
      savedCostUsd: 0,
    };
    for (const row of this.totals(filter)) {
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += row[key];
    }
    return total;
  }

  /** Returns the unsubscribe function. A throwing listener never breaks the call that produced the usage. */
  onUsage(listener: UsageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.rows.clear();
  }

  /** Company erasure: drops the company's rows from this process's ledger; returns how many there were. */
  forgetCompany(companyId: string): number {
    let removed = 0;
    for (const [key, row] of this.rows) {
      if (row.companyId === companyId && this.rows.delete(key)) removed += 1;
    }
    return removed;
  }

  /** Rows of the company in this process's ledger. */
  companyRows(companyId: string): number {
    let n = 0;
    for (const row of this.rows.values()) if (row.companyId === companyId) n += 1;
    return n;
  }

  private add(
    usage: { companyId: string; model: string; purpose: LlmPurpose; source: UsageSource } & UsageTokens,
    saved: boolean,
  ): UsageEvent {
    const event: UsageEvent = {
      companyId: usage.companyId,
      model: usage.model,
      purpose: usage.purpose,
      source: usage.source,
      promptTokens: usage.promptTokens ?? 0,
      cachedPromptTokens: cachedPromptPart(usage),
      completionTokens: usage.completionTokens ?? 0,
      embeddingTokens: usage.embeddingTokens ?? 0,
      costUsd: this.costOf(usage.model, usage),
      saved,
      at: new Date(),
    };
    const key = `${event.companyId}\u0000${event.model}\u0000${event.purpose}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        companyId: event.companyId,
        model: event.model,
        purpose: event.purpose,
        calls: 0,
        fallbackCalls: 0,
        promptTokens: 0,
        cachedPromptTokens: 0,
        completionTokens: 0,
        embeddingTokens: 0,
        costUsd: 0,
        savedCalls: 0,
        savedCostUsd: 0,
      };
      this.rows.set(key, row);
    }
    if (saved) {
      row.savedCalls++;
      row.savedCostUsd += event.costUsd;
    } else {
      row.calls++;
      if (event.source === 'local-fallback') row.fallbackCalls++;
      row.promptTokens += event.promptTokens;
      row.cachedPromptTokens += event.cachedPromptTokens;
      row.completionTokens += event.completionTokens;
      row.embeddingTokens += event.embeddingTokens;
      row.costUsd += event.costUsd;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A metrics exporter failing must not fail the model call it observes.
      }
    }
    return event;
  }
}
