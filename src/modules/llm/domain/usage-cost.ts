import type { ModelPrice } from '../../../config/llm.config';

/** A model's prices (configuration's ModelPrice: configuration sits below every module). */
export type TokenPrice = ModelPrice;

/**
 * Cost in USD; models without a price (local adapters, unknown self-hosted models) cost 0. `cachedPromptTokens`
 * are the part of `promptTokens` the provider reported as read from its prompt cache.
 */
export function estimateCost(
  price: TokenPrice | undefined,
  tokens: {
    promptTokens: number;
    cachedPromptTokens?: number;
    completionTokens: number;
    embeddingTokens: number;
  },
): number {
  if (!price) return 0;
  const cached = cachedPromptPart(tokens);
  return (
    ((tokens.promptTokens - cached + tokens.embeddingTokens) * price.input +
      cached * (price.cachedInput ?? price.input) +
      tokens.completionTokens * price.output) /
    1_000_000
  );
}

/** The cached part of a prompt as billed: never negative, never more than the prompt, whatever a server reports. */
export function cachedPromptPart(tokens: { promptTokens?: number; cachedPromptTokens?: number }): number {
  return Math.min(Math.max(0, tokens.cachedPromptTokens ?? 0), tokens.promptTokens ?? 0);
}

/** Exact model name first, then the longest configured prefix ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"). */
export function findPrice(prices: Record<string, TokenPrice>, model: string): TokenPrice | undefined {
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((name) => model.startsWith(name))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}
