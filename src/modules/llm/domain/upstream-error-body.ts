/** The most an error text keeps of a server's body (an HTML page from a proxy can be long). */
const MAX_MESSAGE = 500;

export interface UpstreamErrorBody {
  message: string;
  type?: string;
  code?: string | number;
  param?: string;
}

/**
 * The error of an OpenAI-compatible server's non-2xx body, whatever its shape. The OpenAI SDK reads only
 * `{"error": {"message"}}` and otherwise reports "400 status code (no body)"; servers answer with:
 * - `{"error": {"message", "type", "param", "code"}}`: OpenAI, vLLM ≥ 0.10, Ollama's /v1, llama.cpp server, LiteLLM;
 * - `{"object": "error", "message", "type", "param", "code"}`: vLLM before 0.10;
 * - `{"error": "text"}`: Ollama's native routes and Hugging Face TGI;
 * - `{"detail": "text" | [{"loc", "msg"}]}`: FastAPI defaults (LiteLLM's and vLLM's request validation);
 * - plain text or HTML (reverse proxies, gateways).
 * Undefined for an empty body.
 */
export function parseUpstreamErrorBody(text: string): UpstreamErrorBody | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { message: clip(trimmed.replace(/<[^>]*>/g, ' ')) };
  }
  if (typeof parsed !== 'object' || parsed === null) return { message: clip(String(parsed)) };
  const body = parsed as Record<string, unknown>;
  const error = body.error;
  if (isRecord(error) && typeof error.message === 'string') return describe(error);
  if (typeof error === 'string') return { message: clip(error), ...optionalType(body.error_type) };
  if (typeof body.message === 'string') return describe(body);
  if (typeof body.detail === 'string') return { message: clip(body.detail) };
  if (Array.isArray(body.detail)) {
    const items = body.detail.map((item: unknown) =>
      isRecord(item)
        ? `${Array.isArray(item.loc) ? item.loc.join('.') + ': ' : ''}${String(item.msg ?? '')}`
        : String(item),
    );
    return { message: clip(items.join('; ')) };
  }
  return { message: clip(trimmed) };
}

function describe(record: Record<string, unknown>): UpstreamErrorBody {
  return {
    message: clip(record.message as string),
    ...optionalType(record.type),
    ...(typeof record.code === 'string' || typeof record.code === 'number' ? { code: record.code } : {}),
    ...(typeof record.param === 'string' ? { param: record.param } : {}),
  };
}

function optionalType(type: unknown): { type?: string } {
  return typeof type === 'string' ? { type } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clip(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > MAX_MESSAGE ? `${single.slice(0, MAX_MESSAGE)}…` : single;
}
