import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../../config/config';
import { LlmService } from '../../llm/llm.service';
import { cacheKey, canonicalJson, normalizeText } from '../../cache/domain/cache-keys';
import { CacheCredit, CacheKey, LayeredCache } from '../../cache/ports/layered-cache.port';
import { withDeadline } from '../../../common/async/deadline';
import { compareQuestions } from './domain/question-guard';
import {
  encodeVector,
  nearest,
  quantize,
  SemanticIndex,
  SemanticIndexEntry,
  withEntry,
} from './domain/semantic-index';
import {
  QuestionEmbedding,
  SemanticAnswerCache,
  SemanticMatch,
  SemanticScope,
} from './semantic-answer-cache.port';

/** One kind for index and answers: a data change bumps it (DATA_DEPENDENT_LLM_KINDS), dropping both at once. */
const SEMANTIC_KIND = 'semantic';

interface StoredAnswer<T> {
  question: string;
  value: T;
}

/**
 * The semantic layer over LayeredCache's `llm` layer: per company and scope, one bounded index of recent
 * questions (int8 embeddings) and one entry per answer, all of kind `semantic`. Invalidating the company's
 * LLM layer (admin route) or the `semantic` kind (a changed ticket or article) drops them at once.
 * Every call is bounded by `semanticCache.semantic.timeoutMs`, embedding included; past it, or on any
 * failure, a lookup misses and a store is skipped.
 */
@Injectable()
export class SemanticAnswerCacheService extends SemanticAnswerCache {
  private readonly logger = new Logger('SemanticCache');
  /** Index updates of one process are serialized per index key, so concurrent stores do not drop each other. */
  private readonly updates = new Map<string, Promise<void>>();
  /** The batch of index entries waiting for the next write, per index key. */
  private readonly pending = new Map<string, { entries: SemanticIndexEntry[]; done: Promise<void> }>();

  constructor(
    private readonly cache: LayeredCache,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  private get settings() {
    return this.config.semanticCache.semantic;
  }

  async lookup<T>(input: {
    scope: SemanticScope;
    question: string;
    embedding?: QuestionEmbedding;
  }): Promise<SemanticMatch<T> | undefined> {
    if (!this.settings.enabled) return undefined;
    return withDeadline<SemanticMatch<T> | undefined>({
      ms: this.settings.timeoutMs,
      fallback: undefined,
      work: () => this.find<T>(input).catch((error) => this.failed('lookup', error)),
    });
  }

  async store<T>(input: {
    scope: SemanticScope;
    question: string;
    value: T;
    credit?: CacheCredit;
    embedding?: QuestionEmbedding;
  }): Promise<void> {
    if (!this.settings.enabled) return;
    await withDeadline<void>({
      ms: this.settings.timeoutMs,
      fallback: undefined,
      work: () => this.save(input).catch((error) => this.failed('store', error)),
    });
  }

  private async find<T>({
    scope,
    question,
    embedding,
  }: {
    scope: SemanticScope;
    question: string;
    embedding?: QuestionEmbedding;
  }): Promise<SemanticMatch<T> | undefined> {
    // The index first: a company or scope with nothing cached costs no embedding call.
    const index = await this.cache.get<SemanticIndex>(this.indexKey(scope));
    if (!index || index.entries.length === 0) return undefined;
    if (index.model !== this.embeddingModel) return undefined;
    const vector = await this.embed(scope.companyId, question, embedding);
    if (!vector) return undefined;
    for (const { entry, similarity } of nearest({
      index,
      query: vector,
      threshold: this.settings.threshold,
    })) {
      if (!compareQuestions(question, entry.question).safe) continue;
      const stored = await this.cache.get<StoredAnswer<T>>(this.answerKey(scope, entry.id));
      if (stored) return { value: stored.value, similarity, question: stored.question };
    }
    return undefined;
  }

  private async save<T>({
    scope,
    question,
    value,
    credit,
    embedding,
  }: {
    scope: SemanticScope;
    question: string;
    value: T;
    credit?: CacheCredit;
    embedding?: QuestionEmbedding;
  }): Promise<void> {
    const vector = await this.embed(scope.companyId, question, embedding);
    if (!vector) return;
    const id = questionId(question);
    // The answer before the index entry that points at it, so a reader never finds an entry without its answer.
    await this.cache.set<StoredAnswer<T>>(this.answerKey(scope, id), { question, value }, { credit });
    await this.addToIndex(this.indexKey(scope), {
      id,
      question,
      vector: encodeVector(vector),
      storedAt: Date.now(),
    });
  }

  /**
   * Index updates of one process are group-committed per index key: while one read-modify-write runs, the
   * entries that arrive queue up and the next write adds them all, so a burst of N stores costs a few index
   * writes instead of N serialized ones, and concurrent stores never drop each other.
   */
  private addToIndex(key: CacheKey, entry: SemanticIndexEntry): Promise<void> {
    const name = key.toString();
    let batch = this.pending.get(name);
    if (!batch) {
      const entries: SemanticIndexEntry[] = [];
      const previous = this.updates.get(name) ?? Promise.resolve();
      const done = previous.then(async () => {
        // From here on, new entries start the next batch.
        if (this.pending.get(name)?.entries === entries) this.pending.delete(name);
        let index = await this.cache.get<SemanticIndex>(key);
        for (const e of entries)
          index = withEntry({
            index,
            model: this.embeddingModel,
            entry: e,
            maxEntries: this.settings.maxEntries,
          });
        if (index) await this.cache.set(key, index);
      });
      const settled = done.catch(() => undefined);
      this.updates.set(name, settled);
      void settled.finally(() => {
        if (this.updates.get(name) === settled) this.updates.delete(name);
      });
      batch = { entries, done };
      this.pending.set(name, batch);
    }
    batch.entries.push(entry);
    return batch.done;
  }

  /** undefined for vectors of the local fallback: they live in another space than the configured model's. */
  private async embed(
    companyId: string,
    question: string,
    shared?: QuestionEmbedding,
  ): Promise<Int8Array | undefined> {
    if (shared) {
      const { vector, fallback } = await shared();
      return fallback ? undefined : quantize(vector);
    }
    const result = await this.llm.embed({
      companyId,
      texts: [question],
      priority: 'interactive',
      signal: AbortSignal.timeout(this.settings.timeoutMs),
    });
    if (result.source === 'local-fallback' || result.vectors.length !== 1) return undefined;
    return quantize(result.vectors[0]);
  }

  private get embeddingModel(): string {
    const { model, dimension } = this.llm.embeddingModel;
    return `${model}:${dimension}`;
  }

  private indexKey(scope: SemanticScope): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: scope.companyId,
      kind: SEMANTIC_KIND,
      input: { ...scopeInput(scope), part: 'index' },
      versions: { prompt: scope.promptVersion, model: scope.model, embedding: this.embeddingModel },
    });
  }

  private answerKey(scope: SemanticScope, id: string): CacheKey {
    return cacheKey({
      layer: 'llm',
      companyId: scope.companyId,
      kind: SEMANTIC_KIND,
      input: { ...scopeInput(scope), part: 'answer', question: id },
      versions: { prompt: scope.promptVersion, model: scope.model },
    });
  }

  private failed(operation: string, error: unknown): undefined {
    this.logger.warn(
      `semantic cache ${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

function scopeInput(scope: SemanticScope): { dataTypes: string[]; filters: string } {
  return { dataTypes: [...new Set(scope.dataTypes)].sort(), filters: canonicalJson(scope.filters ?? null) };
}

function questionId(question: string): string {
  return createHash('sha256').update(normalizeText(question)).digest('base64url').slice(0, 22);
}
