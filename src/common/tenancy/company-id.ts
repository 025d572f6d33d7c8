import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';

/**
 * The one company-id rule: 2-50 characters of a-z, 0-9, _ and -. Ids reach cache keys, Redis keys, file
 * names (embedded index) and job payloads, so every one of those checks this same rule.
 */
export const COMPANY_ID_PATTERN = /^[a-z0-9_-]{2,50}$/;
const COMPANY_ID_RULE = '2-50 characters of a-z, 0-9, _ and -';

export function isCompanyId(value: unknown): value is string {
  return typeof value === 'string' && COMPANY_ID_PATTERN.test(value);
}

/** The error for an id that breaks the rule, naming it (`what`: where it came from). */
export class InvalidCompanyIdError extends Error {
  constructor(value: unknown, what = 'company_id') {
    super(`${what} ${JSON.stringify(value)} must be ${COMPANY_ID_RULE}`);
    this.name = 'InvalidCompanyIdError';
  }
}

export function assertCompanyId(value: unknown, what?: string): asserts value is string {
  if (!isCompanyId(value)) throw new InvalidCompanyIdError(value, what);
}

/** Validates a DTO member as a company id (a 400 naming the member). */
export const IsCompanyId = () =>
  applyDecorators(
    IsString(),
    Matches(COMPANY_ID_PATTERN, { message: `$property must be ${COMPANY_ID_RULE}` }),
  );
