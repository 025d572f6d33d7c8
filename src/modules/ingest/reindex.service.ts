import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { EmbedderVersions } from '../search/embedder-versions.service';
import { SearchDataType } from '../search/domain/search-document';
import { VectorIndex } from '../search/ports/vector-index.port';
import type { ArticleRow, TicketRow } from './domain/index-documents';
import type { DataType } from '../jobs/jobs';
import { IndexingRepository } from './indexing.repository';
import { IndexingService } from './indexing.service';

const PAGE = 200;
/** After a switch, other instances notice it within EmbedderVersions' re-check; rows they indexed meanwhile are caught up after it. */
const OTHER_INSTANCES_NOTICE_MS = 6_000;

const TYPES: Array<{ type: DataType; searchType: SearchDataType }> = [
  { type: 'tickets', searchType: 'ticket' },
  { type: 'articles', searchType: 'article' },
];

export interface ReindexRun {
  id: string;
  companyId?: string;
  startedAt: Date;
  finishedAt?: Date;
  vectors: number;
  error?: string;
}

/**
 * Rebuilds vectors with the configured embedder from the summaries stored at indexing (no summarizing again),
 * in the background of the process that was asked. All companies: into a new collection per type, which then
 * becomes the active one (the old one is dropped); rows indexed meanwhile are caught up after the switch. One
 * company: its vectors are rewritten in the active collection, which must already hold this embedder's vectors
 * (a model change needs the collection-wide rebuild).
 */
@Injectable()
export class ReindexService {
  private readonly logger = new Logger('Reindex');
  private running: Promise<void> | undefined;
  private lastRun: ReindexRun | undefined;

  constructor(
    private readonly repository: IndexingRepository,
    private readonly indexing: IndexingService,
    private readonly vectors: VectorIndex,
    private readonly versions: EmbedderVersions,
    private readonly config: AppConfig,
  ) {}

  get run(): ReindexRun | undefined {
    return this.lastRun;
  }

  async start(input: { companyId?: string }): Promise<ReindexRun> {
    if (this.running)
      throw new AppError(ErrorCode.Conflict, 'a re-index is already running in this instance');
    await this.versions.refresh();
    if (input.companyId && this.versions.status().state === 'reindex_needed') {
      throw new AppError(
        ErrorCode.Conflict,
        'the embedding model changed: re-index every company at once (no company_id) so the collections can switch',
      );
    }
    const run: ReindexRun = { id: randomUUID(), companyId: input.companyId, startedAt: new Date(), vectors: 0 };
    this.lastRun = run;
    this.versions.markRebuilding(true);
    this.running = (input.companyId ? this.rewriteCompany(run, input.companyId) : this.rebuildAll(run))
      .catch((error: unknown) => {
        run.error = error instanceof Error ? error.message : String(error);
        this.logger.error(`re-index failed: ${run.error}`);
      })
      .finally(async () => {
        run.finishedAt = new Date();
        this.versions.markRebuilding(false);
        await this.versions.refresh().catch(() => undefined);
        this.running = undefined;
      });
    return run;
  }

  private async rebuildAll(run: ReindexRun): Promise<void> {
    const embedder = this.versions.embedder;
    const companies = await this.repository.companyIds();
    for (const { type, searchType } of TYPES) {
      const collection = await this.vectors.createCollection(searchType, embedder);
      try {
        for (const companyId of companies) {
          run.vectors += await this.walk(companyId, type, {}, (rows) =>
            this.indexing.reembed({ companyId, type, rows, collection }),
          );
        }
        await this.vectors.activate(searchType, collection);
      } catch (error) {
        await this.vectors.dropCollection(searchType, collection).catch(() => undefined);
        throw error;
      }
    }
    this.indexing.forgetEnsuredCollections();
    await this.versions.refresh();
    // Rows indexed while the rebuild ran went to the old collection (or none): written again into the new one,
    // once more after other instances had time to notice the switch.
    const waits = this.config.search.vectorStore === 'qdrant' ? [0, OTHER_INSTANCES_NOTICE_MS] : [0];
    for (const wait of waits) {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      for (const { type } of TYPES) {
        for (const companyId of companies) {
          run.vectors += await this.walk(companyId, type, { since: run.startedAt }, (rows) =>
            this.indexing.reembed({ companyId, type, rows }),
          );
        }
      }
    }
    this.logger.log(
      `re-index of ${companies.length} companies done: ${run.vectors} vectors with ${embedder.model}`,
    );
  }

  private async rewriteCompany(run: ReindexRun, companyId: string): Promise<void> {
    for (const { type } of TYPES) {
      run.vectors += await this.walk(companyId, type, {}, (rows) =>
        this.indexing.reembed({ companyId, type, rows }),
      );
    }
  }

  /** Every indexed row of one company and type, page by page. */
  private async walk(
    companyId: string,
    type: DataType,
    indexed: { since?: Date },
    write: (rows: Array<TicketRow | ArticleRow>) => Promise<number>,
  ): Promise<number> {
    let written = 0;
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.repository.scan(type, { companyId, indexed, after, limit: PAGE });
      if (rows.length === 0) return written;
      written += await write(rows);
      const last = rows[rows.length - 1];
      after = { updatedAt: last.updatedAt, id: last.id };
    }
  }
}
