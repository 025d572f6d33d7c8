import type { GroundingSource } from '../../llm/ports/chat-model.port';

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
 * Numbers the sources in prompt order so the model's [n] citations and the response's `sources` agree.
 * The session's ticket comes first, as context, and carries no number; retrieved documents follow, 1..n.
 */
export function numberSources(input: { docs: RetrievedDoc[]; context?: TicketContext }): {
  grounding: GroundingSource[];
  refs: SourceRef[];
} {
  const refs = input.docs.map((doc, i): SourceRef => ({
    ref: i + 1,
    type: doc.type,
    id: doc.id,
    title: doc.title,
    score: round(doc.score),
  }));
  const grounding = input.docs.map((doc): GroundingSource => ({
    id: `${doc.type}:${doc.id}`,
    kind: doc.type,
    title: doc.title,
    // A resolved ticket helps through how it was resolved; an article through its summary.
    text:
      doc.type === 'ticket' && doc.resolution ? `${doc.summary}\nResolution: ${doc.resolution}` : doc.summary,
    score: doc.score,
  }));
  if (input.context) {
    grounding.unshift({
      id: `ticket:${input.context.id}`,
      kind: 'ticket',
      title: `Current ticket: ${input.context.subject}`,
      text: input.context.text,
    });
  }
  return { grounding, refs };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
