import { renderPrompt, templateVersion } from '.';

const sources = [
  {
    ref: 1,
    id: 'ticket:T-1',
    kind: 'ticket' as const,
    title: 'Refund',
    text: 'Refunds take 5 business days.',
  },
];

/** Snapshots make every wording change visible in review; bump the template version with it. */
describe('prompt templates', () => {
  it.each([
    [
      'summary',
      renderPrompt({ companyId: 'c', priority: 'background', purpose: 'summary', text: 'Ticket text' }, 'en'),
    ],
    [
      'answer',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'answer',
          question: '환불은 언제 되나요?',
          sources,
        },
        'ko',
      ),
    ],
    [
      'reply',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'reply',
          ticket: { subject: 'Refund', body: 'Where is my refund?' },
          sources,
          instructions: 'Be brief',
        },
        'en',
      ),
    ],
    [
      'answer',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'answer',
          question: 'and how long does that take?',
          sources,
          context: { title: 'Jacket refund', text: 'Returned a jacket on May 2.' },
          history: [{ question: 'How do I return an item?', answer: 'Print the label.' }],
        },
        'en',
      ),
    ],
    [
      'reply',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'reply',
          ticket: { subject: 'Refund', body: 'Where is my refund?' },
          sources,
          preferences: { language: 'ko', tone: 'formal', signature: 'Jane\nAcme Support', maxWords: 120 },
        },
        'en',
      ),
    ],
    [
      'reply',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'reply',
          ticket: { subject: 'Refund', body: 'Where is my refund?' },
          sources,
          instructions: 'Be formal.',
          draft: 'Hi! Refunds take 5 business days [1].',
        },
        'en',
      ),
    ],
    [
      'answer',
      renderPrompt(
        {
          companyId: 'c',
          priority: 'interactive',
          purpose: 'answer',
          question: 'How long will this refund take?',
          sources,
          context: { title: 'Jacket refund', text: 'Returned a jacket on May 2.' },
          generalAnswer: 'Refunds take 5 business days [1].',
        },
        'en',
      ),
    ],
  ])('%s', (purpose, messages) => {
    expect({ version: templateVersion(purpose as 'summary'), messages }).toMatchSnapshot();
  });
});
