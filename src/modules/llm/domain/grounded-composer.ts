import { countWords, DraftPreferences, DraftTone, fitDraftToPreferences } from './draft-preferences';
import type { TextLanguage } from './language';
import type { NumberedSources } from './numbered-sources';
import { splitSentences } from './sentence-splitter';
import { contentTerms } from './text-features';

export type ComposeInput =
  | {
      purpose: 'answer';
      language: TextLanguage;
      question: string;
      /** Earlier questions of the session, for a follow-up: their terms pick the sentences too. */
      earlierQuestions?: string[];
      sources: NumberedSources;
    }
  | {
      purpose: 'reply';
      language: TextLanguage;
      subject: string;
      body: string;
      customerName?: string;
      sources: NumberedSources;
      preferences?: DraftPreferences;
    };

const MAX_SOURCES = 3;
const SENTENCES_PER_SOURCE = 2;

type Voice = {
  greeting: (name?: string) => string;
  /** Omitted by the concise tone. */
  thanks?: (subject: string) => string;
  closing: string;
};

const TEXT = {
  en: {
    answerIntro: (n: number) => `Based on ${n} related source${n === 1 ? '' : 's'}:`,
    answerNone: 'No resolved ticket or knowledge-base article found covers this question yet.',
    replyNone: 'We are looking into this and will get back to you with the next steps shortly.',
    note: (n: number) =>
      `[Local draft built from ${n} source${n === 1 ? '' : 's'} without an AI model. Review it before sending.]`,
    voice: {
      default: {
        greeting: (name?: string) => `Hello${name ? ` ${name}` : ''},`,
        thanks: (subject: string) => `Thank you for contacting us about "${subject}".`,
        closing: 'Please let us know if there is anything else we can help with.\n\nBest regards',
      },
      friendly: {
        greeting: (name?: string) => `Hi ${name ?? 'there'}!`,
        thanks: (subject: string) => `Thanks so much for reaching out about "${subject}".`,
        closing: 'Just let us know if there is anything else we can do for you!\n\nCheers',
      },
      formal: {
        greeting: (name?: string) => `Dear ${name ?? 'Customer'},`,
        thanks: (subject: string) => `Thank you for contacting us regarding "${subject}".`,
        closing:
          'Should you require any further assistance, please do not hesitate to contact us.\n\nKind regards',
      },
      concise: { greeting: (name?: string) => `Hello${name ? ` ${name}` : ''},`, closing: 'Best regards' },
    } satisfies Record<DraftTone | 'default', Voice>,
  },
  ko: {
    answerIntro: (n: number) => `관련 자료 ${n}건을 바탕으로 정리했습니다:`,
    answerNone: '이 질문을 다루는 해결된 티켓이나 도움말 문서를 아직 찾지 못했습니다.',
    replyNone: '현재 내용을 확인하고 있으며, 다음 단계를 곧 안내해 드리겠습니다.',
    note: (n: number) =>
      `[AI 모델 없이 자료 ${n}건으로 로컬에서 만든 초안입니다. 보내기 전에 검토해 주세요.]`,
    voice: {
      default: {
        greeting: (name?: string) => (name ? `${name}님, 안녕하세요.` : '안녕하세요.'),
        thanks: (subject: string) => `"${subject}" 관련하여 문의해 주셔서 감사합니다.`,
        closing: '추가로 도움이 필요하시면 언제든지 말씀해 주세요.\n\n감사합니다.',
      },
      friendly: {
        greeting: (name?: string) => (name ? `${name}님, 안녕하세요!` : '안녕하세요, 고객님!'),
        thanks: (subject: string) => `"${subject}" 건으로 연락 주셔서 정말 고마워요.`,
        closing: '더 궁금한 점이 있으면 편하게 말씀해 주세요!\n\n좋은 하루 보내세요.',
      },
      formal: {
        greeting: (name?: string) => `${name ?? ''} 고객님께`.trim(),
        thanks: (subject: string) => `"${subject}" 관련 문의에 깊이 감사드립니다.`,
        closing: '추가 문의 사항이 있으시면 언제든지 연락 주시기 바랍니다.\n\n감사합니다.',
      },
      concise: {
        greeting: (name?: string) => (name ? `${name}님, 안녕하세요.` : '안녕하세요.'),
        closing: '감사합니다.',
      },
    } satisfies Record<DraftTone | 'default', Voice>,
  },
} as const;

/**
 * Builds an answer or a reply draft only from the sources it is given: from each of the best sources it
 * takes the sentences that share the most terms with the question or ticket. It never states anything no
 * source says, and it labels itself as a local draft. An answer cites each excerpt by its source's own
 * number (a source with no usable sentence is skipped, never renumbered). A draft follows the agent's
 * preferences: tone, signature and a word limit.
 */
export function composeGrounded(input: ComposeInput): string {
  const text = TEXT[input.language];
  const queryText =
    input.purpose === 'answer'
      ? [input.question, ...(input.earlierQuestions ?? [])].join('\n')
      : `${input.subject}\n${input.body}`;
  const queryTerms = new Set(contentTerms(queryText));
  const perSource =
    input.purpose === 'reply' && input.preferences?.tone === 'concise' ? 1 : SENTENCES_PER_SOURCE;
  const excerpts = input.sources
    .slice(0, MAX_SOURCES)
    .map((source) => ({ ref: source.ref, sentences: pickSentences(source.text, queryTerms, perSource) }))
    .filter((e) => e.sentences.length > 0);

  if (input.purpose === 'answer') {
    const body =
      excerpts.length === 0
        ? text.answerNone
        : [
            text.answerIntro(excerpts.length),
            ...excerpts.map((e) => `- ${e.sentences.join(' ')} [${e.ref}]`),
          ].join('\n');
    return `${body}\n\n${text.note(excerpts.length)}`;
  }
  const preferences = input.preferences;
  const voice: Voice = text.voice[preferences?.tone ?? 'default'];
  const signature = preferences?.signature?.trim();
  const head = [text.note(excerpts.length), voice.greeting(input.customerName)];
  if (voice.thanks) head.push(voice.thanks(input.subject));
  const tail = [signature ? `${voice.closing}\n${signature}` : voice.closing];
  // Whole sentences while they fit the word limit; the fixed parts are never cut here.
  let room = (preferences?.maxWords ?? Infinity) - countWords([...head, ...tail].join(' '));
  const middle: string[] = [];
  for (const excerpt of excerpts) {
    const fitting: string[] = [];
    for (const sentence of excerpt.sentences) {
      const words = countWords(sentence);
      if (words > room) break;
      fitting.push(sentence);
      room -= words;
    }
    if (fitting.length > 0) middle.push(fitting.join(' '));
  }
  if (middle.length === 0 && countWords(text.replyNone) <= room) middle.push(text.replyNone);
  return fitDraftToPreferences([...head, ...middle, ...tail].join('\n\n'), preferences);
}

function pickSentences(sourceText: string, queryTerms: Set<string>, count: number): string[] {
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
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence);
}

/** Splits a text into stream chunks (a word with its trailing space) so local drafts stream like remote ones. */
export function streamChunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/gu) ?? [];
}
