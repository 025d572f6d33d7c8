/** A revoked API key, or every key of a company being erased. */
export type Revocation = { keyId: string } | { companyId: string };

/**
 * Port: tells every API instance of a revocation at once. An instance caches key resolutions (1 s fresh, and
 * stale-if-error while the database is away); without the announcement another instance would accept a revoked
 * key until its entry expires, or for as long as the database stays unreachable. Delivery is best effort: an
 * announcement lost while the channel is away is covered by the fresh window when the database answers.
 */
export abstract class RevocationChannel {
  abstract publish(revocation: Revocation): Promise<void>;
  /** Every revocation announced by any instance (this one included) from now on. */
  abstract subscribe(listener: (revocation: Revocation) => void): void;
}

/** The announcement's wire format, checked on receipt: anything else on the channel is ignored. */
export function parseRevocation(message: string): Revocation | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value.keyId === 'string' && value.keyId.length > 0) return { keyId: value.keyId };
    if (typeof value.companyId === 'string' && value.companyId.length > 0)
      return { companyId: value.companyId };
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}
