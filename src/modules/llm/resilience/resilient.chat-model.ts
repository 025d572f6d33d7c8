import { LocalChatModel } from '../adapters/local.chat-model';
import { LlmCallMeter, LlmMetricsRecorder } from '../llm-metrics.recorder';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../ports/chat-model.port';
import { templateVersion } from '../prompts';
import { UsageEvent, UsageLedger } from '../usage-ledger.service';
import { LaneScheduler } from './lane-scheduler';
import { flightKey, SingleFlight } from '../../../common/async/single-flight';
import { UpstreamGuard } from './upstream-guard';
import { isUnavailable, toAppError } from './upstream-errors';

export interface ResilientChatDeps {
  /** Absent: the local model is the configured provider. */
  remote?: { model: ChatModel; guard: UpstreamGuard };
  local: LocalChatModel;
  lanes: LaneScheduler;
  ledger: UsageLedger;
  /** Absent: nothing is exported (the module used without metrics). */
  recorder?: LlmMetricsRecorder;
}

/**
 * The ChatModel the rest of the app gets: the configured model behind single-flight, the lanes, retry and the
 * breaker, with usage and metrics recorded once per upstream call. While the remote model is unavailable,
 * interactive calls are answered by the local model (`source: 'local-fallback'`, metrics status `fallback`
 * after the remote call's own failure status); background calls wait (UpstreamGuard).
 */
export class ResilientChatModel extends ChatModel {
  readonly model: string;
  private readonly flights = new SingleFlight();
  private readonly recorder: LlmMetricsRecorder;

  constructor(private readonly deps: ResilientChatDeps) {
    super();
    this.model = deps.remote?.model.model ?? deps.local.model;
    this.recorder = deps.recorder ?? new LlmMetricsRecorder();
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    const remote = this.deps.remote;
    if (!remote) return this.local(request, 'local');
    const { signal: _signal, ...input } = request;
    const key = flightKey({
      companyId: request.companyId,
      model: this.model,
      promptVersion: templateVersion(request.purpose),
      input,
    });
    // Joiners share the first caller's call, abort signal included: if that caller leaves, the joiners fail
    // too (and may retry). Dropping the signal instead would keep paying for calls nobody waits for.
    return this.flights.run(key, async () => {
      const meter = this.meter('openai', this.model, request);
      try {
        const result = await this.deps.lanes.run(request, () =>
          remote.guard.execute(() => meter.upstream(() => remote.model.complete(request)), request),
        );
        meter.succeed(this.record(request, result));
        return result;
      } catch (error) {
        meter.fail(error);
        if (request.priority === 'interactive' && isUnavailable(error))
          return this.local(request, 'local-fallback');
        throw toAppError(error, `chat model ${this.model}`);
      }
    });
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    const remote = this.deps.remote;
    if (!remote) {
      yield* this.localStream(request, 'local');
      return;
    }
    const meter = this.meter('openai', this.model, request);
    // Retries and the breaker cover opening the stream (up to the first event); once text has reached the
    // caller a failure cannot be retried without repeating it, so it surfaces as an error.
    let opened: { iterator: AsyncIterator<ChatStreamEvent>; first: IteratorResult<ChatStreamEvent> };
    try {
      opened = await this.deps.lanes.run(request, () =>
        remote.guard.execute(
          () =>
            meter.upstream(async () => {
              const iterator = remote.model.stream(request)[Symbol.asyncIterator]();
              return { iterator, first: await iterator.next() };
            }),
          request,
        ),
      );
    } catch (error) {
      meter.fail(error);
      if (request.priority === 'interactive' && isUnavailable(error)) {
        yield* this.localStream(request, 'local-fallback');
        return;
      }
      throw toAppError(error, `chat model ${this.model}`);
    }
    try {
      yield* this.metered(meter, opened.iterator, opened.first, (result) => this.record(request, result));
    } catch (error) {
      meter.fail(error);
      throw toAppError(error, `chat model ${this.model}`);
    }
  }

  private async local(request: ChatRequest, source: 'local' | 'local-fallback'): Promise<ChatResult> {
    const meter = this.meter('local', this.deps.local.model, request);
    try {
      const result = { ...(await meter.upstream(() => this.deps.local.complete(request))), source };
      meter.succeed(this.record(request, result), source === 'local' ? 'success' : 'fallback');
      return result;
    } catch (error) {
      meter.fail(error);
      throw error;
    }
  }

  private async *localStream(
    request: ChatRequest,
    source: 'local' | 'local-fallback',
  ): AsyncIterable<ChatStreamEvent> {
    const meter = this.meter('local', this.deps.local.model, request);
    const iterator = this.deps.local.stream(request)[Symbol.asyncIterator]();
    try {
      const first = await meter.upstream(() => iterator.next());
      yield* this.metered(
        meter,
        iterator,
        first,
        (result) => this.record(request, result),
        source === 'local' ? 'success' : 'fallback',
        (event) => (event.type === 'done' ? { type: 'done', result: { ...event.result, source } } : event),
      );
    } catch (error) {
      meter.fail(error);
      throw error;
    }
  }

  /**
   * Passes a model's events on, timing each pull as upstream time and each hand-over as the consumer's:
   * first token → time to first token; `done` → usage recorded and the call counted. A consumer that stops
   * early ends the call as cancelled.
   */
  private async *metered(
    meter: LlmCallMeter,
    iterator: AsyncIterator<ChatStreamEvent>,
    first: IteratorResult<ChatStreamEvent>,
    record: (result: ChatResult) => UsageEvent,
    status: 'success' | 'fallback' = 'success',
    map: (event: ChatStreamEvent) => ChatStreamEvent = (event) => event,
  ): AsyncIterable<ChatStreamEvent> {
    let next = first;
    try {
      while (!next.done) {
        const event = map(next.value);
        if (event.type === 'token') meter.firstToken();
        else meter.succeed(record(event.result), status);
        const handedOver = performance.now();
        yield event;
        meter.consumer(handedOver);
        next = await meter.upstream(() => iterator.next());
      }
      if (!meter.done) meter.fail(new Error('stream ended without a result'));
    } catch (error) {
      meter.fail(error);
      throw error;
    } finally {
      if (!meter.done) {
        // The consumer stopped pulling: stop the model too, rather than paying for text nobody reads.
        meter.fail(Object.assign(new Error('stream left before done'), { name: 'AbortError' }));
        await iterator.return?.();
      }
    }
  }

  private meter(provider: 'openai' | 'local', model: string, request: ChatRequest): LlmCallMeter {
    return this.recorder.start({ provider, model, companyId: request.companyId, signal: request.signal });
  }

  private record(request: ChatRequest, result: ChatResult): UsageEvent {
    return this.deps.ledger.record({
      companyId: request.companyId,
      model: result.model,
      purpose: request.purpose,
      source: result.source,
      promptTokens: result.usage.promptTokens,
      cachedPromptTokens: result.usage.cachedPromptTokens,
      completionTokens: result.usage.completionTokens,
    });
  }
}
