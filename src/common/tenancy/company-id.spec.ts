import { assertCompanyId, InvalidCompanyIdError, isCompanyId } from './company-id';

describe('company id rule', () => {
  it('accepts 2-50 characters of a-z, 0-9, _ and -', () => {
    for (const id of ['ab', 'acme', 'acme_eu-2', 'a'.repeat(50)]) expect(isCompanyId(id)).toBe(true);
  });

  it('refuses anything else, naming where the id came from', () => {
    for (const id of ['a', 'a'.repeat(51), 'Acme', 'ac me', '../x', 'acme:1', 42, undefined])
      expect(isCompanyId(id)).toBe(false);
    expect(() => assertCompanyId('../etc', 'job payload companyId')).toThrow(InvalidCompanyIdError);
    expect(() => assertCompanyId('../etc', 'job payload companyId')).toThrow(
      /^job payload companyId "..\/etc" must be 2-50/,
    );
  });
});
