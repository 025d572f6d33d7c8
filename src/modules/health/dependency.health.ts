import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';

export interface ReadinessResult {
  up: boolean;
  /** Shown as `state`; default `up`, or `degraded` / `down` when not up. */
  state?: string;
  detail?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

/** A check that has not answered within this is reported down (unreachable), never left hanging. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness: one entry per configured dependency with its state, the latency of the check and what its
 * failure does (`on_failure`): `fail` makes readiness 503 (the database, shutting down, the queue in the
 * worker role), `degrade` keeps answering with less (cache, Qdrant and the models fall back to keywords or
 * local models; a missing worker only delays indexing) and is reported as such. Modules register their own
 * checks here.
 */
@Injectable()
export class DependencyHealth {
  private shuttingDown = false;
  private readonly extra = new Map<string, { check: ReadinessCheck; required: boolean }>();

  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  register(name: string, check: ReadinessCheck, options: { required: boolean }): void {
    this.extra.set(name, { check, required: options.required });
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  checks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [
      async () => {
        const session = this.indicator.check('lifecycle');
        return this.shuttingDown
          ? session.down({ state: 'shutting down', on_failure: 'fail' })
          : session.up({ state: 'serving', on_failure: 'fail' });
      },
      this.timed('database', true, async () => {
        const result = await this.db.pingCheck('database', { timeout: 1_500 });
        const { status, ...detail } = result.database ?? { status: 'down' };
        return { up: status === 'up', detail };
      }),
    ];
    const redis = this.redis.client;
    if (redis) {
      checks.push(
        this.timed('redis', false, async () => {
          await redis.ping();
          return { up: true };
        }),
      );
    } else {
      checks.push(async () => this.indicator.check('redis').up({ state: 'embedded (in-memory cache)' }));
    }
    for (const [name, { check, required }] of this.extra) checks.push(this.timed(name, required, check));
    return checks;
  }

  private timed(name: string, required: boolean, check: ReadinessCheck): HealthIndicatorFunction {
    return async () => {
      const session = this.indicator.check(name);
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        check(),
        new Promise<ReadinessResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ up: false, state: 'unreachable', detail: { error: 'timed out' } }),
            CHECK_TIMEOUT_MS,
          );
        }),
      ])
        .catch((error: unknown): ReadinessResult => ({
          up: false,
          state: 'unreachable',
          detail: { error: error instanceof Error ? error.message : String(error) },
        }))
        .finally(() => clearTimeout(timer));
      const entry = {
        state: result.state ?? (result.up ? 'up' : required ? 'down' : 'degraded'),
        latency_ms: Math.round(performance.now() - started),
        on_failure: required ? 'fail' : 'degrade',
        ...result.detail,
      };
      return result.up || !required ? session.up(entry) : session.down(entry);
    };
  }
}
