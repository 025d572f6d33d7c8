/** Messages between the event loop and a local-compute thread: pure functions of their inputs, nothing else. */
export type LocalComputeTask =
  { op: 'embed'; texts: string[]; dimension: number } | { op: 'summarize'; text: string; maxChars: number };

export type LocalComputeRequest = LocalComputeTask & { id: number };

export type LocalComputeResponse =
  | { id: number; ok: true; op: 'embed'; vectors: Float32Array }
  | { id: number; ok: true; op: 'summarize'; summary: string }
  | { id: number; ok: false; error: string };
