import { generateTickets } from './generate/support-data.generator';
import { exampleQuestion } from './demo-example';

describe('exampleQuestion (the demo’s suggested /query)', () => {
  const at = '2024-05-01T09:30:00Z';

  it('is the customer’s first question in the conversation, not the agent’s', () => {
    expect(
      exampleQuestion({
        subject: 'GDPR request to erase my data',
        conversations: [
          { from: 'agent', body: 'Do you want us to export your data before deletion?', created_at: at },
          {
            from: 'customer',
            body: 'No thanks. How long does the deletion take? I am in a hurry.',
            created_at: at,
          },
          { from: 'customer', body: 'Will I get an e-mail?', created_at: at },
        ],
      }),
    ).toBe('How long does the deletion take?');
  });

  it('falls back to the subject when the customer asked nothing', () => {
    expect(
      exampleQuestion({
        subject: 'Refund not received',
        conversations: [{ from: 'customer', body: 'I returned it two weeks ago.', created_at: at }],
      }),
    ).toBe('Refund not received');
    expect(exampleQuestion({ subject: 'Refund not received' })).toBe('Refund not received');
  });

  it('finds a Korean question', () => {
    expect(
      exampleQuestion({
        subject: '폰 교체 후 계정에 접속할 수 없어요',
        conversations: [{ from: 'customer', body: '본인 확인은 얼마나 걸리나요?', created_at: at }],
      }),
    ).toBe('본인 확인은 얼마나 걸리나요?');
  });

  it('asks something of the demo’s first English ticket', () => {
    const [first] = [...generateTickets(1, { seed: 7, koreanRatio: 0.3, idPrefix: 'DEMO-' })];
    expect(exampleQuestion(first)).toMatch(/\?$/);
  });
});
