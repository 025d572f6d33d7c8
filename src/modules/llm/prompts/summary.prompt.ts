import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';

export const summaryPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'summary' }>> = {
  purpose: 'summary',
  version: 'summary-v1',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You summarize customer support tickets for the agents who handle them.',
        'State the customer problem, what was tried, and the current state or resolution, in at most 3 sentences.',
        'Keep product names, order numbers and error messages exactly. Do not invent facts.',
        `Write the summary in ${LANGUAGE_NAME[language]}.`,
      ].join('\n'),
    },
    { role: 'user', content: request.text },
  ],
};
