import { withTexts } from '../domain/numbered-sources';
import { focusSources, focusText, TextMeasure } from '../domain/source-focus';
import type { ChatRequest, ConversationTurn, NumberedSources } from '../ports/chat-model.port';
import type { TokenCounter } from '../token-counter';

/**
 * The prompt budget, in tokens of the model's tokenizer. Each source keeps the sentences that match the
 * question (or the ticket a reply answers), shown once across sources; the open ticket as context keeps the
 * sentences that match the question; of earlier turns, the last answer keeps more than older ones. Measured
 * on the cost bench's workload: see README "Prompt budget".
 */
export const PROMPT_BUDGET = {
  answerSourceTokens: 80,
  replySourceTokens: 100,
  contextTokens: 120,
  lastAnswerTokens: 120,
  earlierAnswerTokens: 40,
  turnQuestionTokens: 60,
} as const;

/**
 * Fits the inputs of a request to the prompt budget, then cuts them so the rendered prompt stays within
 * `maxTokens` (minus room for the template): the question or ticket keeps a fixed share, the sources split
 * the rest evenly. Deterministic in the request: cache keys built on the request's inputs cover the prompt.
 */
export function fitToBudget(
  request: ChatRequest,
  budget: { maxTokens: number; model: string; tokens: TokenCounter },
): ChatRequest {
  return fitToMaxTokens(focusRequest(request, measureOf(budget)), budget);
}

function measureOf(budget: { model: string; tokens: TokenCounter }): TextMeasure {
  return {
    count: (text) => budget.tokens.count(text, budget.model),
    cut: (text, max) => budget.tokens.truncate(text, Math.max(1, Math.floor(max)), budget.model).text,
  };
}

/** The prompt budget: sources, context and earlier turns kept to what the question needs. */
function focusRequest(request: ChatRequest, measure: TextMeasure): ChatRequest {
  switch (request.purpose) {
    case 'summary':
      return request;
    case 'answer': {
      const focus = [request.question, request.history?.at(-1)?.question ?? ''].join('\n');
      return {
        ...request,
        // An adaptation of the general answer shows no source text (only the headers it cites): left alone.
        // Its ticket and turns are focused as a full answer's are: it never sees more of the case than one.
        sources: request.generalAnswer
          ? request.sources
          : focusSources(request.sources, {
              focus,
              maxTokensPerSource: PROMPT_BUDGET.answerSourceTokens,
              ...measure,
            }),
        context: request.context && {
          ...request.context,
          text: focusText(request.context.text, {
            focus,
            maxTokens: PROMPT_BUDGET.contextTokens,
            ...measure,
          }),
        },
        history: request.history && shortenHistory(request.history, focus, measure),
      };
    }
    case 'reply':
      // A rewrite of an earlier draft shows no source text: nothing to focus.
      if (request.draft) return request;
      return {
        ...request,
        sources: focusSources(request.sources, {
          // Not the instructions: a variant drafted from the sources then shares their prefix with the plain
          // draft, which a provider's prompt cache serves.
          focus: `${request.ticket.subject}\n${request.ticket.body}`,
          maxTokensPerSource: PROMPT_BUDGET.replySourceTokens,
          ...measure,
        }),
      };
  }
}

/** The last turn is what a follow-up leans on most: its answer keeps more than older ones. */
function shortenHistory(
  history: ConversationTurn[],
  focus: string,
  measure: TextMeasure,
): ConversationTurn[] {
  return history.map((turn, i) => ({
    question:
      measure.count(turn.question) <= PROMPT_BUDGET.turnQuestionTokens
        ? turn.question
        : measure.cut(turn.question, PROMPT_BUDGET.turnQuestionTokens),
    answer: focusText(turn.answer, {
      focus: `${turn.question}\n${focus}`,
      maxTokens:
        i === history.length - 1 ? PROMPT_BUDGET.lastAnswerTokens : PROMPT_BUDGET.earlierAnswerTokens,
      ...measure,
    }),
  }));
}

/** The hard ceiling: whatever the budget kept is cut to `maxTokens`. */
function fitToMaxTokens(
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
        // Shown instead of the sources' texts: it takes their share.
        generalAnswer: request.generalAnswer && cut(request.generalAnswer, room * 0.8 - context - history),
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
        // Shown instead of the sources' texts: it takes their share.
        draft: request.draft && cut(request.draft, room * 0.5),
      };
  }
}

/** System text and source headers of the templates, generously rounded up. */
const TEMPLATE_OVERHEAD = 250;
