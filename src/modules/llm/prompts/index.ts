import type { ChatPurpose, ChatRequest } from '../ports/chat-model.port';
import type { LlmPurpose } from '../ports/llm-call';
import type { TextLanguage } from '../domain/language';
import { answerPrompt } from './answer.prompt';
import { PromptMessage, PromptTemplate } from './prompt-template';
import { replyPrompt } from './reply.prompt';
import { summaryPrompt } from './summary.prompt';

export type { PromptMessage } from './prompt-template';

const TEMPLATES: { [P in ChatPurpose]: PromptTemplate<Extract<ChatRequest, { purpose: P }>> } = {
  summary: summaryPrompt,
  answer: answerPrompt,
  reply: replyPrompt,
};

/** Version of the prompt behind a purpose; the embed "prompt" is the input itself. */
export function templateVersion(purpose: LlmPurpose): string {
  return purpose === 'embed' ? 'embed-v1' : TEMPLATES[purpose].version;
}

export function renderPrompt(request: ChatRequest, language: TextLanguage): PromptMessage[] {
  const template = TEMPLATES[request.purpose] as PromptTemplate;
  return template.render(request, language);
}
