import { Test } from '@nestjs/testing';
import { AppConfig, loadConfig } from '../../../src/config/config';
import { LlmModule } from '../../../src/modules/llm/llm.module';
import { LlmService } from '../../../src/modules/llm/llm.service';
import { BatchProcessor } from '../../../src/modules/llm/batch-processor.service';
import { UsageLedger } from '../../../src/modules/llm/usage-ledger.service';
import { ChatModel } from '../../../src/modules/llm/ports/chat-model.port';
import { Embedder } from '../../../src/modules/llm/ports/embedder.port';
import { LaneScheduler } from '../../../src/modules/llm/resilience/lane-scheduler';
import { MetricsService } from '../../../src/modules/metrics/metrics.service';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';

class TestConfigModule {}

/** Fast-failing settings for tests against the fake server; each test may override any variable. */
export const FAST_LLM_ENV: Record<string, string> = {
  OPENAI_API_KEY: 'sk-test',
  LLM_CHAT_MODEL: 'gpt-4o-mini',
  LLM_EMBEDDING_MODEL: 'text-embedding-3-small',
  LLM_EMBEDDING_DIMENSION: '16',
  LLM_MAX_RETRIES: '3',
  LLM_RETRY_INITIAL_DELAY_MS: '5',
  LLM_RETRY_MAX_DELAY_MS: '2000',
  LLM_BREAKER_THRESHOLD: '3',
  LLM_BREAKER_HALF_OPEN_AFTER_MS: '300',
  LLM_BREAKER_WAIT_MS: '2000',
  LLM_CHAT_TIMEOUT_MS: '2000',
  LLM_BATCH_RETRY_DELAY_MS: '5',
  LLM_BATCH_DELAY_MS: '0',
  // Probed apart (startup-probe.spec): counted calls and injected faults here start at the first real call.
  LLM_STARTUP_PROBE: 'false',
};

export async function buildLlm(fake: FakeOpenAiServer | undefined, env: Record<string, string> = {}) {
  const config = loadConfig({
    ...FAST_LLM_ENV,
    ...(fake ? { OPENAI_BASE_URL: fake.url } : { OPENAI_API_KEY: '' }),
    ...env,
  });
  // AppConfig and MetricsService are global in the app; a global test module stands in for both.
  const metrics = new MetricsService(config);
  const configModule = {
    module: TestConfigModule,
    global: true,
    providers: [
      { provide: AppConfig, useValue: config },
      { provide: MetricsService, useValue: metrics },
    ],
    exports: [AppConfig, MetricsService],
  };
  const module = await Test.createTestingModule({ imports: [configModule, LlmModule] }).compile();
  return {
    module,
    config,
    llm: module.get(LlmService),
    chat: module.get(ChatModel),
    embedder: module.get(Embedder),
    batch: module.get(BatchProcessor),
    ledger: module.get(UsageLedger),
    lanes: module.get(LaneScheduler),
    metrics,
  };
}
