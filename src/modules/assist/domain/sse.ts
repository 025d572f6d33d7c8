/** Server-sent events of the streamed routes: `token` chunks, then exactly one `done` or `error`. */
export type SseEvent =
  | { event: 'token'; data: { text: string } }
  | { event: 'done'; data: Record<string, unknown> }
  | { event: 'error'; data: { message: string; code: string } };

/** One event in the text/event-stream framing; JSON data has no raw newlines, so one `data:` line suffices. */
export function formatSse(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Splits a finished text into stream chunks (a word and its trailing space), for cached replays. */
export function chunksOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/gu) ?? [];
}
