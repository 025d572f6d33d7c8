import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';
import { citedSourceHeaders, formatContext, formatHistory, formatSources } from './sources.format';

export const answerPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'answer' }>> = {
  purpose: 'answer',
  /** v3: provider-cache layout (static system text, then sources, then the case) and the prompt budget. */
  version: 'answer-v3',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You help a support agent answer a question using only the numbered sources below',
        '(agent replies from similar resolved tickets and knowledge-base passages).',
        'Cite sources as [1], [2], only by the numbers shown; the current ticket and earlier turns are context,',
        'never cite them. If the sources do not answer the question, say so plainly.',
        'Answer in the language named after the question.',
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        // What many prompts share comes first, so a provider's prefix cache can serve it; the case comes last.
        ...(request.generalAnswer
          ? [
              `General answer to this question from the knowledge base, for no ticket in particular:\n${request.generalAnswer}`,
              citedSourceHeaders(request.sources, request.generalAnswer),
            ]
          : [`Sources:\n${formatSources(request.sources)}`]),
        request.context ? formatContext(request.context) : '',
        request.history?.length ? formatHistory(request.history) : '',
        request.generalAnswer
          ? 'Adapt the general answer to the current ticket: keep its citations where its statements stay, and add no fact that neither it nor the ticket states.'
          : '',
        `Question: ${request.question}\nAnswer in ${LANGUAGE_NAME[language]}.`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  ],
};
