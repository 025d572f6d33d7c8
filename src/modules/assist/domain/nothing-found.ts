import type { TextLanguage } from '../../llm/domain/language';

const NOTHING_FOUND: Record<TextLanguage, string> = {
  en: 'The knowledge base has nothing on this: no ticket or article is relevant enough to answer it.',
  ko: '지식 베이스에 이 질문에 대한 내용이 없습니다. 답변에 쓸 만큼 관련된 티켓이나 문서를 찾지 못했습니다.',
};

const DRAFTED_ALONE: Record<TextLanguage, string> = {
  en: 'No related ticket or article passed the relevance floor: drafted from the ticket alone.',
  ko: '관련도 기준을 넘는 티켓이나 문서가 없어 이 티켓만으로 초안을 작성했습니다.',
};

/** /query's plain answer when nothing retrieved passed the relevance floor (no model call, no sources). */
export function nothingFoundAnswer(language: TextLanguage): string {
  return NOTHING_FOUND[language];
}

/** /reply's notice when its draft had no source to ground it. */
export function draftedAloneNotice(language: TextLanguage): string {
  return DRAFTED_ALONE[language];
}
