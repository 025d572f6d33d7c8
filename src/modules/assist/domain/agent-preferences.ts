import type { DraftPreferences, DraftTone } from '../../llm/domain/draft-preferences';
import type { TextLanguage } from '../../llm/domain/language';

/** An agent's stored preferences, as the API shows them. */
export interface AgentPreferences {
  agent_id: string;
  language?: TextLanguage;
  tone?: DraftTone;
  signature?: string;
  max_words?: number;
  updated_at: string;
}

export const AGENT_ID_PATTERN = /^[A-Za-z0-9._@-]{1,100}$/;

/**
 * What of the preferences shapes a draft (the prompt, the local composer and the cache key); undefined when
 * nothing does, so an agent without preferences shares the drafts every other such agent gets.
 */
export function draftPreferencesOf(preferences: AgentPreferences | undefined): DraftPreferences | undefined {
  if (!preferences) return undefined;
  const draft: DraftPreferences = {
    ...(preferences.language ? { language: preferences.language } : {}),
    ...(preferences.tone ? { tone: preferences.tone } : {}),
    ...(preferences.signature?.trim() ? { signature: preferences.signature.trim() } : {}),
    ...(preferences.max_words !== undefined ? { maxWords: preferences.max_words } : {}),
  };
  return Object.keys(draft).length > 0 ? draft : undefined;
}
