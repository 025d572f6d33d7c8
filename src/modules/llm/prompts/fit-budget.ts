import { withTexts } from '../domain/numbered-sources';
import type { ChatRequest, NumberedSources } from '../ports/chat-model.port';
import type { TokenCounter } from '../token-counter';

/**
 * Cuts the inputs of a request so the rendered prompt stays within `maxTokens` (minus room for the template):
 * the question or ticket keeps a fixed share, the sources split the rest evenly.
 */
export function fitToBudget(
  request: ChatRequest,
  budget: { maxTokens: number; model: string; tokens: TokenCounter },
): ChatRequest {
  const room = Math.max(64, budget.maxTokens - TEMPLATE_OVERHEAD);
  const cut = (text: string, max: number) =>
    budget.tokens.fit(text, Math.max(1, Math.floor(max)), budget.model);
  const cutSources = (sources: NumberedSources, max: number) =>
    withTexts(sources, (s) => cut(s.text, max / Math.max(1, sources.length)));
  switch (request.purpose) {
    case 'summary':
      return { ...request, text: cut(request.text, room) };
    case 'answer': {
      // The open ticket and earlier turns take a share only when they are in the prompt.
      const context = request.context ? room * 0.15 : 0;
      const history = request.history?.length ? room * 0.15 : 0;
      const perTurn = history / Math.max(1, request.history?.length ?? 1);
      return {
        ...request,
        question: cut(request.question, room * 0.2),
        context: request.context && { ...request.context, text: cut(request.context.text, context) },
        history: request.history?.map((turn) => ({
          question: cut(turn.question, perTurn * 0.3),
          answer: cut(turn.answer, perTurn * 0.7),
        })),
        sources: cutSources(request.sources, room * 0.8 - context - history),
      };
    }
    case 'reply':
      return {
        ...request,
        ticket: {
          ...request.ticket,
          subject: cut(request.ticket.subject, 100),
          body: cut(request.ticket.body, room * 0.35),
        },
        instructions: request.instructions ? cut(request.instructions, room * 0.1) : undefined,
        sources: cutSources(request.sources, room * 0.5),
      };
  }
}

/** System text and source headers of the templates, generously rounded up. */
const TEMPLATE_OVERHEAD = 250;
