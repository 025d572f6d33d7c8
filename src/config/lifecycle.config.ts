import { IsOptional, Matches } from 'class-validator';
import { defineConfig, toInt } from './define-config';
import { IsIntString } from './validators';

class LifecycleEnv {
  @IsOptional() @IsIntString(1) DELETION_GRACE_MS?: string = undefined;
  @IsOptional()
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression of 5 or 6 fields' })
  RETENTION_CRON?: string = undefined;
  @IsOptional() @IsIntString(1) ERASE_BATCH_SIZE?: string = undefined;
}

export interface LifecycleSettings {
  /**
   * How long a purged tombstone is kept before the worker removes the item's index entries a second time and
   * forgets it: longer than any indexing chunk, so a chunk that was writing the item when it was deleted is
   * undone too.
   */
  deletionGraceMs: number;
  /** When the retention job deletes tickets (and ends sessions) past each company's retention. */
  retentionCron: string;
  /** Rows deleted per statement when a company is erased or its tickets expire: bounds each transaction. */
  eraseBatchSize: number;
}

export const lifecycleConfig = defineConfig<LifecycleEnv, LifecycleSettings>(
  'lifecycle',
  LifecycleEnv,
  (env) => ({
    deletionGraceMs: toInt(env.DELETION_GRACE_MS, 600_000),
    retentionCron: env.RETENTION_CRON ?? '15 3 * * *',
    eraseBatchSize: toInt(env.ERASE_BATCH_SIZE, 1_000),
  }),
);
