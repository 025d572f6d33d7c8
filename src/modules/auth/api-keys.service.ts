import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { AppError } from '../../common/errors/app-error';
import { isDatabaseConnectionError } from '../../common/errors/database-errors';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { KeyResolutionCache } from './domain/key-resolution-cache';
import { generateApiKey, hashApiKey, hashesEqual, parseApiKeyPrefix } from './domain/api-key';
import { Revocation, RevocationChannel } from './ports/revocation-channel.port';

export interface ResolvedKey {
  companyId: string;
  keyId: string;
}

const MAX_CACHED_KEYS = 10_000;
/** While the database is away, one request per key and per this long tries it again; the others answer stale. */
const RETRY_AFTER_ERROR_MS = 1_000;
/** A key with a usable last answer waits at most this long for the database (a silent one hangs until timeouts). */
const STALE_WAIT_MS = 250;

/**
 * Issues, revokes and resolves API keys. Resolution is cached in process for `authCacheTtlMs` (1 s by
 * default), so an authenticated request costs no database round trip. A revocation is announced to every
 * instance (RevocationChannel: Redis pub/sub in services mode), which refuses the key from the moment it hears
 * of it; an announcement lost while Redis is away still takes effect within that second once the entry
 * expires. When the database cannot be reached, a key confirmed within `authStaleMaxMs` is still accepted (see
 * KeyResolutionCache); a key seen revoked or unknown is not.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache: KeyResolutionCache<ResolvedKey>;
  /**
   * One database lookup per key at a time: when its entry expires under load, the requests that arrive meanwhile
   * share it instead of each querying. A revocation starts a new round: later callers never join a lookup that
   * began before it, and such a lookup is not cached (it may have read the key as active).
   */
  private readonly lookups = new Map<string, Promise<ResolvedKey | null>>();
  private revocations = 0;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly companies: CompanyRepository,
    private readonly config: AppConfig,
    private readonly revocationChannel: RevocationChannel,
  ) {
    this.cache = new KeyResolutionCache<ResolvedKey>({
      freshMs: config.app.authCacheTtlMs,
      maxStaleMs: config.app.authStaleMaxMs,
      maxEntries: MAX_CACHED_KEYS,
      retryAfterErrorMs: RETRY_AFTER_ERROR_MS,
    });
    revocationChannel.subscribe((revocation) => this.refuse(revocation));
  }

  async createCompany(input: {
    companyId: string;
    name: string;
  }): Promise<{ companyId: string; apiKey: string }> {
    const generated = generateApiKey();
    const created = await this.companies.createWithKey(
      { id: input.companyId, name: input.name },
      this.keyEntity(input.companyId, generated),
    );
    if (!created) throw new AppError('conflict', `company '${input.companyId}' already exists`);
    return { companyId: input.companyId, apiKey: generated.key };
  }

  async issueKey(companyId: string): Promise<{ apiKey: string; keyId: string }> {
    const erasing = await this.companies.erasingSince(companyId);
    if (erasing === undefined) throw AppError.notFound('company', companyId);
    if (erasing) throw new AppError('conflict', `company '${companyId}' is being erased: no new keys`);
    const generated = generateApiKey();
    const entity = this.keyEntity(companyId, generated);
    await this.keys.insert(entity);
    return { apiKey: generated.key, keyId: entity.id };
  }

  async revokeKey(input: { companyId: string; keyId: string }): Promise<{ keyId: string; revokedAt: Date }> {
    const revokedAt = new Date();
    if (!(await this.keys.revoke(input.companyId, input.keyId, revokedAt))) {
      throw AppError.notFound('api key', input.keyId);
    }
    this.refuse({ keyId: input.keyId });
    this.announce({ keyId: input.keyId });
    return { keyId: input.keyId, revokedAt };
  }

  /**
   * Company erasure: marks the company erasing and revokes all its keys in one transaction; this instance
   * refuses them at once (even while its database is away), every other one when the announcement arrives.
   */
  async revokeCompany(companyId: string): Promise<{ since: Date; revoked: number } | undefined> {
    const marked = await this.companies.markErasing(companyId, new Date());
    if (marked) this.forgetCompany(companyId);
    return marked;
  }

  /** Erasure: this instance refuses the company's keys from now on (they are being deleted). */
  forgetCompany(companyId: string): void {
    this.refuse({ companyId });
    this.announce({ companyId });
  }

  /** From now on this instance refuses the key (or the company's keys), whatever it had cached. */
  private refuse(revocation: Revocation): void {
    this.revocations += 1;
    const matches =
      'keyId' in revocation
        ? (key: ResolvedKey) => key.keyId === revocation.keyId
        : (key: ResolvedKey) => key.companyId === revocation.companyId;
    this.cache.revokeWhere(matches, Date.now());
  }

  /** Tells the other instances; not awaited by the caller (the revocation is stored and refused here already). */
  private announce(revocation: Revocation): void {
    this.revocationChannel
      .publish(revocation)
      .catch((error: Error) =>
        this.logger.warn(
          `revocation not announced (${error.message}): other instances refuse it once their cached entry expires`,
        ),
      );
  }

  async resolve(apiKey: string): Promise<ResolvedKey | null> {
    const hash = hashApiKey(apiKey);
    const decision = this.cache.decide(hash, Date.now());
    if (decision.kind === 'answer') return decision.value;
    const round = `${this.revocations}\n${hash}`;
    let lookup = this.lookups.get(round);
    if (!lookup) {
      lookup = this.lookUp(apiKey, hash).finally(() => this.lookups.delete(round));
      this.lookups.set(round, lookup);
    }
    if (!decision.fallback) return lookup;
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), STALE_WAIT_MS);
    });
    // The lookup goes on in the background when it is slow; its failure is handled by whoever waits on it.
    lookup.catch(() => undefined);
    try {
      const answered = await Promise.race([lookup, slow]);
      if (answered !== 'slow') return answered;
      this.cache.refreshFailed(hash, Date.now());
      return decision.fallback.value;
    } catch (error) {
      if (!isDatabaseConnectionError(error)) throw error;
      this.cache.refreshFailed(hash, Date.now());
      this.logger.warn(
        `database unreachable: API key ${apiKey.slice(0, 11)}… answered from the in-process cache`,
      );
      return decision.fallback.value;
    } finally {
      clearTimeout(timer);
    }
  }

  private async lookUp(apiKey: string, hash: string): Promise<ResolvedKey | null> {
    const round = this.revocations;
    const prefix = parseApiKeyPrefix(apiKey);
    let value: ResolvedKey | null = null;
    if (prefix) {
      const match = (await this.keys.findActiveByPrefix(prefix)).find((k) => hashesEqual(k.hash, hash));
      value = match ? { companyId: match.companyId, keyId: match.id } : null;
    }
    if (round === this.revocations) this.cache.store(hash, value, Date.now());
    return value;
  }

  private keyEntity(companyId: string, generated: { prefix: string; hash: string }) {
    return {
      id: randomUUID(),
      companyId,
      prefix: generated.prefix,
      hash: generated.hash,
      createdAt: new Date(),
      revokedAt: null,
    };
  }
}
