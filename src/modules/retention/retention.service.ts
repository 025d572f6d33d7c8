import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { AuditService } from '../audit/audit.service';
import { IngestProducer } from '../ingest/ingest.producer';
import type { RetentionResult } from '../jobs/jobs';
import { TicketRepository } from '../tickets/ticket.repository';
import { TicketsService } from '../tickets/tickets.service';
import { ticketsCutoff } from './domain/retention-window';
import type { RetentionPolicyDto, RetentionPolicyViewDto } from './dto/retention.dto';
import { RetentionPolicy, RetentionPolicyRepository } from './retention-policy.repository';

/**
 * Retention policies (`tickets_days`, `sessions_hours` on the company) and the run that applies the tickets
 * one. Sessions are not deleted here: the session store reads `sessions_hours` and expires sessions itself.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly policies: RetentionPolicyRepository,
    private readonly tickets: TicketRepository,
    private readonly ticketsService: TicketsService,
    private readonly producer: IngestProducer,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async getPolicy(companyId: string): Promise<RetentionPolicyViewDto> {
    const policy = await this.policies.find(companyId);
    if (!policy) throw AppError.notFound('company', companyId);
    return toView(companyId, policy);
  }

  async setPolicy(input: {
    companyId: string;
    actorKeyId: string;
    body: RetentionPolicyDto;
  }): Promise<RetentionPolicyViewDto> {
    const { companyId, body } = input;
    if (body.tickets_days === undefined && body.sessions_hours === undefined) {
      throw AppError.invalid(['set tickets_days or sessions_hours (null clears one)']);
    }
    const updated = await this.policies.update(companyId, {
      ticketsDays: body.tickets_days,
      sessionsHours: body.sessions_hours,
    });
    if (!updated) throw AppError.notFound('company', companyId);
    await this.audit.record({
      actorKeyId: input.actorKeyId,
      action: 'retention.changed',
      companyId,
      target: `company/${companyId}`,
      details: { before: toPolicyFields(updated.before), after: toPolicyFields(updated.after) },
    });
    return toView(companyId, updated.after);
  }

  /**
   * Deletes the company's tickets last updated before `asOf` minus its `tickets_days`, in batches, through the
   * same path as DELETE /api/v1/tickets: row and tombstone in one transaction, the deletion event (cache
   * generations bumped on every instance), then a purge of the vector and keyword entries (the reconciler
   * enqueues it again if this one is lost). The policy is read now, so a policy cleared since the tick deletes
   * nothing.
   */
  async applyTicketRetention(input: { companyId: string; asOf: Date }): Promise<RetentionResult> {
    const { companyId, asOf } = input;
    const policy = await this.policies.find(companyId);
    if (!policy || policy.ticketsDays === null) return { ticketsDays: null, cutoff: null, deleted: 0 };
    const cutoff = ticketsCutoff(asOf, policy.ticketsDays);
    let deleted = 0;
    for (;;) {
      const ids = await this.tickets.idsUpdatedBefore(companyId, cutoff, this.config.retention.batchSize);
      if (ids.length === 0) break;
      const batch = await this.ticketsService.deleteTickets(companyId, ids);
      deleted += batch.deleted;
      // All of them deleted by someone else meanwhile: the next read would find the same nothing-to-do.
      if (batch.deleted === 0) break;
      // Let requests in between batches (embedded mode shares the event loop).
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (deleted > 0) {
      await this.producer.requestPurge(companyId).catch((error: unknown) => {
        this.logger.warn(`purge of ${companyId} not enqueued (the reconciler will): ${String(error)}`);
      });
      this.logger.log(
        `company ${companyId}: ${deleted} tickets last updated before ${cutoff.toISOString()} deleted (${policy.ticketsDays} days)`,
      );
    }
    return { ticketsDays: policy.ticketsDays, cutoff: cutoff.toISOString(), deleted };
  }
}

function toPolicyFields(policy: RetentionPolicy) {
  return { tickets_days: policy.ticketsDays, sessions_hours: policy.sessionsHours };
}

function toView(companyId: string, policy: RetentionPolicy): RetentionPolicyViewDto {
  return { company_id: companyId, ...toPolicyFields(policy) };
}
