import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response';

const DESCRIPTIONS: Record<number, string> = {
  400: 'invalid input: every failing field is named',
  401: 'missing, invalid or revoked API key',
  403: 'company_id of another company, or not the admin key',
  404: 'unknown id (ids of other companies are unknown too)',
  409: 'already exists',
  413: 'body larger than the limit',
  429: 'rate limited: see Retry-After',
  503: 'a required dependency is down',
};

/** Documents the error responses of a route with the one error shape. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
  );

/** Tenant routes: a company API key as Bearer or X-API-Key. */
export const ApiTenantAuth = () =>
  applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api-key'), ApiErrors(401, 403, 429, 503));
