import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { AuditLogEntity } from '../../database/entities';
import { AuditRepository } from './audit.repository';
import type { AuditAction } from './domain/audit-actions';
import { decodeAuditCursor, encodeAuditCursor } from './domain/audit-cursor';
import type { AuditEntryDto, AuditPageDto } from './dto/audit.dto';

export interface AuditRecord {
  /** The acting key's id: `admin:<fingerprint>` for the admin key, `system` for scheduled work. */
  actorKeyId: string;
  action: AuditAction;
  /** The company acted on, when there is one (also the filter of GET /api/v1/admin/audit). */
  companyId?: string;
  /** What was acted on: `company/acme`, `api_key/<id>`, `cache/acme`. */
  target: string;
  details?: Record<string, unknown>;
}

const DEFAULT_PAGE = 50;

/**
 * The audit trail of admin actions: who, when, what, on which target. `record` is for every module that runs an
 * admin action; a write that fails fails the action (an admin action must not go unrecorded).
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  /** The last `at` written here: entries of one instance never share a time, so their order is their order. */
  private lastAt = 0;

  constructor(private readonly repository: AuditRepository) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.repository.insert(
      Object.assign(new AuditLogEntity(), {
        id: randomUUID(),
        at: this.nextAt(),
        actorKeyId: entry.actorKeyId,
        action: entry.action,
        companyId: entry.companyId ?? null,
        target: entry.target,
        details: entry.details ?? null,
      }),
    );
    this.logger.log(`${entry.action} ${entry.target} by ${entry.actorKeyId}`);
  }

  private nextAt(): Date {
    this.lastAt = Math.max(Date.now(), this.lastAt + 1);
    return new Date(this.lastAt);
  }

  async list(query: {
    companyId?: string;
    action?: string;
    cursor?: string;
    limit?: number;
  }): Promise<AuditPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    let before: { at: Date; id: string } | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeAuditCursor(query.cursor);
      if (!cursor) throw AppError.invalid(['cursor is not a valid next_cursor from this API']);
      before = { at: new Date(cursor.at), id: cursor.id };
    }
    const rows = await this.repository.page({
      companyId: query.companyId,
      action: query.action,
      before,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toEntry),
      next_cursor:
        rows.length > limit && last ? encodeAuditCursor({ at: last.at.toISOString(), id: last.id }) : null,
    };
  }
}

function toEntry(row: AuditLogEntity): AuditEntryDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor_key_id: row.actorKeyId,
    action: row.action,
    company_id: row.companyId,
    target: row.target,
    details: row.details,
  };
}
