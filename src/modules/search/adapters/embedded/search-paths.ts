import * as path from 'node:path';
import { AppError } from '../../../../common/errors/app-error';

/** Company ids become file names: allow only the API's id alphabet so no path can escape the data folder. */
const SAFE_COMPANY_ID = /^[a-z0-9_-]{1,100}$/;

export function assertSafeCompanyId(companyId: string): void {
  if (!SAFE_COMPANY_ID.test(companyId)) {
    throw AppError.invalid(`company_id '${companyId}' must be 1-100 characters of [a-z0-9_-]`);
  }
}

export function resolveDataDir(dataDir: string): string {
  return path.resolve(dataDir);
}
