import type { ConversationTurn } from '../../llm/ports/chat-model.port';

/** What a session holds: the ticket an agent opened with /init and the turns (question, answer) since. */
export interface AssistSession {
  session_id: string;
  company_id: string;
  ticket_id: string | null;
  turns: ConversationTurn[];
  created_at: string;
}

export function newSession(input: {
  sessionId: string;
  companyId: string;
  ticketId: string | null;
  now: Date;
}): AssistSession {
  return {
    session_id: input.sessionId,
    company_id: input.companyId,
    ticket_id: input.ticketId,
    turns: [],
    created_at: input.now.toISOString(),
  };
}

/** Appends a turn, keeping only the most recent `max`. */
export function withTurn(session: AssistSession, turn: ConversationTurn, max: number): AssistSession {
  return { ...session, turns: [...turnsOf(session), turn].slice(-max) };
}

/** A session's turns (none in a session stored before turns were kept). */
export function turnsOf(session: AssistSession): ConversationTurn[] {
  return Array.isArray(session.turns) ? session.turns : [];
}

/** Session ids are random and opaque; this is only a shape check before a store read. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
