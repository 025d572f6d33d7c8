import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { CacheKey, CacheMode, LayeredCache } from '../cache/ports/layered-cache.port';
import type { ChatResult, ChatStreamEvent, ChatUsage } from '../llm/ports/chat-model.port';
import { BackgroundTasks } from './background-tasks.service';
import { withinDeadline } from '../../common/async/deadline';
import { assistKeys } from './domain/assist-keys';
import type { SourceRef } from './domain/grounding';
import { chunksOf, SseEvent } from './domain/sse';
import { LlmCredit } from './llm-credit.service';

/** A generated answer or draft as cached: the text, the sources it cites, and what it cost. */
export interface Generated {
  text: string;
  sources: SourceRef[];
  model: string;
  source: ChatResult['source'];
  usage: ChatUsage;
}

/** Why an answer is partial. */
export type Degradation = 'llm_timeout' | 'llm_unavailable' | 'retrieval_timeout' | 'preferences_unavailable';

/**
 * What a /query or /reply answer reports in `degraded`: why it is partial (at most one Degradation) and
 * `session` when it was answered without its session (the store did not answer, or could not keep a new one),
 * `ticket` when the session's ticket could not be read (the database did not answer) and the question was
 * answered without the case's facts.
 */
export type DegradedPart = Degradation | 'session' | 'ticket';

export function degradedParts(input: {
  reason: Degradation | undefined;
  sessionUnavailable: boolean;
  ticketUnavailable?: boolean;
}): {
  degraded?: DegradedPart[];
} {
  const parts: DegradedPart[] = [
    ...(input.sessionUnavailable ? (['session'] as const) : []),
    ...(input.ticketUnavailable ? (['ticket'] as const) : []),
    ...(input.reason ? [input.reason] : []),
  ];
  return parts.length > 0 ? { degraded: parts } : {};
}

/** One generation, described by its caller (/query or /reply). */
export interface GenerationSpec {
  name: string;
  key: CacheKey;
  mode: CacheMode;
  sources: SourceRef[];
  /**
   * A cached generation this one can be derived from more cheaply than from the sources' texts (a draft's
   * instructions variant rewrites the draft; a question that needs the ticket adapts the company-wide answer).
   * Its key must cover a subset of what `key` covers, so the derived value depends on nothing `key` does not.
   * Read only in the default mode; made only through `baseOnDemand`.
   */
  derivedFrom?: CacheKey;
  /**
   * Makes the `derivedFrom` value itself (the call a request for that value would make) when generations keep
   * wanting it: the first miss of the base only marks the want (`assistKeys.baseDemand`, in the shared cache);
   * a second one while the mark lives, on any instance, makes the base in the background, so later generations
   * derive from it. One extra call for a question asked in two tickets or more, none for a one-off. Unused
   * without `derivedFrom`.
   */
  baseOnDemand?: (signal: AbortSignal) => Promise<ChatResult>;
  /** The model call, non-streamed and streamed; `base` is the text of `derivedFrom` when it was cached. */
  complete: (signal: AbortSignal, base?: string) => Promise<ChatResult>;
  stream: (signal: AbortSignal, base?: string) => AsyncIterable<ChatStreamEvent>;
  /** The local grounded composition served when the model misses its deadline. */
  composeLocally: () => string;
  /** Consulted after the exact key misses, and filled after a model answer (/query only). */
  semantic?: {
    lookup: () => Promise<Generated | undefined>;
    store: (value: Generated) => Promise<void>;
  };
}

export interface GenerationOutcome {
  value: Generated;
  cached: boolean;
  partial: boolean;
  degraded?: Degradation;
}

export type GenerationEvent =
  | { type: 'token'; text: string }
  | { type: 'done'; outcome: GenerationOutcome }
  | { type: 'error'; message: string };

/**
 * The SSE events of a generation, for /query and /reply alike: `token` chunks, then `done` with the route's
 * body (built by `done` from the outcome, flagged partial when the request was degraded before generation:
 * retrieval cut short, preferences unreadable), or `error`.
 */
export async function* generationSse(input: {
  events: AsyncIterable<GenerationEvent>;
  degraded: Degradation | undefined;
  /** Answered without its session: `session` joins `degraded` (the answer is not partial for that). */
  sessionUnavailable?: boolean;
  ticketUnavailable?: boolean;
  done: (value: Generated, cached: boolean) => Record<string, unknown>;
}): AsyncGenerator<SseEvent> {
  for await (const event of input.events) {
    if (event.type === 'token') yield { event: 'token', data: { text: event.text } };
    else if (event.type === 'error')
      yield { event: 'error', data: { message: event.message, code: 'llm_failed' } };
    else {
      const { value, cached, partial } = event.outcome;
      const reason = event.outcome.degraded ?? input.degraded;
      yield {
        event: 'done',
        data: {
          ...input.done(value, cached),
          partial: partial || input.degraded !== undefined,
          ...degradedParts({
            reason,
            sessionUnavailable: input.sessionUnavailable ?? false,
            ticketUnavailable: input.ticketUnavailable,
          }),
        },
      };
    }
  }
}

/**
 * The deadline discipline shared by /query and /reply: exact cache, then the semantic layer (answers only),
 * then the model. JSON callers wait for the model up to their deadline and otherwise get the local grounded
 * composition, flagged partial and never cached, while the model call continues in the background to fill
 * the cache. Streamed callers get the model's tokens as they come, or the local composition if the first
 * token misses its deadline.
 */
@Injectable()
export class GroundedGeneration {
  private readonly logger = new Logger('GroundedGeneration');

  constructor(
    private readonly cache: LayeredCache,
    private readonly credit: LlmCredit,
    private readonly background: BackgroundTasks,
    private readonly config: AppConfig,
  ) {}

  async generate(spec: GenerationSpec, deadlineMs: number): Promise<GenerationOutcome> {
    const upstream = new AbortController();
    let fromSemantic = false;
    const work = this.cache.getOrCompute({
      key: spec.key,
      mode: spec.mode,
      compute: async () => {
        const similar = spec.mode === 'default' ? await this.lookupSemantic(spec) : undefined;
        if (similar) {
          fromSemantic = true;
          return similar;
        }
        return this.callModel(spec, upstream.signal);
      },
      shouldStore: (value) => value.source !== 'local-fallback',
      credit: (value) => this.credit.of(value),
    });
    const timed = await withinDeadline(work, deadlineMs);
    if (timed.ok) {
      const { value, status } = timed.value;
      if (value.source === 'local-fallback')
        return { value, cached: false, partial: true, degraded: 'llm_unavailable' };
      return { value, cached: status !== 'MISS' || fromSemantic, partial: false };
    }
    if (timed.reason === 'timeout') this.continueInBackground(spec.name, work, upstream);
    else this.logger.warn(`${spec.name}: model call failed: ${String(timed.error)}`);
    return {
      value: this.localValue(spec),
      cached: false,
      partial: true,
      degraded: timed.reason === 'timeout' ? 'llm_timeout' : 'llm_unavailable',
    };
  }

  /** Looks the answer up first so the response headers can say HIT or MISS before the stream starts. */
  async openStream(
    spec: GenerationSpec,
    signal: AbortSignal,
  ): Promise<{ cached: boolean; events: AsyncIterable<GenerationEvent> }> {
    if (spec.mode === 'default') {
      const hit = (await this.cache.get<Generated>(spec.key)) ?? (await this.lookupSemantic(spec));
      if (hit) return { cached: true, events: replay({ value: hit, cached: true, partial: false }) };
    }
    return { cached: false, events: this.live(spec, signal) };
  }

  private async *live(spec: GenerationSpec, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const upstream = new AbortController();
    const onAbort = () => upstream.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const iterator = spec.stream(upstream.signal, await this.baseText(spec))[Symbol.asyncIterator]();
    try {
      const first = await withinDeadline(iterator.next(), this.config.assist.firstTokenDeadlineMs);
      if (!first.ok) {
        // Nothing from the model in time: abandon the stream, answer locally, and let a plain call fill the cache.
        upstream.abort(new Error('first token deadline'));
        if (signal.aborted) return;
        this.fillInBackground(spec);
        const degraded: Degradation = first.reason === 'timeout' ? 'llm_timeout' : 'llm_unavailable';
        yield* replay({ value: this.localValue(spec), cached: false, partial: true, degraded });
        return;
      }
      let next = first.value;
      let result: ChatResult | undefined;
      while (!next.done) {
        const event = next.value;
        if (event.type === 'token') yield { type: 'token', text: event.text };
        else result = event.result;
        next = await iterator.next();
      }
      if (!result) throw new Error('the model stream ended without a result');
      const value = this.toValue(spec, result);
      if (value.source === 'local-fallback') {
        yield { type: 'done', outcome: { value, cached: false, partial: true, degraded: 'llm_unavailable' } };
        return;
      }
      await this.store(spec, value);
      yield { type: 'done', outcome: { value, cached: false, partial: false } };
    } catch (error) {
      if (signal.aborted) return;
      this.logger.warn(`${spec.name}: stream failed: ${String(error)}`);
      yield { type: 'error', message: 'the model failed while answering; retry, or ask without streaming' };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async callModel(spec: GenerationSpec, signal: AbortSignal): Promise<Generated> {
    const value = this.toValue(spec, await spec.complete(signal, await this.baseText(spec)));
    if (spec.semantic && value.source !== 'local-fallback') this.storeSemanticLater(spec, value);
    return value;
  }

  private async store(spec: GenerationSpec, value: Generated): Promise<void> {
    if (spec.mode === 'no-store') return;
    if (spec.semantic) this.storeSemanticLater(spec, value);
    await this.cache.set(spec.key, value, { credit: this.credit.of(value) });
  }

  /**
   * The semantic entry is written after the response, as a bounded background task: the exact key already
   * serves the next identical question, and an answer never waits for the index update (an embedding and
   * an index read-modify-write) it does not need.
   */
  private storeSemanticLater(spec: GenerationSpec, value: Generated): void {
    this.background.run(`semantic store ${spec.name}`, () => this.storeSemantic(spec, value));
  }

  /** The request left; the model call it started keeps going (bounded) so the next identical call is a hit. */
  private continueInBackground(name: string, work: Promise<unknown>, upstream: AbortController): void {
    const started = this.background.run(`late ${name}`, (signal) => {
      signal.addEventListener('abort', () => upstream.abort(signal.reason), { once: true });
      return work;
    });
    if (!started) upstream.abort(new Error('background cap reached'));
  }

  private fillInBackground(spec: GenerationSpec): void {
    this.background.run(`fill ${spec.name}`, (signal) =>
      this.cache.getOrCompute({
        key: spec.key,
        compute: () => this.callModel(spec, signal),
        shouldStore: (value) => value.source !== 'local-fallback',
        credit: (value) => this.credit.of(value),
      }),
    );
  }

  /** The cached text this generation derives from, if any; a failed read only costs the cheaper prompt. */
  private async baseText(spec: GenerationSpec): Promise<string | undefined> {
    if (!spec.derivedFrom || spec.mode !== 'default') return undefined;
    try {
      const base = await this.cache.get<Generated>(spec.derivedFrom);
      if (base && base.source !== 'local-fallback') return base.text;
      this.wantBase(spec, spec.derivedFrom);
      return undefined;
    } catch (error) {
      this.logger.warn(`${spec.name}: base read failed: ${String(error)}`);
      return undefined;
    }
  }

  /** A generation found no base to derive from: the second want makes it (see GenerationSpec.baseOnDemand). */
  private wantBase(spec: GenerationSpec, baseKey: CacheKey): void {
    const make = spec.baseOnDemand;
    if (!make) return;
    const demand = assistKeys.baseDemand(baseKey);
    this.background.run(`base of ${spec.name}`, async (signal) => {
      if (!(await this.cache.get<boolean>(demand))) return this.cache.set(demand, true);
      await this.cache.getOrCompute({
        key: baseKey,
        compute: async () => this.toValue(spec, await make(signal)),
        shouldStore: (value) => value.source !== 'local-fallback',
        credit: (value) => this.credit.of(value),
      });
    });
  }

  private async lookupSemantic(spec: GenerationSpec): Promise<Generated | undefined> {
    if (!spec.semantic) return undefined;
    try {
      return await spec.semantic.lookup();
    } catch (error) {
      this.logger.warn(`${spec.name}: semantic lookup failed: ${String(error)}`);
      return undefined;
    }
  }

  private async storeSemantic(spec: GenerationSpec, value: Generated): Promise<void> {
    try {
      await spec.semantic?.store(value);
    } catch (error) {
      this.logger.warn(`${spec.name}: semantic store failed: ${String(error)}`);
    }
  }

  private toValue(spec: GenerationSpec, result: ChatResult): Generated {
    return {
      text: result.text,
      sources: spec.sources,
      model: result.model,
      source: result.source,
      usage: result.usage,
    };
  }

  private localValue(spec: GenerationSpec): Generated {
    return {
      text: spec.composeLocally(),
      sources: spec.sources,
      model: 'local-grounded-composer',
      source: 'local-fallback',
      usage: { promptTokens: 0, completionTokens: 0 },
    };
  }
}

/** A finished text as a stream: the same events a live answer produces. */
async function* replay(outcome: GenerationOutcome): AsyncGenerator<GenerationEvent> {
  for (const text of chunksOf(outcome.value.text)) yield { type: 'token', text };
  yield { type: 'done', outcome };
}
