import type { Logger } from '@nestjs/common';
import { withinDeadline } from '../../common/async/deadline';
import type { MetricsService } from '../metrics/metrics.service';

/**
 * A session or preferences store call under the state deadline (`ASSIST_STATE_TIMEOUT_MS`): a failure or a
 * timeout is logged, counted (`assist_state_failures_total`) and returned, never thrown, so the caller goes on
 * without the state.
 */
export async function boundedStateCall<T>(input: {
  store: 'session' | 'preferences';
  operation: 'read' | 'write';
  timeoutMs: number;
  metrics: MetricsService;
  logger: Logger;
  /** Said after the failure in the log line. */
  consequence: string;
  work: () => Promise<T>;
}): Promise<{ ok: true; value: T } | { ok: false }> {
  const timed = await withinDeadline(Promise.resolve().then(input.work), input.timeoutMs, {
    yieldToIo: true,
  });
  if (timed.ok) return timed;
  input.metrics.recordAssistStateFailure({ store: input.store, operation: input.operation });
  const why = timed.reason === 'timeout' ? 'timed out' : String(timed.error);
  input.logger.warn(`${input.store} ${input.operation} failed${input.consequence}: ${why}`);
  return { ok: false };
}
