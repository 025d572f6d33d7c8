import { ApiKeyEntity } from './api-key.entity';
import { ArticleEntity } from './article.entity';
import { AuditLogEntity } from './audit-log.entity';
import { CompanyEntity } from './company.entity';
import { DeletedItemEntity } from './deleted-item.entity';
import { TicketEntity } from './ticket.entity';

export const ENTITIES = [CompanyEntity, ApiKeyEntity, TicketEntity, ArticleEntity, DeletedItemEntity, AuditLogEntity];
export { ApiKeyEntity, ArticleEntity, AuditLogEntity, CompanyEntity, DeletedItemEntity, TicketEntity };
