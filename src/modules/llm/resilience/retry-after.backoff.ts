import { ExponentialBackoff, IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { UpstreamError } from '../domain/upstream-error';

type Context = IRetryBackoffContext<unknown>;

/**
 * Cockatiel's exponential backoff (decorrelated jitter), except that a Retry-After sent by the upstream
 * wins when it asks for a longer wait; both are capped at `maxDelay`.
 */
export class RetryAfterBackoff implements IBackoffFactory<Context> {
  private readonly exponential: IBackoffFactory<unknown>;

  constructor(
    private readonly options: { initialDelay: number; maxDelay: number },
    exponential?: IBackoffFactory<unknown>,
  ) {
    this.exponential =
      exponential ??
      new ExponentialBackoff({ initialDelay: options.initialDelay, maxDelay: options.maxDelay });
  }

  next(context: Context): IBackoff<Context> {
    const step = this.exponential.next(context);
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = error instanceof UpstreamError ? error.retryAfterMs : undefined;
    const duration = Math.min(this.options.maxDelay, Math.max(step.duration, retryAfter ?? 0));
    const following = new RetryAfterBackoff(this.options, step);
    return { duration, next: (c: Context) => following.next(c) };
  }
}
