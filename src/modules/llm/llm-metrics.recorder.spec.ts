import { BrokenCircuitError } from 'cockatiel';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { loadConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { UpstreamError } from './domain/upstream-error';
import { LlmMetricsRecorder, llmCallStatus } from './llm-metrics.recorder';

describe('llmCallStatus', () => {
  const transient = (info: { status?: number; timedOut?: boolean }) =>
    new UpstreamError('openai-chat', 'failed', { retryable: true, ...info });

  it.each([
    [transient({ status: 429 }), 'rate_limited'],
    [transient({ timedOut: true }), 'timeout'],
    [transient({ status: 408 }), 'timeout'],
    [transient({ status: 503 }), 'error'],
    [new BrokenCircuitError(), 'circuit_open'],
    [AppError.unavailable('chat model', new BrokenCircuitError()), 'circuit_open'],
    [new AppError(ErrorCode.Internal, 'rejected', { cause: transient({ status: 429 }) }), 'rate_limited'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'cancelled'],
    [new Error('boom'), 'error'],
  ])('classifies %s as %s', (error, status) => {
    expect(llmCallStatus(error)).toBe(status);
  });

  it('calls any failure of a call whose caller aborted cancelled', () => {
    const controller = new AbortController();
    controller.abort();
    expect(llmCallStatus(transient({ status: 503 }), controller.signal)).toBe('cancelled');
  });
});

describe('LlmCallMeter', () => {
  // The clock is faked (timers and performance.now): the durations are exact, whatever the machine's load.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('records once, with overhead = total − upstream and consumer time left out', async () => {
    const metrics = new MetricsService(loadConfig({ METRICS_ENABLED: 'false' }));
    const meter = new LlmMetricsRecorder(metrics).start({ provider: 'local', model: 'm', companyId: 'acme' });
    const upstream = meter.upstream(() => new Promise((resolve) => setTimeout(resolve, 30)));
    await jest.advanceTimersByTimeAsync(30);
    await upstream;
    const handedOver = performance.now();
    await jest.advanceTimersByTimeAsync(60);
    meter.consumer(handedOver);
    meter.succeed(undefined);
    meter.fail(new Error('late'));
    const { body } = await metrics.scrape();
    const labels = 'provider="local",model="m",company_id="acme"';
    expect(body).toContain(`llm_requests_total{${labels},status="success"} 1`);
    expect(body).not.toContain('status="error"');
    const duration = Number(
      new RegExp(`llm_request_duration_seconds_sum\\{${labels}\\} (\\S+)`).exec(body)![1],
    );
    const overhead = Number(new RegExp(`llm_overhead_seconds_sum\\{${labels}\\} (\\S+)`).exec(body)![1]);
    // 30 ms upstream; the 60 ms the consumer held the result are not the call's.
    expect(duration).toBeCloseTo(0.03, 6);
    expect(overhead).toBeCloseTo(0, 6);
  });
});
