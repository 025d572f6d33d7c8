import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator, HealthIndicatorFunction } from '@nestjs/terminus';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';

export type ReadinessCheck = () => Promise<{ up: boolean; detail?: Record<string, unknown> }>;

/**
 * Readiness: the database is required; other dependencies report their state (a degraded cache or
 * model keeps the service answering, so it is shown but does not fail readiness). Modules register
 * their own checks here.
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
        return this.shuttingDown ? session.down({ state: 'shutting down' }) : session.up({ state: 'serving' });
      },
      () => this.db.pingCheck('database', { timeout: 1_500 }),
    ];
    checks.push(async () => {
      const session = this.indicator.check('redis');
      if (!this.redis.client) return session.up({ mode: 'embedded (in-memory cache)' });
      return session.up({ state: this.redis.ready ? 'connected' : 'degraded: cache misses, per-instance rate limits' });
    });
    for (const [name, { check, required }] of this.extra) {
      checks.push(async () => {
        const session = this.indicator.check(name);
        const result = await check().catch((error: unknown) => ({ up: false, detail: { error: String(error) } }));
        if (result.up || !required) return session.up({ ...result.detail, state: result.up ? 'connected' : 'degraded' });
        return session.down(result.detail);
      });
    }
    return checks;
  }
}
