import { parseUpstreamErrorBody } from '../domain/upstream-error-body';
import { nodeHttpFetch } from './node-http.fetch';

/**
 * The OpenAI SDK's fetch over `transport` (node:http by default, see nodeHttpFetch; Node's fetch behind a proxy),
 * with every error body rewritten into OpenAI's `{"error": {...}}` shape so the SDK's APIError carries the
 * server's own text (vLLM, Ollama, llama.cpp, LiteLLM and proxies each answer their own way). Successful
 * responses pass through untouched.
 */
export function openAiCompatibleFetch(
  transport: (input: string | URL | Request, init?: RequestInit) => Promise<Response> = nodeHttpFetch,
) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await transport(input, init);
    if (response.ok) return response;
    const text = await response.text();
    const error = parseUpstreamErrorBody(text);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.set('content-type', 'application/json');
    return new Response(error ? JSON.stringify({ error }) : '', {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
