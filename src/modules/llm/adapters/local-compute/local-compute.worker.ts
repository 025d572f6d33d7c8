/**
 * Entry of a local-compute thread (LocalComputePool): runs the local models' pure CPU work off the event loop.
 * Embeddings come back packed in one Float32Array whose buffer is transferred, not copied.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { summarizeExtractive } from '../../domain/extractive-summarizer';
import { hashingEmbed } from '../../domain/hashing-embedding';
import { LocalComputeRequest, LocalComputeResponse } from './local-compute.protocol';

const port = parentPort;
if (!port) throw new Error('local-compute.worker runs as a worker thread');

// Background work at the lowest CPU priority: on Linux a thread's nice value is its own (pid 0 is this thread),
// so request handling on the event loops of this and other processes always comes first, and the thread
// still takes a core nobody else wants. Where the system refuses, it runs at normal priority.
try {
  setPriority(19);
} catch {
  // not permitted here: normal priority
}

port.on('message', (request: LocalComputeRequest) => {
  let response: LocalComputeResponse;
  try {
    if (request.op === 'embed') {
      const vectors = new Float32Array(request.texts.length * request.dimension);
      request.texts.forEach((text, i) =>
        vectors.set(hashingEmbed(text, { dimension: request.dimension }), i * request.dimension),
      );
      port.postMessage({ id: request.id, ok: true, op: 'embed', vectors } satisfies LocalComputeResponse, [
        vectors.buffer,
      ]);
      return;
    }
    const { summary } = summarizeExtractive(request.text, { maxChars: request.maxChars });
    response = { id: request.id, ok: true, op: 'summarize', summary };
  } catch (error) {
    response = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
