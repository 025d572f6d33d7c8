import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SingleFlight } from '../../common/async/single-flight';
import { AppConfig } from '../../config/config';
import { AppError } from '../../common/errors/app-error';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { generateApiKey, hashApiKey, hashesEqual, parseApiKeyPrefix } from './domain/api-key';

export interface ResolvedKey {
  companyId: string;
  keyId: string;
}

interface CacheEntry {
  value: ResolvedKey | null;
  expiresAt: number;
}

const MAX_CACHED_KEYS = 10_000;

/**
 * Issues, revokes and resolves API keys. Resolution is cached in process for `authCacheTtlMs` (1 s by
 * default), so an authenticated request costs no database round trip while a revocation still reaches
 * every instance within that second.
 */
@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lookups = new SingleFlight();
  private revocations = 0;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly companies: CompanyRepository,
    private readonly config: AppConfig,
  ) {}

  async createCompany(input: { companyId: string; name: string }): Promise<{ companyId: string; apiKey: string }> {
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
    this.revocations += 1;
    for (const [key, entry] of this.cache) if (entry.value?.keyId === input.keyId) this.cache.delete(key);
    return { keyId: input.keyId, revokedAt };
  }

  /**
   * Company erasure, first step: marks the company erasing and revokes all its keys at once. This instance stops
   * accepting them now; every other one when its cached resolution expires (authCacheTtlMs, 1 s by default).
   * Undefined when there is no such company.
   */
  async revokeCompany(companyId: string): Promise<{ since: Date; revoked: number } | undefined> {
    const marked = await this.companies.markErasing(companyId, new Date());
    if (marked) this.forgetCompany(companyId);
    return marked;
  }

  /** Drops this instance's cached resolutions of the company's keys. */
  forgetCompany(companyId: string): void {
    for (const [key, entry] of this.cache) if (entry.value?.companyId === companyId) this.cache.delete(key);
  }

  async resolve(apiKey: string): Promise<ResolvedKey | null> {
    const now = Date.now();
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.value;

    // One lookup per key at a time: when its cached entry expires under load, the requests that arrive meanwhile
    // share it instead of each querying. A revocation starts a new round: later callers never join, and a
    // lookup that began before it is not cached (it may have read the key as active).
    const round = this.revocations;
    return this.lookups.run(`${round}\n${hash}`, async () => {
      const prefix = parseApiKeyPrefix(apiKey);
      let value: ResolvedKey | null = null;
      if (prefix) {
        const match = (await this.keys.findActiveByPrefix(prefix)).find((k) => hashesEqual(k.hash, hash));
        value = match ? { companyId: match.companyId, keyId: match.id } : null;
      }
      if (round !== this.revocations) return value;
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, { value, expiresAt: now + this.config.app.authCacheTtlMs });
      return value;
    });
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
