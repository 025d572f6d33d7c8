import { IsIn, IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsHttpUrl, IsIntString } from './validators';

/** USD per 1M tokens. `output` is unused for embedding models. */
export interface ModelPrice {
  /** USD per 1M input (prompt or embedding) tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
  /** USD per 1M prompt tokens the provider served from its prompt cache; billed at `input` when absent. */
  cachedInput?: number;
}

const IsPriceTable = () =>
  ValidateBy({
    name: 'isPriceTable',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && priceTableProblem(value) === undefined,
      defaultMessage: (args) => priceTableProblem(String(args?.value)) ?? 'must be a JSON price table',
    },
  });

class LlmEnv {
  @IsOptional() @IsString() OPENAI_API_KEY?: string = undefined;
  @IsOptional() @IsHttpUrl() OPENAI_BASE_URL?: string = undefined;
  /** The embeddings role's own server and key; unset: the chat role's (OPENAI_BASE_URL / OPENAI_API_KEY). */
  @IsOptional() @IsHttpUrl() LLM_EMBEDDINGS_BASE_URL?: string = undefined;
  @IsOptional() @IsString() LLM_EMBEDDINGS_API_KEY?: string = undefined;
  /** Read only to know whether a proxy is configured (the model calls then go through Node's fetch). */
  @IsOptional() @IsString() HTTPS_PROXY?: string = undefined;
  @IsOptional() @IsString() HTTP_PROXY?: string = undefined;
  @IsOptional() @IsString() LLM_CHAT_MODEL?: string = undefined;
  @IsOptional()
  @Matches(/^(0(\.\d{1,3})?|1(\.\d{1,3})?|2(\.0{1,3})?)$/, {
    message: 'must be a number from 0 to 2, e.g. 0.2',
  })
  LLM_TEMPERATURE?: string = undefined;
  @IsOptional()
  @IsIn(['max_completion_tokens', 'max_tokens', 'both'], {
    message: 'must be one of max_completion_tokens, max_tokens, both',
  })
  LLM_MAX_TOKENS_FIELD?: string = undefined;
  @IsOptional() @IsBoolString() LLM_EMBEDDING_SEND_DIMENSIONS?: string = undefined;
  @IsOptional()
  @IsIn(['base64', 'float'], { message: 'must be base64 or float' })
  LLM_EMBEDDING_ENCODING?: string = undefined;
  @IsOptional() @IsBoolString() LLM_STARTUP_PROBE?: string = undefined;
  @IsOptional() @IsString() LLM_EMBEDDING_MODEL?: string = undefined;
  /** Size of the OpenAI-compatible embedding model's vectors; sent as `dimensions` per LLM_EMBEDDING_SEND_DIMENSIONS. */
  @IsOptional() @IsIntString(1) LLM_EMBEDDING_DIMENSION?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_LOCAL_EMBEDDING_DIMENSION?: string = undefined;
  @IsOptional() @IsIntString(0) LLM_LOCAL_THREADS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_CHAT_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_STREAM_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_EMBED_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString() LLM_MAX_RETRIES?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_RETRY_INITIAL_DELAY_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_RETRY_MAX_DELAY_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BREAKER_THRESHOLD?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BREAKER_HALF_OPEN_AFTER_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BREAKER_WAIT_MS?: string = undefined;
  @IsOptional() @IsIntString(2) LLM_MAX_CONCURRENCY?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BACKGROUND_CONCURRENCY?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_EMBED_BATCH_INPUTS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_MAX_INPUT_TOKENS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_MAX_OUTPUT_TOKENS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_SUMMARY_MAX_CHARS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BATCH_SIZE?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BATCH_MAX_CONCURRENT?: string = undefined;
  @IsOptional() @IsIntString() LLM_BATCH_DELAY_MS?: string = undefined;
  @IsOptional() @IsIntString(1) LLM_BATCH_RETRY_ATTEMPTS?: string = undefined;
  @IsOptional() @IsIntString() LLM_BATCH_RETRY_DELAY_MS?: string = undefined;
  @IsOptional() @IsPriceTable() LLM_PRICES_JSON?: string = undefined;
}

/** Which output-length field chat requests carry (Ollama's OpenAI layer reads only `max_tokens`). */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens' | 'both';

export interface LlmEndpoint {
  baseUrl?: string;
  apiKey?: string;
}

export interface LlmSettings {
  /** The chat role. openai: OPENAI_API_KEY or OPENAI_BASE_URL is set; local: the embedded algorithms. */
  provider: 'openai' | 'local';
  /** The embeddings role: openai when its own or the chat role's server is set. */
  embeddingsProvider: 'openai' | 'local';
  apiKey?: string;
  baseUrl?: string;
  /** The embeddings role's server: its own variables, else the chat role's. */
  embeddings: LlmEndpoint;
  /**
   * A proxy is set in the environment (HTTPS_PROXY / HTTP_PROXY): the SDK's requests go through Node's fetch,
   * which follows it with NODE_USE_ENV_PROXY; otherwise over node:http (see nodeHttpFetch).
   */
  viaProxy: boolean;
  chatModel: string;
  /** Sent only when set: OpenAI's reasoning models reject any value but their default. */
  temperature?: number;
  maxTokensField: MaxTokensField;
  embeddingModel: string;
  /** The remote embedding model's vector size when set; otherwise the known native size of the model. */
  embeddingDimension?: number;
  /** Ask the server for `embeddingDimension` (`dimensions`): only models that can shorten vectors accept it. */
  sendEmbeddingDimensions: boolean;
  /**
   * base64: asked for explicitly and decoded here; a server that ignores the field and answers float arrays
   * (Ollama before 0.12.7, llama.cpp server before December 2024) is detected per vector. float: for servers
   * that reject base64.
   */
  embeddingEncoding: 'base64' | 'float';
  /** At start, one embedding and a /models lookup check the configuration before any traffic. */
  startupProbe: boolean;
  localEmbeddingDimension: number;
  /**
   * Worker threads for the local models' background CPU work (indexing's embeddings and summaries); 0 runs it
   * on the event loop. Unset: see LlmModule (threads for the worker role and embedded mode, none for an API).
   */
  localThreads?: number;
  timeouts: { chatMs: number; streamMs: number; embedMs: number };
  retry: { maxRetries: number; initialDelayMs: number; maxDelayMs: number };
  breaker: { threshold: number; halfOpenAfterMs: number; backgroundWaitMs: number };
  /** Global cap on upstream calls in flight; background calls may use at most `backgroundConcurrency` of it. */
  concurrency: { max: number; background: number };
  embedBatchInputs: number;
  maxInputTokens: number;
  maxOutputTokens: number;
  summaryMaxChars: number;
  batch: {
    batchSize: number;
    maxConcurrent: number;
    delayMs: number;
    retryAttempts: number;
    retryDelayMs: number;
  };
  prices: Record<string, ModelPrice>;
}

/**
 * Public list prices (USD / 1M tokens), with the price of cached input (OpenAI's automatic prompt caching of
 * prompts of 1,024 tokens or more); LLM_PRICES_JSON adds or overrides entries. Unknown models cost 0.
 */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
};

/** OpenAI (or a compatible server) when a key or base URL is set, else the local models. */
export function llmProviderOf(env: {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
}): 'openai' | 'local' {
  return env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : 'local';
}

export const llmConfig = defineConfig<LlmEnv, LlmSettings>('llm', LlmEnv, (env) => {
  const max = toInt(env.LLM_MAX_CONCURRENCY, 16);
  const remoteChat = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  const remoteEmbeddings = Boolean(remoteChat || env.LLM_EMBEDDINGS_BASE_URL || env.LLM_EMBEDDINGS_API_KEY);
  const embeddingDimension = env.LLM_EMBEDDING_DIMENSION ? toInt(env.LLM_EMBEDDING_DIMENSION, 0) : undefined;
  return {
    provider: llmProviderOf(env),
    embeddingsProvider: remoteEmbeddings ? 'openai' : 'local',
    apiKey: env.OPENAI_API_KEY,
    baseUrl: env.OPENAI_BASE_URL,
    embeddings: {
      baseUrl: env.LLM_EMBEDDINGS_BASE_URL ?? env.OPENAI_BASE_URL,
      apiKey: env.LLM_EMBEDDINGS_API_KEY ?? env.OPENAI_API_KEY,
    },
    viaProxy: Boolean(env.HTTPS_PROXY || env.HTTP_PROXY),
    chatModel: env.LLM_CHAT_MODEL ?? 'gpt-4o-mini',
    temperature: env.LLM_TEMPERATURE === undefined ? undefined : Number(env.LLM_TEMPERATURE),
    // OpenAI itself takes max_completion_tokens (its reasoning models reject max_tokens); other servers get both.
    maxTokensField:
      (env.LLM_MAX_TOKENS_FIELD as MaxTokensField | undefined) ??
      (isOpenAiItself(env.OPENAI_BASE_URL) ? 'max_completion_tokens' : 'both'),
    embeddingModel: env.LLM_EMBEDDING_MODEL ?? 'text-embedding-3-small',
    embeddingDimension,
    // Unset: sent only to OpenAI's text-embedding-3 models, which shorten vectors; other servers reject the field
    // for models that cannot (vLLM: "does not support matryoshka representation") or ignore it.
    sendEmbeddingDimensions: toBool(
      env.LLM_EMBEDDING_SEND_DIMENSIONS,
      embeddingDimension !== undefined &&
        (env.LLM_EMBEDDING_MODEL ?? 'text-embedding-3-small').startsWith('text-embedding-3'),
    ),
    embeddingEncoding: (env.LLM_EMBEDDING_ENCODING as 'base64' | 'float' | undefined) ?? 'base64',
    startupProbe: toBool(env.LLM_STARTUP_PROBE, true),
    // 512: from `npm run eval:retrieval` (p@5 flat from 256 to 2048 on English; headroom for Korean n-grams).
    localEmbeddingDimension: toInt(env.LLM_LOCAL_EMBEDDING_DIMENSION, 512),
    localThreads: env.LLM_LOCAL_THREADS === undefined ? undefined : toInt(env.LLM_LOCAL_THREADS, 0),
    timeouts: {
      chatMs: toInt(env.LLM_CHAT_TIMEOUT_MS, 30_000),
      streamMs: toInt(env.LLM_STREAM_TIMEOUT_MS, 60_000),
      embedMs: toInt(env.LLM_EMBED_TIMEOUT_MS, 20_000),
    },
    retry: {
      maxRetries: toInt(env.LLM_MAX_RETRIES, 3),
      initialDelayMs: toInt(env.LLM_RETRY_INITIAL_DELAY_MS, 250),
      maxDelayMs: toInt(env.LLM_RETRY_MAX_DELAY_MS, 20_000),
    },
    breaker: {
      threshold: toInt(env.LLM_BREAKER_THRESHOLD, 5),
      halfOpenAfterMs: toInt(env.LLM_BREAKER_HALF_OPEN_AFTER_MS, 10_000),
      backgroundWaitMs: toInt(env.LLM_BREAKER_WAIT_MS, 60_000),
    },
    // Background never takes the whole cap: the remainder is headroom reserved for interactive calls.
    concurrency: { max, background: Math.min(toInt(env.LLM_BACKGROUND_CONCURRENCY, 8), max - 1) },
    embedBatchInputs: toInt(env.LLM_EMBED_BATCH_INPUTS, 64),
    maxInputTokens: toInt(env.LLM_MAX_INPUT_TOKENS, 6000),
    maxOutputTokens: toInt(env.LLM_MAX_OUTPUT_TOKENS, 600),
    summaryMaxChars: toInt(env.LLM_SUMMARY_MAX_CHARS, 600),
    batch: {
      batchSize: toInt(env.LLM_BATCH_SIZE, 10),
      maxConcurrent: toInt(env.LLM_BATCH_MAX_CONCURRENT, 5),
      // Pacing protects a remote upstream's rate limit; the local models have none to protect.
      delayMs: toInt(env.LLM_BATCH_DELAY_MS, remoteChat || remoteEmbeddings ? 100 : 0),
      retryAttempts: toInt(env.LLM_BATCH_RETRY_ATTEMPTS, 3),
      retryDelayMs: toInt(env.LLM_BATCH_RETRY_DELAY_MS, 1000),
    },
    prices: { ...DEFAULT_PRICES, ...parsePrices(env.LLM_PRICES_JSON) },
  };
});

function isOpenAiItself(baseUrl: string | undefined): boolean {
  if (!baseUrl) return true;
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

function priceTableProblem(raw: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'must be valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'must be a JSON object {"model": {"input": usd_per_1m, "output": usd_per_1m, "cachedInput"?: usd_per_1m}}';
  }
  for (const [model, value] of Object.entries(parsed)) {
    const {
      input,
      output = 0,
      cachedInput = 0,
    } = (value ?? {}) as { input?: unknown; output?: unknown; cachedInput?: unknown };
    if (
      typeof input !== 'number' ||
      typeof output !== 'number' ||
      typeof cachedInput !== 'number' ||
      input < 0 ||
      output < 0 ||
      cachedInput < 0
    ) {
      return `"${model}" needs non-negative numbers {"input": n, "output": n, "cachedInput"?: n} (USD per 1M tokens)`;
    }
  }
  return undefined;
}

/** Only called after validation passed. */
function parsePrices(raw: string | undefined): Record<string, ModelPrice> {
  if (!raw) return {};
  const prices: Record<string, ModelPrice> = {};
  for (const [model, value] of Object.entries(JSON.parse(raw) as Record<string, Partial<ModelPrice>>)) {
    prices[model] = {
      input: value.input ?? 0,
      output: value.output ?? 0,
      ...(value.cachedInput === undefined ? {} : { cachedInput: value.cachedInput }),
    };
  }
  return prices;
}
