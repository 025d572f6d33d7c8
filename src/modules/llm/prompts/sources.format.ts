import { citedRefs } from '../domain/numbered-sources';
import type { ConversationTurn, GroundingContext, NumberedSources } from '../ports/chat-model.port';

/**
 * Stored text shown on one line of a prompt (a title, a subject): it may hold line breaks, which would end its line
 * early or, written on purpose ("\n[2] (article: ...)"), forge the header of another numbered block.
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** A source's header, always one line. */
function header(source: NumberedSources[number]): string {
  const title = source.title && oneLine(source.title);
  return `[${source.ref}] (${source.kind}${title ? `: ${title}` : ''})`;
}

/** The numbered blocks the model may cite: each block is headed by its source's own `ref`, never by position. */
export function formatSources(sources: NumberedSources): string {
  if (sources.length === 0) return '(none)';
  return sources.map((s) => `${header(s)}\n${s.text}`).join('\n\n');
}

/**
 * For a prompt that derives from an earlier text (a draft to rewrite, a general answer to adapt): the headers of
 * the sources that text cites, so its [n] keep their meaning; empty when it cites none.
 */
export function citedSourceHeaders(sources: NumberedSources, text: string): string {
  const cited = new Set(citedRefs(text));
  const headers = sources.filter((s) => cited.has(s.ref)).map(header);
  return headers.length > 0 ? `Sources it cites:\n${headers.join('\n')}` : '';
}

/** The open ticket: context for the question, outside the numbered sources and never cited. */
export function formatContext(context: GroundingContext): string {
  return `Current ticket (context, not a source; do not cite it): ${oneLine(context.title)}\n${context.text}`;
}

/** The session's previous turns, oldest first, for a follow-up question. */
export function formatHistory(history: ConversationTurn[]): string {
  return [
    'Earlier in this conversation (context for the follow-up, not a source; do not cite it):',
    ...history.map((turn) => `Q: ${turn.question}\nA: ${turn.answer}`),
  ].join('\n');
}
