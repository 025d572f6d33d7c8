/** One server-sent event, timed from the request start. */
export interface SseFrame {
  event: string;
  data: any;
  atMs: number;
}

/**
 * Reads a text/event-stream response frame by frame, timing each frame from `startedAt`
 * (`performance.now()` at the request). `rest` is what followed the last complete frame: '' for a
 * well-formed stream. Used by the e2e suites and the benchmarks.
 */
export async function readEventStream(
  response: Response,
  startedAt: number,
): Promise<{ frames: SseFrame[]; rest: string }> {
  const frames: SseFrame[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(raw)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(raw)?.[1];
      frames.push({ event, data: data ? JSON.parse(data) : undefined, atMs: performance.now() - startedAt });
    }
  }
  return { frames, rest: buffer };
}
