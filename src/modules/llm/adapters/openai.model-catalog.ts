import OpenAI from 'openai';
import { toUpstreamError } from './openai.errors';

/** GET /models of one OpenAI-compatible server: what it serves, or `unsupported` when it has no such route. */
export class OpenAiModelCatalog {
  constructor(
    private readonly client: OpenAI,
    private readonly upstream: string,
  ) {}

  async modelIds(timeoutMs: number): Promise<string[] | 'unsupported'> {
    const startedAt = performance.now();
    try {
      const page = await this.client.models.list({ timeout: timeoutMs, maxRetries: 0 });
      return page.data.map((model) => model.id);
    } catch (error) {
      const mapped = toUpstreamError(this.upstream, error, { startedAt, timeoutMs });
      // Some servers (TEI, older llama.cpp builds, gateways) have no /models: nothing to check there.
      if ((mapped as { status?: number }).status === 404 || (mapped as { status?: number }).status === 405)
        return 'unsupported';
      throw mapped;
    }
  }
}
