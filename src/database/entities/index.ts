import { ApiKeyEntity } from './api-key.entity';
import { ArticleEntity } from './article.entity';
import { CompanyEntity } from './company.entity';
import { TicketEntity } from './ticket.entity';

export const ENTITIES = [CompanyEntity, ApiKeyEntity, TicketEntity, ArticleEntity];
export { ApiKeyEntity, ArticleEntity, CompanyEntity, TicketEntity };
