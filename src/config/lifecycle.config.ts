import { IsOptional } from 'class-validator';
import { defineConfig, toInt } from './define-config';
import { IsIntString } from './validators';

class LifecycleEnv {
  @IsOptional() @IsIntString(1) DELETION_GRACE_MS?: string = undefined;
}

export interface LifecycleSettings {
  /**
   * How long a purged tombstone is kept before the worker removes the item's index entries a second time and
   * forgets it: longer than any indexing chunk, so a chunk that was writing the item when it was deleted is
   * undone too.
   */
  deletionGraceMs: number;
}

export const lifecycleConfig = defineConfig<LifecycleEnv, LifecycleSettings>('lifecycle', LifecycleEnv, (env) => ({
  deletionGraceMs: toInt(env.DELETION_GRACE_MS, 600_000),
}));
