import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';
import { formatContext, formatHistory, formatSources } from './sources.format';

export const answerPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'answer' }>> = {
  purpose: 'answer',
  version: 'answer-v2',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You help a support agent answer a question using only the numbered sources below',
        '(agent replies from similar resolved tickets and knowledge-base passages).',
        'Cite sources as [1], [2], only by the numbers shown; the current ticket and earlier turns are context,',
        'never cite them. If the sources do not answer the question, say so plainly.',
        `Answer in ${LANGUAGE_NAME[language]}, the language of the question.`,
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        request.context ? formatContext(request.context) : '',
        `Sources:\n${formatSources(request.sources)}`,
        request.history?.length ? formatHistory(request.history) : '',
        `Question: ${request.question}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  ],
};
