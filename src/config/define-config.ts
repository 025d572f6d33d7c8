import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

type Env = Record<string, string | undefined>;

/**
 * One configuration namespace: a class-validator class over the raw environment variables it owns,
 * and a mapping from the validated variables to a typed slice of the config tree.
 */
export interface ConfigNamespace<T> {
  readonly name: string;
  load(env: Env): { value?: T; errors: string[] };
}

export function defineConfig<E extends object, T>(
  name: string,
  envClass: new () => E,
  map: (env: E, raw: Env) => T,
): ConfigNamespace<T> {
  return {
    name,
    load(raw: Env) {
      const known = Object.keys(new envClass());
      const picked: Record<string, string> = {};
      for (const key of known) {
        const value = raw[key];
        if (value !== undefined && value !== '') picked[key] = value;
      }
      const instance = plainToInstance(envClass, picked, { enableImplicitConversion: false });
      const errors = validateSync(instance, { forbidUnknownValues: false }).flatMap((e) => describe(e, raw));
      if (errors.length > 0) return { errors };
      return { value: map(instance, raw), errors: [] };
    },
  };
}

function describe(error: ValidationError, raw: Env): string[] {
  const got = raw[error.property];
  return Object.values(error.constraints ?? {}).map(
    (message) => `${error.property}: ${message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`,
  );
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Env values are strings; these turn them into typed values after validation. */
export const toInt = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : Number.parseInt(value, 10);
export const toFloat = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : Number.parseFloat(value);
export const toBool = (value: string | undefined, fallback: boolean): boolean =>
  value === undefined ? fallback : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
