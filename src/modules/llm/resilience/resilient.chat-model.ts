import { LocalChatModel } from '../adapters/local.chat-model';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../ports/chat-model.port';
import { templateVersion } from '../prompts';
import { UsageLedger } from '../usage-ledger.service';
import { LaneScheduler } from './lane-scheduler';
import { flightKey, SingleFlight } from './single-flight';
import { UpstreamGuard } from './upstream-guard';
import { isUnavailable, toAppError } from './upstream-errors';

export interface ResilientChatDeps {
  /** Absent: the local model is the configured provider. */
  remote?: { model: ChatModel; guard: UpstreamGuard };
  local: LocalChatModel;
  lanes: LaneScheduler;
  ledger: UsageLedger;
}

/**
 * The ChatModel the rest of the app gets: the configured model behind single-flight, the lanes, retry and the
 * breaker, with usage recorded once per upstream call. While the remote model is unavailable, interactive
 * calls are answered by the local model (`source: 'local-fallback'`); background calls wait (UpstreamGuard).
 */
export class ResilientChatModel extends ChatModel {
  readonly model: string;
  private readonly flights = new SingleFlight();

  constructor(private readonly deps: ResilientChatDeps) {
    super();
    this.model = deps.remote?.model.model ?? deps.local.model;
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
      try {
        const result = await this.deps.lanes.run(request, () =>
          remote.guard.execute(() => remote.model.complete(request), request),
        );
        this.record(request, result);
        return result;
      } catch (error) {
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
    // Retries and the breaker cover opening the stream (up to the first event); once text has reached the
    // caller a failure cannot be retried without repeating it, so it surfaces as an error.
    let opened: { iterator: AsyncIterator<ChatStreamEvent>; first: IteratorResult<ChatStreamEvent> };
    try {
      opened = await this.deps.lanes.run(request, () =>
        remote.guard.execute(async () => {
          const iterator = remote.model.stream(request)[Symbol.asyncIterator]();
          return { iterator, first: await iterator.next() };
        }, request),
      );
    } catch (error) {
      if (request.priority === 'interactive' && isUnavailable(error)) {
        yield* this.localStream(request, 'local-fallback');
        return;
      }
      throw toAppError(error, `chat model ${this.model}`);
    }
    let next = opened.first;
    try {
      while (!next.done) {
        if (next.value.type === 'done') this.record(request, next.value.result);
        yield next.value;
        next = await opened.iterator.next();
      }
    } catch (error) {
      throw toAppError(error, `chat model ${this.model}`);
    }
  }

  private async local(request: ChatRequest, source: 'local' | 'local-fallback'): Promise<ChatResult> {
    const result = { ...(await this.deps.local.complete(request)), source };
    this.record(request, result);
    return result;
  }

  private async *localStream(
    request: ChatRequest,
    source: 'local' | 'local-fallback',
  ): AsyncIterable<ChatStreamEvent> {
    for await (const event of this.deps.local.stream(request)) {
      if (event.type === 'done') {
        const result = { ...event.result, source };
        this.record(request, result);
        yield { type: 'done', result };
      } else {
        yield event;
      }
    }
  }

  private record(request: ChatRequest, result: ChatResult): void {
    this.deps.ledger.record({
      companyId: request.companyId,
      model: result.model,
      purpose: request.purpose,
      source: result.source,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
    });
  }
}
