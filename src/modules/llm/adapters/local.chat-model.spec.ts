import { TokenCounter } from '../token-counter';
import { ChatStreamEvent, GroundingSource } from '../ports/chat-model.port';
import { LocalChatModel } from './local.chat-model';
import { HashingEmbedder } from './hashing.embedder';

const model = new LocalChatModel({ summaryMaxChars: 300, tokens: new TokenCounter() });
const sources: GroundingSource[] = [
  {
    ref: 1,
    id: 'ticket:T-1',
    kind: 'ticket',
    text: 'Hello! To reset your password open Settings and choose Reset password. A reset link is emailed within five minutes.',
  },
  {
    ref: 2,
    id: 'article:A-1',
    kind: 'article',
    title: 'Passwords',
    text: 'Reset links expire after 24 hours, so request a new reset link if yours expired.',
  },
];

describe('LocalChatModel', () => {
  it('answers in English from the sources and says it is a local draft', async () => {
    const result = await model.complete({
      companyId: 'acme',
      priority: 'interactive',
      purpose: 'answer',
      question: 'How do I reset my password?',
      sources,
    });
    expect(result.text).toContain('Settings');
    expect(result.text).toContain('[1]');
    expect(result.text).toMatch(/Local draft/);
    expect(result).toMatchObject({ source: 'local', language: 'en', promptVersion: 'local-grounded-v2' });
  });

  it('drafts a Korean reply for a Korean ticket', async () => {
    const result = await model.complete({
      companyId: 'acme',
      priority: 'interactive',
      purpose: 'reply',
      ticket: { subject: '비밀번호 재설정', body: '비밀번호를 잊어버렸어요. 어떻게 재설정하나요?' },
      sources: [
        {
          ref: 1,
          id: 'ticket:T-2',
          kind: 'ticket',
          text: '설정 메뉴에서 비밀번호 재설정을 누르시면 됩니다. 재설정 링크가 이메일로 발송됩니다.',
        },
      ],
    });
    expect(result.language).toBe('ko');
    expect(result.text).toMatch(/\n\n안녕하세요/);
    expect(result.text).toContain('재설정 링크');
    expect(result.text).toContain('로컬에서 만든 초안');
  });

  it('says so when no source covers the question', async () => {
    const result = await model.complete({
      companyId: 'acme',
      priority: 'interactive',
      purpose: 'answer',
      question: 'Why?',
      sources: [],
    });
    expect(result.text).toMatch(/No resolved ticket/);
  });

  it('streams chunk by chunk and ends with the full text', async () => {
    const events: ChatStreamEvent[] = [];
    for await (const event of model.stream({
      companyId: 'acme',
      priority: 'interactive',
      purpose: 'answer',
      question: 'reset password',
      sources,
    })) {
      events.push(event);
    }
    const tokens = events.filter((e) => e.type === 'token');
    const done = events.at(-1);
    expect(tokens.length).toBeGreaterThan(5);
    expect(done?.type).toBe('done');
    if (done?.type === 'done')
      expect(tokens.map((t) => (t.type === 'token' ? t.text : '')).join('')).toBe(done.result.text);
  });

  it('summarizes within the configured bound', async () => {
    const result = await model.complete({
      companyId: 'acme',
      priority: 'background',
      purpose: 'summary',
      text: 'The printer jams. '.repeat(10) + 'Firmware 2.1 fixed the paper jam issue.',
    });
    expect(result.text.length).toBeLessThanOrEqual(300);
    expect(result.model).toBe('local-extractive-summarizer');
  });
});

describe('HashingEmbedder', () => {
  it('embeds a batch in order, named by its dimension', async () => {
    const embedder = new HashingEmbedder(256);
    const result = await embedder.embed({
      companyId: 'acme',
      texts: ['a b c', 'password reset'],
      priority: 'background',
    });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]).toHaveLength(256);
    expect(result).toMatchObject({ model: 'local-hash-v2-256', source: 'local' });
  });
});
