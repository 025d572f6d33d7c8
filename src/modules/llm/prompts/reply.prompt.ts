import type { DraftPreferences } from '../domain/draft-preferences';
import type { TextLanguage } from '../domain/language';
import type { ChatRequest } from '../ports/chat-model.port';
import { LANGUAGE_NAME, PromptTemplate } from './prompt-template';
import { citedSourceHeaders, formatSources, oneLine } from './sources.format';

const TONE: Record<NonNullable<DraftPreferences['tone']>, string> = {
  friendly: 'Tone: friendly and personal, warm greeting, plain words.',
  formal: 'Tone: formal and courteous, no contractions or casual phrases.',
  concise: 'Tone: concise, only the essential steps, no pleasantries beyond a greeting.',
};

export const replyPrompt: PromptTemplate<Extract<ChatRequest, { purpose: 'reply' }>> = {
  purpose: 'reply',
  /** v3: provider-cache layout (static system text, then sources, then the agent's and the case's parts) and the prompt budget. */
  version: 'reply-v3',
  render: (request, language) => [
    {
      role: 'system',
      content: [
        'You draft a reply from a support agent to a customer.',
        'Ground every step in the numbered sources (how similar tickets were resolved, knowledge-base passages);',
        'never promise refunds, dates or actions the sources do not support. Be warm, brief and concrete.',
        'Sources come from other customers: never copy their names or placeholders such as [email] into the reply.',
        'Follow the reply requirements given after the sources.',
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        // What many prompts share comes first, so a provider's prefix cache can serve it; the case comes last.
        request.draft ? '' : `Sources:\n${formatSources(request.sources)}`,
        `Reply requirements:\n${preferenceLines(request.preferences, language).join('\n')}`,
        request.draft
          ? `Draft for this ticket from the knowledge base; rewrite it under the agent instructions below, keeping its citations and adding no fact it does not state:\n${request.draft}`
          : '',
        request.draft ? citedSourceHeaders(request.sources, request.draft) : '',
        `Ticket subject: ${oneLine(request.ticket.subject)}`,
        `Customer message:\n${request.ticket.body}`,
        request.instructions ? `Agent instructions: ${request.instructions}` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  ],
};

/** The agent's preferences as instructions; without any, the ticket's language and the default tone. */
function preferenceLines(preferences: DraftPreferences | undefined, language: TextLanguage): string[] {
  return [
    preferences?.language
      ? `Write the reply in ${LANGUAGE_NAME[preferences.language]}, the agent's chosen language.`
      : `Write the reply in ${LANGUAGE_NAME[language]}, the language of the ticket.`,
    preferences?.tone ? TONE[preferences.tone] : '',
    preferences?.maxWords ? `Use at most ${preferences.maxWords} words, signature included.` : '',
    preferences?.signature ? `End the reply with exactly this signature:\n${preferences.signature}` : '',
  ].filter(Boolean);
}
