import { buildLlm } from './llm-test-kit';
import { base64Of, OpenAiCompatibleDouble, vectorOf } from '../../fakes/openai-compatible.double';

/**
 * Contract tests: the request and response shapes of OpenAI-compatible servers other than OpenAI, replayed by a
 * local double and driven through the real OpenAI SDK and our adapters (LlmModule's wiring). Each shape cites
 * where it was read; nothing of those projects is copied here but the JSON shapes.
 */
describe('OpenAI-compatible servers through the real SDK (shapes from their source and docs)', () => {
  let double: OpenAiCompatibleDouble;
  beforeAll(async () => (double = await new OpenAiCompatibleDouble().start()));
  afterAll(() => double.stop());
  beforeEach(() => double.reset());

  const chatAnswer = (model: string, usage?: Record<string, number>) => ({
    status: 200,
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Restart the router.' }, finish_reason: 'stop' },
      ],
      ...(usage ? { usage } : {}),
    },
  });

  const build = (env: Record<string, string>) =>
    buildLlm(undefined, { OPENAI_API_KEY: '', OPENAI_BASE_URL: double.url, ...env });

  /** Runs LlmModule's start (the probe) and returns its error message, or undefined when it started. */
  async function startError(env: Record<string, string>): Promise<string | undefined> {
    const { module } = await build({ LLM_STARTUP_PROBE: 'true', ...env });
    try {
      await module.init();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await module.close().catch(() => undefined);
    }
  }

  describe('vLLM', () => {
    // vLLM ≥ 0.10: vllm/entrypoints/openai/protocol.py, `class ErrorResponse(OpenAIBaseModel): error: ErrorInfo`
    // with ErrorInfo {message, type, param, code: int}
    // (https://github.com/vllm-project/vllm/blob/0052bed36509c7a5a2d8e48265334e40cf2f5a0e/vllm/entrypoints/openai/protocol.py).
    const nested = {
      error: {
        message:
          'Model "BAAI/bge-m3" does not support matryoshka representation, changing output dimensions will lead to poor results.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    };
    // vLLM before 0.10: the flat ErrorResponse {object: "error", message, type, param, code}, as its docs show
    // for this very request (docs/models/pooling_models.md, "Matryoshka Embeddings", BAAI/bge-m3 with `dimensions`).
    const flat = { object: 'error', ...nested.error };

    it.each([
      ['nested (≥ 0.10)', nested],
      ['flat (< 0.10)', flat],
    ])(
      'surfaces the text of its %s error body instead of "400 status code (no body)"',
      async (_shape, body) => {
        double.on('POST /embeddings', { status: 400, body });
        const { llm } = await build({ LLM_EMBEDDING_MODEL: 'BAAI/bge-m3', LLM_EMBEDDING_DIMENSION: '1024' });
        await expect(llm.embed({ companyId: 'acme', texts: ['printer'] })).rejects.toThrow(
          /HTTP 400 Model "BAAI\/bge-m3" does not support matryoshka representation/,
        );
      },
    );

    it('gets no `dimensions` for a model that cannot shorten vectors; forced, the start names LLM_EMBEDDING_SEND_DIMENSIONS', async () => {
      double.on('GET /models', {
        status: 200,
        body: { object: 'list', data: [{ id: 'Qwen/Qwen2.5-7B-Instruct', object: 'model' }] },
      });
      double.on('POST /embeddings', (call) =>
        call.body.dimensions !== undefined
          ? { status: 400, body: nested }
          : {
              status: 200,
              body: {
                id: 'embd-1',
                object: 'list',
                created: 1,
                model: 'BAAI/bge-m3',
                data: [{ index: 0, object: 'embedding', embedding: vectorOf(1024) }],
                usage: { prompt_tokens: 3, total_tokens: 3, completion_tokens: 0 },
              },
            },
      );
      const env = {
        LLM_CHAT_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
        LLM_EMBEDDING_MODEL: 'BAAI/bge-m3',
        LLM_EMBEDDING_DIMENSION: '1024',
        LLM_EMBEDDING_ENCODING: 'float',
      };
      expect(await startError(env)).toBeUndefined();
      expect(double.callsTo('/embeddings')[0].body).not.toHaveProperty('dimensions');
      expect(double.callsTo('/embeddings')[0].body).toMatchObject({ encoding_format: 'float' });
      expect(await startError({ ...env, LLM_EMBEDDING_SEND_DIMENSIONS: 'true' })).toMatch(
        /LLM_EMBEDDING_SEND_DIMENSIONS: .*does not support matryoshka representation/,
      );
    });
  });

  describe('Ollama', () => {
    // openai/openai.go (ollama v0.33.0-rc2, commit fb30760996871fa9460115c753afd2c60d4ab0f7,
    // https://github.com/ollama/ollama/blob/fb30760996871fa9460115c753afd2c60d4ab0f7/openai/openai.go):
    // ChatCompletionRequest has `MaxTokens *int json:"max_tokens"` and no max_completion_tokens field, so the cap
    // only reaches the model (options.num_predict) through `max_tokens`.
    it('receives the output cap as max_tokens (its OpenAI layer has no max_completion_tokens), and no temperature unless set', async () => {
      double.on(
        'POST /chat/completions',
        chatAnswer('llama3.2', { prompt_tokens: 40, completion_tokens: 4, total_tokens: 44 }),
      );
      const { llm } = await build({ LLM_CHAT_MODEL: 'llama3.2', LLM_MAX_OUTPUT_TOKENS: '300' });
      await llm.summarize({ companyId: 'acme', text: 'Router drops Wi-Fi every hour.' });
      const sent = double.callsTo('/chat/completions')[0].body;
      expect(sent).toMatchObject({ model: 'llama3.2', max_tokens: 300, max_completion_tokens: 300 });
      expect(sent).not.toHaveProperty('temperature');

      const tuned = await build({ LLM_CHAT_MODEL: 'llama3.2', LLM_TEMPERATURE: '0.2' });
      await tuned.llm.summarize({ companyId: 'acme', text: 'Router drops Wi-Fi every hour.' });
      expect(double.callsTo('/chat/completions')[1].body).toMatchObject({ temperature: 0.2 });
    });

    // Before v0.12.7 (EncodingFormat was added to EmbedRequest in commit e0ead1adee0a36f8aecf0df9747996354ee1ed8c,
    // first tagged v0.12.7) Ollama ignored `encoding_format` and always answered float arrays; the SDK, asked for
    // base64, decoded those as base64 ("expected 768, got 192").
    it('answers float arrays to a base64 request (before 0.12.7): they are detected and kept at full size', async () => {
      const vector = vectorOf(768);
      double.on('POST /embeddings', {
        status: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', embedding: vector, index: 0 }],
          model: 'nomic-embed-text',
          usage: { prompt_tokens: 2, total_tokens: 2 },
        },
      });
      const { llm } = await build({
        LLM_EMBEDDING_MODEL: 'nomic-embed-text',
        LLM_EMBEDDING_DIMENSION: '768',
      });
      const { vectors } = await llm.embed({ companyId: 'acme', texts: ['printer jam'] });
      expect(double.callsTo('/embeddings')[0].body).toMatchObject({ encoding_format: 'base64' });
      expect(vectors[0]).toHaveLength(768);
      const norm = Math.hypot(...vector);
      expect(vectors[0][5]).toBeCloseTo(vector[5] / norm, 5);
    });

    // ToListCompletion (same file) lists models by their tagged name, e.g. "llama3.2:latest"; its errors use
    // NewError: {"error": {"message", "type": "not_found_error" | "invalid_request_error" | "api_error", "param": null, "code": null}}.
    it('the start accepts "llama3.2" listed as "llama3.2:latest" and names LLM_CHAT_MODEL for one it does not list', async () => {
      double.on('GET /models', {
        status: 200,
        body: {
          object: 'list',
          data: [
            { id: 'llama3.2:latest', object: 'model', created: 1, owned_by: 'library' },
            { id: 'nomic-embed-text:latest', object: 'model', created: 1, owned_by: 'library' },
          ],
        },
      });
      double.on('POST /embeddings', {
        status: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', embedding: base64Of(vectorOf(768)), index: 0 }],
          model: 'nomic-embed-text',
        },
      });
      const env = { LLM_EMBEDDING_MODEL: 'nomic-embed-text', LLM_EMBEDDING_DIMENSION: '768' };
      expect(await startError({ ...env, LLM_CHAT_MODEL: 'llama3.2' })).toBeUndefined();
      expect(await startError({ ...env, LLM_CHAT_MODEL: 'llama3.1' })).toMatch(
        /LLM_CHAT_MODEL: "llama3.1" is not among the models the chat server lists \(llama3.2:latest, nomic-embed-text:latest\)/,
      );
    });

    it('an embeddings size other than configured stops the start with LLM_EMBEDDING_DIMENSION, before any ticket', async () => {
      double.on('GET /models', {
        status: 404,
        body: { error: { message: '404 page not found', type: 'not_found_error', param: null, code: null } },
      });
      double.on('POST /embeddings', {
        status: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', embedding: vectorOf(768), index: 0 }],
          model: 'nomic-embed-text',
        },
      });
      expect(
        await startError({
          LLM_CHAT_MODEL: 'llama3.2',
          LLM_EMBEDDING_MODEL: 'nomic-embed-text',
          LLM_EMBEDDING_DIMENSION: '1024',
        }),
      ).toMatch(/LLM_EMBEDDING_DIMENSION: .*expected 1 vectors of 1024, got 1 of 768/);
    });
  });

  describe('llama.cpp server', () => {
    // examples/server/utils.hpp, format_embeddings_response_oaicompat (ggml-org/llama.cpp, commit
    // 15ae7dd57bcb11a6fae3d7a3879309af5ebf0af3): "data": [{"embedding": [floats], "index", "object": "embedding"}],
    // "model" defaulting to "gpt-3.5-turbo", and "usage": {"prompt_tokens": n, "total_tokens": n} where n sums each
    // result's `tokens_evaluated` with json_value(elem, "tokens_evaluated", 0): 0 when the results do not carry it.
    it('reports zero usage for embeddings: the ledger records an estimate instead of 0', async () => {
      double.on('POST /embeddings', {
        status: 200,
        body: {
          model: 'gpt-3.5-turbo',
          object: 'list',
          usage: { prompt_tokens: 0, total_tokens: 0 },
          data: [{ embedding: vectorOf(384), index: 0, object: 'embedding' }],
        },
      });
      const { llm, ledger } = await build({
        LLM_EMBEDDING_MODEL: 'all-MiniLM-L6-v2',
        LLM_EMBEDDING_DIMENSION: '384',
      });
      const result = await llm.embed({ companyId: 'acme', texts: ['the printer jams on page two'] });
      expect(result.usage.promptTokens).toBeGreaterThanOrEqual(6);
      expect(ledger.sum({ purpose: 'embed' }).embeddingTokens).toBe(result.usage.promptTokens);
    });

    // tools/server/server-common.cpp, format_error_response (ggml-org/llama.cpp, commit
    // aa6192d38defc9a5d9fb2987413f71b18f214270): {"code", "message", "type"} sent as {"error": {...}}; 400
    // "invalid_request_error" or "exceed_context_size_error", 401 "authentication_error", 404 "not_found_error",
    // 500 "server_error", 501 "not_supported_error", 503 "unavailable_error".
    it('its error body reaches the caller', async () => {
      double.on('POST /chat/completions', {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'the request exceeds the available context size, try increasing it',
            type: 'exceed_context_size_error',
          },
        },
      });
      const { llm } = await build({ LLM_CHAT_MODEL: 'qwen2.5', LLM_MAX_RETRIES: '0' });
      await expect(llm.answer({ companyId: 'acme', question: 'why?', sources: [] })).rejects.toThrow(
        /HTTP 400 the request exceeds the available context size/,
      );
    });
  });

  describe('LiteLLM proxy', () => {
    // litellm/proxy/_types.py, class ProxyException (BerriAI/litellm, commit 0bf90f0c206a923c997ac1ee780d1e4b02af811c):
    // "This is used to map exactly to OPENAI Exceptions", {"error": {"message", "type", "param", "code"}} with
    // `code` always a string (str(code)).
    it('a refused key stops the start with the key variable and the message of the proxy', async () => {
      const refused = {
        status: 401,
        body: {
          error: {
            message: 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...1234',
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        },
      };
      double.on('GET /models', refused).on('POST /embeddings', refused);
      expect(await startError({ LLM_CHAT_MODEL: 'claude-sonnet', OPENAI_API_KEY: 'sk-1234' })).toMatch(
        /OPENAI_API_KEY: the embeddings server refused the key \(.*Authentication Error, Invalid proxy server token passed/,
      );
    });

    it('a FastAPI-style {"detail"} body or a plain-text gateway page is surfaced too', async () => {
      double.on('POST /chat/completions', {
        status: 422,
        body: { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'missing' }] },
      });
      const { llm } = await build({ LLM_CHAT_MODEL: 'gpt-4o' });
      await expect(llm.answer({ companyId: 'acme', question: 'why?', sources: [] })).rejects.toThrow(
        /HTTP 422 body\.messages: field required/,
      );
      // nginx in front of a server answers an oversized batch with its own HTML page.
      double.on('POST /embeddings', {
        status: 413,
        body: '<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>',
      });
      await expect(llm.embed({ companyId: 'acme', texts: ['x'] })).rejects.toThrow(
        /HTTP 413 413 Request Entity Too Large 413 Request Entity Too Large nginx/,
      );
    });
  });

  it('separate servers per role: embeddings go to LLM_EMBEDDINGS_BASE_URL with their own key', async () => {
    const embeddings = await new OpenAiCompatibleDouble().start();
    try {
      embeddings.on('POST /embeddings', {
        status: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', embedding: vectorOf(16), index: 0 }],
          model: 'e',
        },
      });
      double.on(
        'POST /chat/completions',
        chatAnswer('chat', { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }),
      );
      const { llm } = await build({
        LLM_CHAT_MODEL: 'chat',
        LLM_EMBEDDINGS_BASE_URL: embeddings.url,
        LLM_EMBEDDINGS_API_KEY: 'embed-key',
        LLM_EMBEDDING_MODEL: 'e',
        LLM_EMBEDDING_DIMENSION: '16',
      });
      await llm.embed({ companyId: 'acme', texts: ['x'] });
      await llm.summarize({ companyId: 'acme', text: 'y' });
      expect(embeddings.callsTo('/embeddings')).toHaveLength(1);
      expect(double.callsTo('/embeddings')).toHaveLength(0);
      expect(double.callsTo('/chat/completions')).toHaveLength(1);
    } finally {
      await embeddings.stop();
    }
  });

  it('a chat answer without usage is estimated from the whole rendered prompt, not only the question', async () => {
    double.on('POST /chat/completions', chatAnswer('m'));
    const { llm, module } = await build({ LLM_CHAT_MODEL: 'm' });
    const result = await llm.answer({
      companyId: 'acme',
      question: 'How do I reset it?',
      sources: [
        {
          ref: 1,
          id: 'ticket:T-1',
          kind: 'ticket',
          text: 'Hold the reset button for ten seconds until the light blinks.',
        },
      ],
    });
    const sent = double.callsTo('/chat/completions')[0].body.messages as { content: string }[];
    const tokens = module.get((await import('../../../src/modules/llm/token-counter')).TokenCounter);
    const whole = tokens.count(sent.map((m) => m.content).join('\n'), 'm');
    expect(result.usage.promptTokens).toBe(whole);
    expect(result.usage.promptTokens).toBeGreaterThan(tokens.count('How do I reset it?', 'm') + 20);
  });
});
