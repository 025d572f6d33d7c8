import { appConfig, AppSettings } from './app.config';
import { assistConfig, AssistSettings } from './assist.config';
import { cacheConfig, CacheSettings } from './cache.config';
import { databaseConfig, DatabaseSettings } from './database.config';
import { ConfigNamespace, ConfigValidationError } from './define-config';
import { ingestConfig, IngestSettings } from './ingest.config';
import { lifecycleConfig, LifecycleSettings } from './lifecycle.config';
import { llmConfig, LlmSettings } from './llm.config';
import { metricsConfig, MetricsSettings } from './metrics.config';
import { redisConfig, RedisSettings } from './redis.config';
import { retentionConfig, RetentionSettings } from './retention.config';
import { searchConfig, SearchSettings } from './search.config';
import { semanticCacheConfig, SemanticCacheSettings } from './semantic-cache.config';

/**
 * The validated, typed configuration tree. Built once at boot from the environment by `loadConfig`;
 * nothing else in the code base reads `process.env`. Injected by its class token.
 */
export class AppConfig {
  app: AppSettings;
  database: DatabaseSettings;
  redis: RedisSettings;
  llm: LlmSettings;
  search: SearchSettings;
  ingest: IngestSettings;
  metrics: MetricsSettings;
  semanticCache: SemanticCacheSettings;
  cache: CacheSettings;
  assist: AssistSettings;
  lifecycle: LifecycleSettings;
  retention: RetentionSettings;

  /** embedded: no external service configured for storage. */
  get mode(): 'embedded' | 'services' {
    return this.database.kind === 'postgres' ? 'services' : 'embedded';
  }
}

const namespaces = {
  app: appConfig,
  database: databaseConfig,
  redis: redisConfig,
  llm: llmConfig,
  search: searchConfig,
  ingest: ingestConfig,
  metrics: metricsConfig,
  semanticCache: semanticCacheConfig,
  cache: cacheConfig,
  assist: assistConfig,
  lifecycle: lifecycleConfig,
  retention: retentionConfig,
} satisfies { [K in keyof AppConfig]?: ConfigNamespace<AppConfig[K]> };

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const config = new AppConfig();
  const problems: string[] = [];
  for (const [key, namespace] of Object.entries(namespaces)) {
    const { value, errors } = namespace.load(env);
    problems.push(...errors);
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  if (problems.length === 0 && config.database.kind === 'postgres' && !config.app.adminApiKey) {
    problems.push('ADMIN_API_KEY: required in services mode (DATABASE_URL is set), so every instance shares one admin key');
  }
  if (problems.length === 0 && config.app.role !== 'all' && config.search.vectorStore === 'embedded') {
    // The embedded vector index lives in one process's memory (and its DATA_DIR): an API would never see what
    // a separate worker indexed.
    problems.push(
      `QDRANT_URL: required with APP_ROLE=${config.app.role} (split roles share vectors through Qdrant; the embedded index serves one process: use APP_ROLE=all without QDRANT_URL)`,
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
