import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsPortString } from './validators';

class MetricsEnv {
  @IsOptional() @IsBoolString() METRICS_ENABLED?: string = undefined;
  @IsOptional()
  @Matches(/^(top:([1-9]\d{0,2}|1000)|all|off)$/, {
    message:
      'must be top:K (K from 1 to 1000: the K busiest companies by name, the rest as "other"), all or off',
  })
  METRICS_COMPANY_LABEL?: string = undefined;
  @IsOptional() @IsPortString() METRICS_PORT?: string = undefined;
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' }) METRICS_TOKEN?: string =
    undefined;
}

/** How the company_id label is filled: bounded so per-company series cannot grow with the tenant count. */
export type CompanyLabelMode = { mode: 'top'; k: number } | { mode: 'all' } | { mode: 'off' };

export interface MetricsSettings {
  /** false: no metrics listener, no HTTP or query timing, no process metrics (recording calls still succeed). */
  enabled: boolean;
  /** /metrics is served on its own listener (HOST:METRICS_PORT), never on the public API port. */
  port: number;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
  /** top:K (default K=20) names the K busiest companies and reports the rest as `other`; `all` names every
   *  company (unbounded, small deployments only); `off` reports every company as `redacted`. */
  companyLabel: CompanyLabelMode;
}

export const metricsConfig = defineConfig<MetricsEnv, MetricsSettings>('metrics', MetricsEnv, (env) => ({
  enabled: toBool(env.METRICS_ENABLED, true),
  port: toInt(env.METRICS_PORT, 9464),
  token: env.METRICS_TOKEN,
  companyLabel: parseCompanyLabel(env.METRICS_COMPANY_LABEL ?? 'top:20'),
}));

function parseCompanyLabel(value: string): CompanyLabelMode {
  if (value === 'all' || value === 'off') return { mode: value };
  return { mode: 'top', k: Number.parseInt(value.slice('top:'.length), 10) };
}
