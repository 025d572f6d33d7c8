import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';
import { formatSources } from './sources.format';

export const replyPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'reply' }>> = {
  purpose: 'reply',
  version: 'reply-v1',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You draft a reply from a support agent to a customer.',
        'Ground every step in the numbered sources (how similar tickets were resolved, knowledge-base passages);',
        'never promise refunds, dates or actions the sources do not support. Be warm, brief and concrete.',
        `Write the reply in ${LANGUAGE_NAME[language]}, the language of the ticket.`,
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        `Sources:\n${formatSources(request.sources)}`,
        `Ticket subject: ${request.ticket.subject}`,
        `Customer message:\n${request.ticket.body}`,
        request.instructions ? `Agent instructions: ${request.instructions}` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  ],
};
