import { detectLanguage } from './language';

describe('detectLanguage', () => {
  it.each([
    ['환불은 언제 되나요?', 'ko'],
    ['iPhone 앱에서 로그인이 안 돼요', 'ko'],
    ['Where is my refund?', 'en'],
    ['Order 한 failed to ship from the warehouse in Seoul yesterday', 'en'],
    ['', 'en'],
  ])('%s → %s', (text, language) => expect(detectLanguage(text)).toBe(language));
});
