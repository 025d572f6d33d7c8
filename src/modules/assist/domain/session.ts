/** What a session holds: the ticket an agent opened with /init and the questions asked since. */
export interface AssistSession {
  session_id: string;
  company_id: string;
  ticket_id: string | null;
  questions: string[];
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
    questions: [],
    created_at: input.now.toISOString(),
  };
}

/** Appends a question, keeping only the most recent `max`. */
export function withQuestion(session: AssistSession, question: string, max: number): AssistSession {
  return { ...session, questions: [...session.questions, question].slice(-max) };
}

/** Session ids are random and opaque; this is only a shape check before a cache read. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
