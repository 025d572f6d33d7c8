import { AppError } from '../../../../common/errors/app-error';
import { InvalidCompanyIdError, isCompanyId } from '../../../../common/tenancy/company-id';

/** Company ids become file names: only the API's id rule, so no path can escape the data folder. */
export function assertSafeCompanyId(companyId: string): void {
  if (!isCompanyId(companyId)) throw AppError.invalid(new InvalidCompanyIdError(companyId).message);
}
