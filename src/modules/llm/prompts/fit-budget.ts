import type { ChatRequest, GroundingSource } from '../ports/chat-model.port';
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
    budget.tokens.truncate(text, Math.max(1, Math.floor(max)), budget.model).text;
  const cutSources = (sources: GroundingSource[], max: number) =>
    sources.map((s) => ({ ...s, text: cut(s.text, max / Math.max(1, sources.length)) }));
  switch (request.purpose) {
    case 'summary':
      return { ...request, text: cut(request.text, room) };
    case 'answer':
      return {
        ...request,
        question: cut(request.question, room * 0.25),
        sources: cutSources(request.sources, room * 0.75),
      };
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
