import { Module, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { DependencyHealth } from '../health/dependency.health';
import { availableParallelism } from 'node:os';
import OpenAI from 'openai';
import { AppConfig } from '../../config/config';
import { BreakerState, MetricsService } from '../metrics/metrics.service';
import { HashingEmbedder } from './adapters/hashing.embedder';
import { LocalComputePool } from './adapters/local-compute/local-compute.pool';
import { LocalChatModel } from './adapters/local.chat-model';
import { OpenAiChatModel } from './adapters/openai.chat-model';
import { OpenAiEmbedder } from './adapters/openai.embedder';
import { openAiCompatibleFetch } from './adapters/openai-compatible.fetch';
import { OpenAiModelCatalog } from './adapters/openai.model-catalog';
import { LlmStartupProbe } from './llm-startup.probe';
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
import { UsageLedgerEraser } from './usage-ledger.eraser';
import { UsageLedger } from './usage-ledger.service';
import { LlmUsageExporter } from './usage.exporter';

/** Native sizes of well-known embedding models; others need LLM_EMBEDDING_DIMENSION. */
const KNOWN_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

function openAiClient(
  endpoint: { apiKey?: string; baseUrl?: string },
  timeoutMs: number,
  viaProxy: boolean,
): OpenAI {
  // maxRetries 0: cockatiel owns retries, so backoff, Retry-After and the breaker see every attempt.
  // Local servers (vLLM, Ollama) take any key, but the SDK refuses to start without one.
  return new OpenAI({
    apiKey: endpoint.apiKey ?? 'not-needed',
    baseURL: endpoint.baseUrl,
    maxRetries: 0,
    timeout: timeoutMs,
    fetch: openAiCompatibleFetch(viaProxy ? fetch : undefined),
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

/** One client per remote role: chat and embeddings may be different servers with different keys. */
class OpenAiUpstream {
  constructor(
    readonly chat: OpenAI | undefined,
    readonly embeddings: OpenAI | undefined,
  ) {}
}

function embeddingDimensionOf(config: AppConfig): number {
  const llm = config.llm;
  const dimension = llm.embeddingDimension ?? KNOWN_EMBEDDING_DIMENSIONS[llm.embeddingModel];
  if (!dimension) {
    throw new Error(
      `LLM_EMBEDDING_DIMENSION: required for embedding model "${llm.embeddingModel}" (its size is not known)`,
    );
  }
  return dimension;
}

function remoteEmbedder(config: AppConfig, client: OpenAI, tokens: TokenCounter): OpenAiEmbedder {
  const llm = config.llm;
  return new OpenAiEmbedder(client, {
    model: llm.embeddingModel,
    dimension: embeddingDimensionOf(config),
    sendDimensions: llm.sendEmbeddingDimensions,
    encoding: llm.embeddingEncoding,
    timeoutMs: llm.timeouts.embedMs,
    tokens,
    upstream: 'openai-embeddings',
    dimensionVariable: 'LLM_EMBEDDING_DIMENSION',
  });
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
    // The company export's token usage (CompanyExporter, found by discovery).
    LlmUsageExporter,
    UsageLedgerEraser,
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
      useFactory: ({ llm }: AppConfig) =>
        new OpenAiUpstream(
          llm.provider === 'openai' ? openAiClient(llm, llm.timeouts.chatMs, llm.viaProxy) : undefined,
          llm.embeddingsProvider === 'openai'
            ? openAiClient(llm.embeddings, llm.timeouts.embedMs, llm.viaProxy)
            : undefined,
        ),
    },
    {
      provide: LlmStartupProbe,
      inject: [AppConfig, OpenAiUpstream, TokenCounter],
      useFactory: (config: AppConfig, upstream: OpenAiUpstream, tokens: TokenCounter) =>
        new LlmStartupProbe(config.llm, {
          ...(upstream.chat
            ? { chat: { catalog: new OpenAiModelCatalog(upstream.chat, 'openai-chat') } }
            : {}),
          ...(upstream.embeddings
            ? {
                embeddings: {
                  catalog: new OpenAiModelCatalog(upstream.embeddings, 'openai-embeddings'),
                  embedder: remoteEmbedder(config, upstream.embeddings, tokens),
                },
              }
            : {}),
        }),
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
        const remote = upstream.chat
          ? {
              model: new OpenAiChatModel(upstream.chat, {
                model: llm.chatModel,
                timeoutMs: llm.timeouts.chatMs,
                streamTimeoutMs: llm.timeouts.streamMs,
                maxInputTokens: llm.maxInputTokens,
                maxOutputTokens: llm.maxOutputTokens,
                temperature: llm.temperature,
                maxTokensField: llm.maxTokensField,
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
        if (!upstream.embeddings) {
          return new ResilientEmbedder({
            ...shared,
            embedder: new HashingEmbedder(llm.localEmbeddingDimension, tokens, pool),
          });
        }
        const embedder = remoteEmbedder(config, upstream.embeddings, tokens);
        // Separate breaker: embeddings are often served by a different deployment than chat.
        return new ResilientEmbedder({
          ...shared,
          embedder,
          guard: guardFor(config, 'openai-embeddings', metrics),
        });
      },
    },
  ],
  exports: [
    ChatModel,
    Embedder,
    LlmService,
    BatchProcessor,
    UsageLedger,
    TokenCounter,
    LaneScheduler,
    LlmStartupProbe,
  ],
})
export class LlmModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly tokens: TokenCounter,
    private readonly config: AppConfig,
    private readonly pool: LocalComputePool,
    private readonly probe: LlmStartupProbe,
    @Optional() private readonly health?: DependencyHealth,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  /**
   * Builds the tokenizer at boot (about a second) instead of on the first user request, starts the local
   * models' threads when they are the models in use (no OpenAI-compatible server configured), and probes each
   * remote role (LLM_STARTUP_PROBE).
   */
  async onModuleInit(): Promise<void> {
    this.tokens.count('warm-up', this.config.llm.chatModel);
    const { provider, embeddingsProvider, startupProbe } = this.config.llm;
    if (provider === 'local' || embeddingsProvider === 'local') this.pool.start();
    if (startupProbe) await this.probe.run();
    // Not required: chat falls back to the local models, search to keywords, indexing waits and retries.
    for (const role of ['chat', 'embeddings'] as const) {
      this.health?.register(
        `llm_${role}`,
        async () => {
          const { state, detail } = await this.probe.state(role);
          return { up: state !== 'unreachable', state, ...(detail ? { detail: { error: detail } } : {}) };
        },
        { required: false },
      );
    }
  }
}
