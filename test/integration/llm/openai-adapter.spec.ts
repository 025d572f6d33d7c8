import { getEventListeners } from 'node:events';
import OpenAI from 'openai';
import { l2Normalize } from '../../../src/modules/llm/domain/hashing-embedding';
import { ChatStreamEvent } from '../../../src/modules/llm/ports/chat-model.port';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';
import { buildLlm } from './llm-test-kit';

describe('OpenAI adapters through the real SDK against the fake server', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => (fake = await FakeOpenAiServer.start()));
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.configure({ latencyMs: 0, tokenDelayMs: 0 });
  });

  it('completes with the rendered prompt and records usage and cost that match the fake', async () => {
    const { llm, ledger } = await buildLlm(fake);
    const summary = await llm.summarize({
      companyId: 'acme',
      text: 'Printer jams on page two. Firmware update fixed it.',
    });
    const answer = await llm.answer({
      companyId: 'acme',
      question: '프린터 용지 걸림은 어떻게 해결하나요?',
      sources: [{ ref: 1, id: 'ticket:T-1', kind: 'ticket', text: 'Update the firmware to 2.1.' }],
    });
    const embedded = await llm.embed({ companyId: 'acme', texts: ['one two three', 'four five'] });

    expect(summary).toMatchObject({
      source: 'openai',
      model: 'gpt-4o-mini',
      promptVersion: 'summary-v1',
      language: 'en',
    });
    expect(answer.language).toBe('ko');
    const user = (fake.chatBodies[1].messages as { content: string }[]).at(-1)!.content;
    expect(user).toContain('Answer in Korean');
    expect(fake.chatBodies[0]).toMatchObject({ model: 'gpt-4o-mini' });

    const chat = ledger.sum({ companyId: 'acme', model: 'gpt-4o-mini' });
    expect(chat.promptTokens).toBe(fake.counters.promptTokens);
    expect(chat.completionTokens).toBe(fake.counters.completionTokens);
    expect(chat.costUsd).toBeCloseTo(
      (fake.counters.promptTokens * 0.15 + fake.counters.completionTokens * 0.6) / 1e6,
      12,
    );
    const embed = ledger.sum({ purpose: 'embed' });
    expect(embed.embeddingTokens).toBe(fake.counters.embeddingTokens);
    expect(embed.embeddingTokens).toBe(5);
    expect(embed.costUsd).toBeCloseTo((5 * 0.02) / 1e6, 12);
    expect(embedded.usage.promptTokens).toBe(5);
    expect(llm.promptVersion('answer')).toBe('answer-v3@gpt-4o-mini');
  });

  it('leaves no abort listener on a signal shared by many calls (the SDK never removes its own)', async () => {
    // No call may time out and be retried on a loaded machine: the case counts the bodies the fake received.
    const { llm } = await buildLlm(fake, { LLM_CHAT_TIMEOUT_MS: '15000' });
    const shared = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        llm.summarize({ companyId: 'acme', text: `Printer ${i} jams on page two.`, signal: shared }),
      ),
    );
    await llm.embed({ companyId: 'acme', texts: ['one two', 'three'], signal: shared });
    expect(fake.chatBodies).toHaveLength(15);
    expect(getEventListeners(shared, 'abort')).toHaveLength(0);
  });

  it('decodes base64 embeddings (the SDK default) to the vectors the fake encoded', async () => {
    const { llm } = await buildLlm(fake);
    const result = await llm.embed({
      companyId: 'acme',
      texts: ['alpha', 'beta gamma'],
      priority: 'interactive',
    });
    expect(result).toMatchObject({ source: 'openai', model: 'text-embedding-3-small' });
    result.vectors.forEach((vector, i) => {
      const expected = l2Normalize(
        Float32Array.from(FakeOpenAiServer.vectorFor(['alpha', 'beta gamma'][i], 16)),
      );
      expect(Array.from(vector)).toEqual(Array.from(expected));
    });
  });

  it('serves float embeddings and the model list as well', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: fake.url, maxRetries: 0 });
    const response = await client.embeddings.create({
      model: 'm',
      input: ['alpha'],
      encoding_format: 'float',
    });
    expect(response.data[0].embedding).toHaveLength(16);
    expect(response.data[0].embedding[0]).toBeCloseTo(FakeOpenAiServer.vectorFor('alpha', 16)[0], 6);
    const models = await client.models.list();
    expect(models.data[0].id).toBe('fake-chat');
  });

  it('splits embedding input into requests of the configured size', async () => {
    const { llm } = await buildLlm(fake, { LLM_EMBED_BATCH_INPUTS: '4' });
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
    const result = await llm.embed({ companyId: 'acme', texts });
    expect(result.vectors).toHaveLength(10);
    expect(fake.counters.embeddingCalls).toBe(3);
    expect(fake.counters.embeddingInputs).toBe(10);
  });

  it('streams tokens before the full text exists, then reports usage from the final chunk', async () => {
    fake.configure({ tokenDelayMs: 15 });
    const { llm, ledger } = await buildLlm(fake);
    const events: { event: ChatStreamEvent; completedByFake: number }[] = [];
    for await (const event of llm.streamReply({
      companyId: 'acme',
      ticket: {
        subject: 'Login',
        body: 'I cannot log in since the update, the app says session expired every time',
      },
      sources: [],
    })) {
      events.push({ event, completedByFake: fake.counters.completionTokens });
    }
    const tokens = events.filter((e) => e.event.type === 'token');
    const done = events.at(-1)!.event;
    expect(tokens.length).toBeGreaterThan(5);
    // The fake counts a completion only once it has sent all of it: the first token reached us before that.
    expect(tokens[0].completedByFake).toBe(0);
    expect(done.type).toBe('done');
    if (done.type !== 'done') return;
    expect(tokens.map((t) => (t.event.type === 'token' ? t.event.text : '')).join('')).toBe(done.result.text);
    expect(done.result.usage.completionTokens).toBe(fake.counters.completionTokens);
    expect(fake.chatBodies[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(ledger.sum().promptTokens).toBe(fake.counters.promptTokens);
  });

  it('reads the prompt cache a server reports: a draft asked again with instructions pays cached input for the shared prefix', async () => {
    const { llm, ledger } = await buildLlm(fake);
    const passage = (topic: string) =>
      Array.from({ length: 30 }, (_, i) => `The ${topic} step ${i} takes two business days to finish.`).join(
        ' ',
      );
    const request = {
      companyId: 'acme',
      ticket: { subject: 'Refund', body: 'My refund has not arrived after two weeks. What is happening?' },
      // Enough sources that the prompt passes 1,024 tokens after the prompt budget trims each one.
      sources: [
        'refund',
        'card',
        'bank',
        'statement',
        'transfer',
        'wallet',
        'voucher',
        'invoice',
        'ledger',
        'payout',
        'receipt',
        'deposit',
        'credit',
        'rebate',
      ].map((topic, i) => ({
        ref: i + 1,
        id: `article:A-${i}`,
        kind: 'article' as const,
        text: passage(topic),
      })),
    };
    const first = await llm.draftReply(request);
    expect(first.usage.promptTokens).toBeGreaterThan(1024);
    expect(first.usage.cachedPromptTokens).toBe(0);

    // Streamed, with instructions appended after the ticket: everything before them is the first prompt.
    let done: ChatStreamEvent | undefined;
    for await (const event of llm.streamReply({ ...request, instructions: 'Keep it short.' })) done = event;
    if (done?.type !== 'done') throw new Error('the stream did not finish');
    const shared = 1024 + Math.floor((first.usage.promptTokens - 1024) / 128) * 128;
    expect(done.result.usage.cachedPromptTokens).toBe(shared);
    expect(fake.counters.cachedPromptTokens).toBe(shared);

    const used = ledger.sum({ companyId: 'acme' });
    expect(used).toMatchObject({ promptTokens: fake.counters.promptTokens, cachedPromptTokens: shared });
    expect(used.costUsd).toBeCloseTo(
      ((fake.counters.promptTokens - shared) * 0.15 + shared * 0.075 + fake.counters.completionTokens * 0.6) /
        1e6,
      12,
    );

    // A prefix lives as long as the server keeps it: past its lifetime, the same prompt is read in full again.
    fake.configure({ promptCacheTtlMs: 40 });
    await llm.draftReply({ ...request, instructions: 'Be formal.' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const late = await llm.draftReply({ ...request, instructions: 'Be formal.' });
    expect(late.usage.cachedPromptTokens).toBe(0);
    fake.configure({ promptCacheTtlMs: 300_000 });
  });

  it('truncates over-long input to the token budget before sending', async () => {
    const { llm } = await buildLlm(fake, { LLM_MAX_INPUT_TOKENS: '400' });
    await llm.summarize({ companyId: 'acme', text: '결제 오류가 발생했습니다. '.repeat(2000) });
    const user = (fake.chatBodies[0].messages as { content: string }[])[1].content;
    expect(user.length).toBeLessThan(2000);
    expect(user).not.toContain('\uFFFD');
  });
});
