import type { ArticleDto } from '../../src/modules/tickets/dto/article.dto';
import type { TicketDto } from '../../src/modules/tickets/dto/ticket.dto';

let sequence = 0;

/** A valid English ticket; override any field. */
export function ticketFactory(overrides: Partial<TicketDto> = {}): TicketDto {
  sequence += 1;
  return {
    ticket_id: `T-${sequence}`,
    subject: 'Refund not received after 10 days',
    description: 'I returned the jacket two weeks ago and still have not received my refund.',
    status: 'open',
    priority: 'high',
    tags: ['refund', 'billing'],
    created_at: '2024-05-01T09:30:00Z',
    conversations: [
      { from: 'customer', body: 'Where is my refund?', created_at: '2024-05-01T09:30:00Z' },
      { from: 'agent', body: 'Refunds take 5-7 business days after we receive the item.', created_at: '2024-05-01T10:00:00Z' },
    ],
    ...overrides,
  };
}

/** A valid Korean ticket. */
export function koreanTicketFactory(overrides: Partial<TicketDto> = {}): TicketDto {
  return ticketFactory({
    subject: '환불이 아직 처리되지 않았어요',
    description: '2주 전에 상품을 반품했는데 아직 환불을 받지 못했습니다. 확인 부탁드립니다.',
    tags: ['환불'],
    conversations: [{ from: 'customer', body: '환불은 언제 되나요?', created_at: '2024-05-01T09:30:00Z' }],
    ...overrides,
  });
}

export function articleFactory(overrides: Partial<ArticleDto> = {}): ArticleDto {
  sequence += 1;
  return {
    article_id: `KB-${sequence}`,
    title: 'How refunds work',
    body: 'Refunds are issued to the original payment method within 5-7 business days after the return arrives.',
    category: 'billing',
    tags: ['refund'],
    updated_at: '2024-04-01T00:00:00Z',
    ...overrides,
  };
}
