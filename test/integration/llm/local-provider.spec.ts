import { buildLlm } from './llm-test-kit';

describe('LlmModule without a remote model (local provider)', () => {
  it('binds the local adapters and records their usage at no cost', async () => {
    const { llm, embedder, ledger, config } = await buildLlm(undefined);
    expect(config.llm.provider).toBe('local');
    const summary = await llm.summarize({
      companyId: 'acme',
      text: 'The export fails with error E42. The export worked last week. Support suggested clearing the cache.',
    });
    expect(summary).toMatchObject({ source: 'local', model: 'local-extractive-summarizer' });
    const vectors = await llm.embed({ companyId: 'acme', texts: ['refund please', '환불해 주세요'] });
    expect(vectors.vectors).toHaveLength(2);
    expect(embedder.dimension).toBe(config.llm.localEmbeddingDimension);
    expect(llm.promptVersion('summary')).toBe('local-extractive-v1@local');
    expect(llm.promptVersion('embed')).toBe(
      `embed@local-hash-v2-${embedder.dimension}:${embedder.dimension}`,
    );
    expect(ledger.sum({ companyId: 'acme' })).toMatchObject({ calls: 2, costUsd: 0 });
  });
});
