import type { ChatRequest } from '../ports/chat-model.port';
import type { TextLanguage } from '../domain/language';

export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** Fitting inputs into the token budget is the caller's job; a template only lays them out. */
export interface PromptTemplate<R extends ChatRequest = ChatRequest> {
  purpose: R['purpose'];
  /** Bump on any wording change: it is part of every cache key built on this prompt. */
  version: string;
  render(request: R, language: TextLanguage): PromptMessage[];
}

export const LANGUAGE_NAME: Record<TextLanguage, string> = { en: 'English', ko: 'Korean (한국어)' };
