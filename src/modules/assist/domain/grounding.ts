import { GroundingContext, NumberedSources, numberSources } from '../../llm/domain/numbered-sources';
import { redactIdentifiers } from './identifier-redactor';

/** A retrieved document as Assist uses it (a subset of a search result). */
export interface RetrievedDoc {
  type: 'ticket' | 'article';
  id: string;
  title: string;
  summary: string;
  score: number;
  status?: string;
  /** Tickets: the agent's resolving reply. */
  resolution?: string;
}

/** A source as the API returns it: `ref` is the number the answer cites as [ref]. */
export interface SourceRef {
  ref: number;
  type: 'ticket' | 'article';
  id: string;
  title: string;
  score: number | null;
}

/** The ticket an agent is working on, given to the model as context (never cited as a retrieved source). */
export interface TicketContext {
  id: string;
  subject: string;
  text: string;
}

/**
 * The sources of an answer or draft, numbered once: the prompt's blocks, the local composer's citations and
 * the response's `sources` all come from this one list, so [n] is `refs[n - 1]` everywhere. Other tickets
 * are other customers' cases: their identifiers are replaced by placeholders before any text is used,
 * except those in `keep` (the open ticket's own).
 */
export function groundSources(input: { docs: RetrievedDoc[]; keep?: ReadonlySet<string> }): {
  sources: NumberedSources;
  refs: SourceRef[];
} {
  const redact = (text: string) => redactIdentifiers(text, { keep: input.keep });
  const shown = input.docs.map((doc) => ({
    doc,
    title: doc.type === 'ticket' ? redact(doc.title) : doc.title,
    // A resolved ticket helps through how it was resolved; an article through its summary.
    text:
      doc.type === 'ticket'
        ? redact(doc.resolution ? `${doc.summary}\nResolution: ${doc.resolution}` : doc.summary)
        : doc.summary,
  }));
  const sources = numberSources(
    shown.map(({ doc, title, text }) => ({
      id: `${doc.type}:${doc.id}`,
      kind: doc.type,
      title,
      text,
      score: doc.score,
    })),
  );
  const refs = shown.map(({ doc, title }, i): SourceRef => ({
    ref: sources[i].ref,
    type: doc.type,
    id: doc.id,
    title,
    score: round(doc.score),
  }));
  return { sources, refs };
}

/** The open ticket as the model's context: outside the numbering. */
export function contextOf(ticket: TicketContext): GroundingContext {
  return { title: ticket.subject, text: ticket.text };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
