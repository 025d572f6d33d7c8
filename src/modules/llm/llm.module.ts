import { Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import OpenAI from 'openai';
import { AppConfig } from '../../config/config';
import { BreakerState, MetricsService } from '../metrics/metrics.service';
import { HashingEmbedder } from './adapters/hashing.embedder';
import { LocalComputePool } from './adapters/local-compute/local-compute.pool';
import { LocalChatModel } from './adapters/local.chat-model';
import { OpenAiChatModel } from './adapters/openai.chat-model';
import { OpenAiEmbedder } from './adapters/openai.embedder';
import { BatchProcessor } from './batch-processor.service';
import { LlmMetricsRecorder } from './llm-metrics.recorder';
import { LlmService } from './llm.service';
import { ChatModel } from './ports/chat-model.port';
import { Embedder } from './ports/embedder.port';
import { LaneScheduler } from './resilience/lane-scheduler';
import { ResilientChatModel } from './resilience/resilient.chat-model';
import { ResilientEmbedder } from './resilience/resilient.embedder';
import { BreakerStateName, UpstreamGuard } from './resilience/upstream-guard';
import { TokenCounter } from './token-counter';
import { UsageLedger } from './usage-ledger.service';

/** Native sizes of well-known embedding models; others need LLM_EMBEDDING_DIMENSION. */
const KNOWN_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

function openAiClient(config: AppConfig): OpenAI {
  const { apiKey, baseUrl, timeouts } = config.llm;
  // maxRetries 0: cockatiel owns retries, so backoff, Retry-After and the breaker see every attempt.
  // Local servers (vLLM, Ollama) take any key, but the SDK refuses to start without one.
  return new OpenAI({
    apiKey: apiKey ?? 'not-needed',
    baseURL: baseUrl,
    maxRetries: 0,
    timeout: timeouts.chatMs,
  });
}

const BREAKER_METRIC_STATE: Record<BreakerStateName, BreakerState> = {
  closed: 'closed',
  'half-open': 'half_open',
  open: 'open',
  // Isolated: held open by hand; for traffic it is open.
  isolated: 'open',
};

function guardFor(config: AppConfig, name: string, metrics: MetricsService | undefined): UpstreamGuard {
  const { retry, breaker } = config.llm;
  const guard = new UpstreamGuard({
    name,
    maxRetries: retry.maxRetries,
    initialDelayMs: retry.initialDelayMs,
    maxDelayMs: retry.maxDelayMs,
    breakerThreshold: breaker.threshold,
    halfOpenAfterMs: breaker.halfOpenAfterMs,
    backgroundWaitMs: breaker.backgroundWaitMs,
  });
  if (metrics) {
    guard.onStateChange((state) =>
      metrics.setBreakerState({ upstream: name, state: BREAKER_METRIC_STATE[state] }),
    );
  }
  return guard;
}

/**
 * Threads for the local models' background work: by default one less than the cores (at most 2) where bulk
 * work is the process's job (the worker role) or shares it with everything (embedded mode: about +18% ingest
 * throughput at 10k); none in a services-mode API, whose background work stays sliced on its event loop: with
 * a thread beside each of two API processes on 2 cores, the held 10k-connection p99 rose from ~200 ms to
 * 0.68-2.6 s (bench:concurrency).
 */
function localThreads(config: AppConfig): number {
  if (config.llm.localThreads !== undefined) return config.llm.localThreads;
  const bulk = config.app.role === 'worker' || config.mode === 'embedded';
  return bulk ? Math.max(0, Math.min(2, availableParallelism() - 1)) : 0;
}

/** MetricsModule is global in the app; the LLM module also runs alone (benchmarks, integration tests). */
const OPTIONAL_METRICS = { token: MetricsService, optional: true } as const;

/** Shared by the chat model and the embedder so both count against one global cap. */
class OpenAiUpstream {
  constructor(readonly client: OpenAI | undefined) {}
}

@Module({
  providers: [
    { provide: TokenCounter, useValue: new TokenCounter() },
    {
      provide: LocalComputePool,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new LocalComputePool({ threads: localThreads(config) }),
    },
    UsageLedger,
    BatchProcessor,
    LlmService,
    {
      provide: LlmMetricsRecorder,
      inject: [OPTIONAL_METRICS],
      useFactory: (metrics?: MetricsService) => new LlmMetricsRecorder(metrics),
    },
    {
      provide: LaneScheduler,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new LaneScheduler(config.llm.concurrency),
    },
    {
      provide: OpenAiUpstream,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new OpenAiUpstream(config.llm.provider === 'openai' ? openAiClient(config) : undefined),
    },
    {
      provide: ChatModel,
      inject: [
        AppConfig,
        OpenAiUpstream,
        LaneScheduler,
        UsageLedger,
        TokenCounter,
        LlmMetricsRecorder,
        LocalComputePool,
        OPTIONAL_METRICS,
      ],
      useFactory: (
        config: AppConfig,
        upstream: OpenAiUpstream,
        lanes: LaneScheduler,
        ledger: UsageLedger,
        tokens: TokenCounter,
        recorder: LlmMetricsRecorder,
        pool: LocalComputePool,
        metrics?: MetricsService,
      ) => {
        const llm = config.llm;
        const local = new LocalChatModel({ summaryMaxChars: llm.summaryMaxChars, tokens, pool });
        const remote = upstream.client
          ? {
              model: new OpenAiChatModel(upstream.client, {
                model: llm.chatModel,
                timeoutMs: llm.timeouts.chatMs,
                streamTimeoutMs: llm.timeouts.streamMs,
                maxInputTokens: llm.maxInputTokens,
                maxOutputTokens: llm.maxOutputTokens,
                tokens,
                upstream: 'openai-chat',
              }),
              guard: guardFor(config, 'openai-chat', metrics),
            }
          : undefined;
        return new ResilientChatModel({ remote, local, lanes, ledger, recorder });
      },
    },
    {
      provide: Embedder,
      inject: [
        AppConfig,
        OpenAiUpstream,
        LaneScheduler,
        UsageLedger,
        TokenCounter,
        LlmMetricsRecorder,
        LocalComputePool,
        OPTIONAL_METRICS,
      ],
      useFactory: (
        config: AppConfig,
        upstream: OpenAiUpstream,
        lanes: LaneScheduler,
        ledger: UsageLedger,
        tokens: TokenCounter,
        recorder: LlmMetricsRecorder,
        pool: LocalComputePool,
        metrics?: MetricsService,
      ) => {
        const llm = config.llm;
        const shared = { lanes, ledger, recorder, batchInputs: llm.embedBatchInputs };
        if (!upstream.client) {
          return new ResilientEmbedder({
            ...shared,
            embedder: new HashingEmbedder(llm.localEmbeddingDimension, tokens, pool),
          });
        }
        const dimension = llm.embeddingDimension ?? KNOWN_EMBEDDING_DIMENSIONS[llm.embeddingModel];
        if (!dimension) {
          throw new Error(
            `LLM_EMBEDDING_DIMENSION: required for embedding model "${llm.embeddingModel}" (its size is not known)`,
          );
        }
        const embedder = new OpenAiEmbedder(upstream.client, {
          model: llm.embeddingModel,
          dimension,
          sendDimensions: llm.embeddingDimension !== undefined,
          timeoutMs: llm.timeouts.embedMs,
          upstream: 'openai-embeddings',
        });
        // Separate breaker: embeddings are often served by a different deployment than chat.
        return new ResilientEmbedder({
          ...shared,
          embedder,
          guard: guardFor(config, 'openai-embeddings', metrics),
        });
      },
    },
  ],
  exports: [ChatModel, Embedder, LlmService, BatchProcessor, UsageLedger, TokenCounter, LaneScheduler],
})
export class LlmModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly tokens: TokenCounter,
    private readonly config: AppConfig,
    private readonly pool: LocalComputePool,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  /**
   * Builds the tokenizer at boot (about a second) instead of on the first user request, and starts the local
   * models' threads when they are the models in use (no OpenAI-compatible server configured).
   */
  onModuleInit(): void {
    this.tokens.count('warm-up', this.config.llm.chatModel);
    if (this.config.llm.provider === 'local') this.pool.start();
  }
}
