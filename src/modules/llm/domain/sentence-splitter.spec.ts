import { splitSentences } from './sentence-splitter';

describe('splitSentences', () => {
  it('splits English on terminal punctuation and line breaks, not inside numbers or abbreviations', () => {
    expect(
      splitSentences('I paid 3.5 dollars, e.g. by card! Was it charged twice? Yes.\nOrder #12 is late'),
    ).toEqual(['I paid 3.5 dollars, e.g. by card!', 'Was it charged twice?', 'Yes.', 'Order #12 is late']);
  });

  it('splits Korean on 다. / 요. endings even without a following space', () => {
    expect(
      splitSentences(
        '결제가 두 번 되었습니다.환불을 요청합니다. 언제 처리되나요? 빨리 부탁드려요.\n감사합니다',
      ),
    ).toEqual([
      '결제가 두 번 되었습니다.',
      '환불을 요청합니다.',
      '언제 처리되나요?',
      '빨리 부탁드려요.',
      '감사합니다',
    ]);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences(' \n\n ')).toEqual([]);
  });
});
