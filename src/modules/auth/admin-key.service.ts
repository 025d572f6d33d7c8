import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { secretsEqual } from './domain/api-key';

/**
 * The admin key: ADMIN_API_KEY when set (required in services mode). In embedded mode without it, one is
 * generated on first start, kept in the data folder (mode 0600) and printed once.
 */
@Injectable()
export class AdminKeyService implements OnModuleInit {
  private readonly logger = new Logger('AdminKey');
  private key: string | undefined;
  /** Set when this start generated the key, so bootstrap can print it once. */
  generatedKey: string | undefined;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.key = this.config.app.adminApiKey;
    if (this.key || this.config.mode !== 'embedded') return;
    const dir = resolve(this.config.app.dataDir);
    const file = join(dir, 'admin-api-key');
    if (existsSync(file)) {
      this.key = readFileSync(file, 'utf8').trim();
      return;
    }
    mkdirSync(dir, { recursive: true });
    this.key = `sc_admin_${randomBytes(32).toString('base64url')}`;
    writeFileSync(file, this.key + '\n', { mode: 0o600 });
    this.generatedKey = this.key;
    this.logger.log(`generated an admin API key in ${file}`);
  }

  /** The admin key's id in the audit log: a fingerprint (never the key), stable across instances. */
  get keyId(): string {
    return `admin:${createHash('sha256').update(this.key ?? '').digest('hex').slice(0, 12)}`;
  }

  matches(given: string): boolean {
    return this.key !== undefined && secretsEqual(given, this.key);
  }
}
