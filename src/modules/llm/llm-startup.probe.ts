import { Logger } from '@nestjs/common';
import type { LlmSettings } from '../../config/llm.config';
import { ConfigValidationError } from '../../config/define-config';
import type { OpenAiModelCatalog } from './adapters/openai.model-catalog';
import { UpstreamError } from './domain/upstream-error';
import type { Embedder } from './ports/embedder.port';

export type LlmRole = 'chat' | 'embeddings';

export interface LlmRoleState {
  role: LlmRole;
  /** local: the embedded algorithms; ok / unreachable: what the check found. */
  state: 'local' | 'ok' | 'unreachable';
  detail?: string;
}

export interface LlmRemoteRoles {
  chat?: { catalog: OpenAiModelCatalog };
  embeddings?: { catalog: OpenAiModelCatalog; embedder: Embedder };
}

const PROBE_TIMEOUT_MS = 10_000;
const READINESS_TIMEOUT_MS = 1_500;

/**
 * Checks each remote model role once at start, before any traffic: a one-word embedding must come back with
 * the configured size, and the chat model must be among those the server lists (where it lists any). A
 * configuration the server refuses stops the start with the variable to set, instead of failing every ticket
 * one by one; an unreachable server only warns (it may come up later: readiness reports it).
 */
export class LlmStartupProbe {
  private readonly logger = new Logger('LlmStartupProbe');

  constructor(
    private readonly settings: LlmSettings,
    private readonly roles: LlmRemoteRoles,
  ) {}

  async run(): Promise<void> {
    const problems = [...(await this.probeEmbeddings()), ...(await this.probeChat())];
    if (problems.length > 0) throw new ConfigValidationError(problems);
  }

  /** For readiness: the role's server answers GET /models (a 404 counts: the server is there). */
  async state(role: LlmRole): Promise<LlmRoleState> {
    const remote = this.roles[role];
    if (!remote) return { role, state: 'local' };
    try {
      await remote.catalog.modelIds(READINESS_TIMEOUT_MS);
      return { role, state: 'ok' };
    } catch (error) {
      return { role, state: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  private async probeEmbeddings(): Promise<string[]> {
    const remote = this.roles.embeddings;
    if (!remote) return [];
    const s = this.settings;
    try {
      await remote.embedder.embed({
        companyId: 'startup-probe',
        texts: ['probe'],
        priority: 'interactive',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      return [];
    } catch (error) {
      if (!(error instanceof UpstreamError)) return this.unreachable('embeddings', error);
      if (error.status === undefined && !error.retryable) {
        // The vectors came back with another size than configured.
        return [`LLM_EMBEDDING_DIMENSION: ${error.message}`];
      }
      if (error.status === 401 || error.status === 403) {
        const variable = s.embeddings.apiKey !== s.apiKey ? 'LLM_EMBEDDINGS_API_KEY' : 'OPENAI_API_KEY';
        return [`${variable}: the embeddings server refused the key (${error.message})`];
      }
      if (error.status !== undefined && !error.retryable) {
        const aboutDimensions = s.sendEmbeddingDimensions && /dimension|matryoshka/i.test(error.message);
        return [
          aboutDimensions
            ? `LLM_EMBEDDING_SEND_DIMENSIONS: the embeddings server refused \`dimensions\` for "${s.embeddingModel}" (${error.message}); set it to false and LLM_EMBEDDING_DIMENSION to the model's own size`
            : `LLM_EMBEDDING_MODEL: the embeddings server refused a one-word embedding with "${s.embeddingModel}" (${error.message})`,
        ];
      }
      return this.unreachable('embeddings', error);
    }
  }

  private async probeChat(): Promise<string[]> {
    const remote = this.roles.chat;
    if (!remote) return [];
    let ids: string[] | 'unsupported';
    try {
      ids = await remote.catalog.modelIds(PROBE_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof UpstreamError && (error.status === 401 || error.status === 403)) {
        return [`OPENAI_API_KEY: the chat server refused the key (${error.message})`];
      }
      return this.unreachable('chat', error);
    }
    if (ids === 'unsupported' || ids.length === 0) return [];
    const model = this.settings.chatModel;
    // Ollama names models with a tag and serves "name" as "name:latest".
    if (ids.includes(model) || ids.includes(`${model}:latest`)) return [];
    const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
    return [`LLM_CHAT_MODEL: "${model}" is not among the models the chat server lists (${shown})`];
  }

  private unreachable(role: LlmRole, error: unknown): [] {
    this.logger.warn(
      `${role} server not checked at start (${error instanceof Error ? error.message : String(error)}): readiness reports it`,
    );
    return [];
  }
}
