/** Every admin action the audit log names; modules add theirs here (re-index, erasure, retention included). */
export const AUDIT_ACTIONS = [
  'company.created',
  'company.erasure_requested',
  'company.erased',
  'company.exported',
  'api_key.issued',
  'api_key.revoked',
  'cache.invalidated',
  'retention.changed',
  'reindex.started',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
