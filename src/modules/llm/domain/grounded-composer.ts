import type { TextLanguage } from './language';
import { splitSentences } from './sentence-splitter';
import { contentTerms } from './text-features';

export interface ComposerSource {
  kind: 'ticket' | 'article';
  title?: string;
  text: string;
}

export type ComposeInput =
  | { purpose: 'answer'; language: TextLanguage; question: string; sources: ComposerSource[] }
  | {
      purpose: 'reply';
      language: TextLanguage;
      subject: string;
      body: string;
      customerName?: string;
      sources: ComposerSource[];
    };

const MAX_SOURCES = 3;
const SENTENCES_PER_SOURCE = 2;

const TEXT = {
  en: {
    answerIntro: (n: number) => `Based on ${n} related source${n === 1 ? '' : 's'}:`,
    answerNone: 'No resolved ticket or knowledge-base article found covers this question yet.',
    greeting: (name?: string) => `Hello${name ? ` ${name}` : ''},`,
    thanks: (subject: string) => `Thank you for contacting us about "${subject}".`,
    replyNone: 'We are looking into this and will get back to you with the next steps shortly.',
    closing: 'Please let us know if there is anything else we can help with.\n\nBest regards',
    note: (n: number) =>
      `[Local draft built from ${n} source${n === 1 ? '' : 's'} without an AI model. Review it before sending.]`,
  },
  ko: {
    answerIntro: (n: number) => `관련 자료 ${n}건을 바탕으로 정리했습니다:`,
    answerNone: '이 질문을 다루는 해결된 티켓이나 도움말 문서를 아직 찾지 못했습니다.',
    greeting: (name?: string) => (name ? `${name}님, 안녕하세요.` : '안녕하세요.'),
    thanks: (subject: string) => `"${subject}" 관련하여 문의해 주셔서 감사합니다.`,
    replyNone: '현재 내용을 확인하고 있으며, 다음 단계를 곧 안내해 드리겠습니다.',
    closing: '추가로 도움이 필요하시면 언제든지 말씀해 주세요.\n\n감사합니다.',
    note: (n: number) =>
      `[AI 모델 없이 자료 ${n}건으로 로컬에서 만든 초안입니다. 보내기 전에 검토해 주세요.]`,
  },
} as const;

/**
 * Builds an answer or a reply draft only from the sources it is given: from each of the best sources it
 * takes the sentences that share the most terms with the question or ticket. It never states anything no
 * source says, and it labels itself as a local draft.
 */
export function composeGrounded(input: ComposeInput): string {
  const text = TEXT[input.language];
  const queryText = input.purpose === 'answer' ? input.question : `${input.subject}\n${input.body}`;
  const queryTerms = new Set(contentTerms(queryText));
  const used = input.sources.slice(0, MAX_SOURCES);
  const excerpts = used.map((source) => pickSentences(source.text, queryTerms)).filter((e) => e.length > 0);

  if (input.purpose === 'answer') {
    const body =
      excerpts.length === 0
        ? text.answerNone
        : [
            text.answerIntro(excerpts.length),
            ...excerpts.map((e, i) => `${i + 1}. ${e.join(' ')} [${i + 1}]`),
          ].join('\n');
    return `${body}\n\n${text.note(excerpts.length)}`;
  }
  const middle = excerpts.length === 0 ? [text.replyNone] : excerpts.map((e) => e.join(' '));
  return [
    text.greeting(input.customerName),
    text.thanks(input.subject),
    ...middle,
    text.closing,
    text.note(excerpts.length),
  ].join('\n\n');
}

function pickSentences(sourceText: string, queryTerms: Set<string>): string[] {
  const sentences = splitSentences(sourceText)
    .map((sentence, index) => {
      const terms = contentTerms(sentence);
      const overlap = terms.filter((t) => queryTerms.has(t)).length;
      return { sentence, index, terms: terms.length, score: overlap + 0.1 / (index + 1) };
    })
    // Greetings and sign-offs ("Hi!", "Regards,") carry no content.
    .filter(
      (s) => s.terms >= 3 && !/^(hi|hello|dear|thank|regards|best|안녕하세요|감사합니다)/iu.test(s.sentence),
    );
  return sentences
    .sort((a, b) => b.score - a.score)
    .slice(0, SENTENCES_PER_SOURCE)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence);
}

/** Splits a text into stream chunks (a word with its trailing space) so local drafts stream like remote ones. */
export function streamChunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/gu) ?? [];
}
