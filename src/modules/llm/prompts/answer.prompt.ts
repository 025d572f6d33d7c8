import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';
import { formatSources } from './sources.format';

export const answerPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'answer' }>> = {
  purpose: 'answer',
  version: 'answer-v1',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You help a support agent answer a question using only the numbered sources below',
        '(agent replies from similar resolved tickets and knowledge-base passages).',
        'Cite sources as [1], [2]. If the sources do not answer the question, say so plainly.',
        `Answer in ${LANGUAGE_NAME[language]}, the language of the question.`,
      ].join('\n'),
    },
    { role: 'user', content: `Sources:\n${formatSources(request.sources)}\n\nQuestion: ${request.question}` },
  ],
};
