import { AgentPreferencesEntity } from './agent-preferences.entity';
import { ApiKeyEntity } from './api-key.entity';
import { ArticleEntity } from './article.entity';
import { AssistSessionEntity } from './assist-session.entity';
import { AuditLogEntity } from './audit-log.entity';
import { CompanyEntity } from './company.entity';
import { DeletedItemEntity } from './deleted-item.entity';
import { TicketEntity } from './ticket.entity';

export const ENTITIES = [
  CompanyEntity,
  ApiKeyEntity,
  TicketEntity,
  ArticleEntity,
  DeletedItemEntity,
  AuditLogEntity,
  AssistSessionEntity,
  AgentPreferencesEntity,
];
export {
  AgentPreferencesEntity,
  ApiKeyEntity,
  ArticleEntity,
  AssistSessionEntity,
  AuditLogEntity,
  CompanyEntity,
  DeletedItemEntity,
  TicketEntity,
};
