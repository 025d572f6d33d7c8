export interface TokenPrice {
  /** USD per 1M input (prompt or embedding) tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
}

/** Cost in USD; models without a price (local adapters, unknown self-hosted models) cost 0. */
export function estimateCost(
  price: TokenPrice | undefined,
  tokens: { promptTokens: number; completionTokens: number; embeddingTokens: number },
): number {
  if (!price) return 0;
  return (
    ((tokens.promptTokens + tokens.embeddingTokens) * price.input + tokens.completionTokens * price.output) /
    1_000_000
  );
}

/** Exact model name first, then the longest configured prefix ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"). */
export function findPrice(prices: Record<string, TokenPrice>, model: string): TokenPrice | undefined {
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((name) => model.startsWith(name))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}
