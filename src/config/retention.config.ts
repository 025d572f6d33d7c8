import { IsOptional, Matches } from 'class-validator';
import { defineConfig, toInt } from './define-config';

class RetentionEnv {
  @IsOptional()
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression of 5 or 6 fields, e.g. "20 * * * *"' })
  RETENTION_CRON?: string = undefined;
  @IsOptional()
  @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'must be a whole number between 1 and 1000' })
  RETENTION_BATCH_SIZE?: string = undefined;
}

export interface RetentionSettings {
  /** When worker roles enqueue the retention runs of the companies with a tickets policy (server time zone). */
  cron: string;
  /** Tickets deleted per transaction (and per deletion event) by a retention run. */
  batchSize: number;
}

export const retentionConfig = defineConfig<RetentionEnv, RetentionSettings>(
  'retention',
  RetentionEnv,
  (env) => ({
    cron: env.RETENTION_CRON ?? '20 * * * *',
    batchSize: toInt(env.RETENTION_BATCH_SIZE, 500),
  }),
);
