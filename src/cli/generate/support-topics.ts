/**
 * Phrase banks for the support-data generator: helpdesk topic clusters in English and Korean. Placeholders in
 * braces ({order}, {product}, …) are filled by the generator from the slot lists below.
 */
export type Language = 'en' | 'ko';

export interface TopicText {
  subjects: string[];
  /** Description sentences; a description draws 1-6 of them (topic sentences first, then generic ones). */
  sentences: string[];
  customerFollowUps: string[];
  agentQuestions: string[];
  /** Agent replies that resolve the ticket. */
  resolutions: string[];
  articleTitles: string[];
  articleParagraphs: string[];
}

export interface SupportTopic {
  key: string;
  category: string;
  tags: string[];
  /** Relative weight of the topic among tickets (refunds and shipping dominate real helpdesks). */
  weight: number;
  /** Share of high/urgent tickets in the topic. */
  urgency: number;
  en: TopicText;
  ko: TopicText;
}

export const SLOTS: Record<Language, Record<string, string[]>> = {
  en: {
    product: [
      'wireless headphones',
      'winter jacket',
      'coffee grinder',
      'running shoes',
      'standing desk',
      'smart watch',
      'backpack',
      'air fryer',
      'yoga mat',
      'desk lamp',
    ],
    carrier: ['UPS', 'FedEx', 'DHL', 'USPS'],
    plan: ['Basic', 'Pro', 'Team', 'Business'],
    device: ['iPhone 14', 'Galaxy S23', 'Pixel 8', 'iPad', 'Android tablet'],
    city: ['Seattle', 'Austin', 'Denver', 'Boston', 'Chicago', 'Portland'],
    code: ['401', '403', '429', '500', '502', '503'],
    endpoint: ['/v2/orders', '/v2/customers', '/v2/webhooks', '/v2/invoices', '/v2/products'],
  },
  ko: {
    product: [
      '무선 이어폰',
      '겨울 패딩',
      '커피 그라인더',
      '러닝화',
      '전동 책상',
      '스마트워치',
      '백팩',
      '에어프라이어',
      '요가 매트',
      '스탠드 조명',
    ],
    carrier: ['CJ대한통운', '한진택배', '롯데택배', '우체국택배'],
    plan: ['베이직', '프로', '팀', '비즈니스'],
    device: ['아이폰 14', '갤럭시 S23', '픽셀 8', '아이패드', '갤럭시 탭'],
    city: ['서울', '부산', '대구', '인천', '광주', '대전'],
    code: ['401', '403', '429', '500', '502', '503'],
    endpoint: ['/v2/orders', '/v2/customers', '/v2/webhooks', '/v2/invoices', '/v2/products'],
  },
};

/** Sentences any ticket may carry, so topics overlap in wording the way real tickets do. */
export const GENERIC_SENTENCES: Record<Language, string[]> = {
  en: [
    'I have been a customer for several years and this never happened before.',
    'Please get back to me as soon as possible.',
    'I already contacted support by chat but nobody replied.',
    'Thanks in advance for your help.',
    'This is quite frustrating to be honest.',
    'I need this sorted out before the weekend.',
    'Let me know if you need any more information from me.',
    'My account email is the same one I am writing from.',
  ],
  ko: [
    '몇 년째 이용 중인데 이런 일은 처음입니다.',
    '최대한 빨리 답변 부탁드립니다.',
    '채팅 상담으로도 문의했는데 답이 없었어요.',
    '도움 주시면 감사하겠습니다.',
    '솔직히 많이 답답하네요.',
    '주말 전까지 꼭 해결되었으면 합니다.',
    '추가로 필요한 정보가 있으면 말씀해 주세요.',
    '계정 이메일은 지금 보내는 주소와 같습니다.',
  ],
};

export const GENERIC_AGENT: Record<Language, string[]> = {
  en: [
    'Thank you for reaching out, I am looking into this for you now.',
    'Sorry for the wait and thanks for your patience.',
    'I have escalated this to the responsible team and will update you shortly.',
  ],
  ko: [
    '문의 주셔서 감사합니다. 지금 바로 확인해 보겠습니다.',
    '답변이 늦어 죄송합니다. 기다려 주셔서 감사합니다.',
    '담당 부서에 전달했으며 곧 다시 안내드리겠습니다.',
  ],
};

export const ARTICLE_CLOSINGS: Record<Language, string[]> = {
  en: [
    'If none of the steps above help, contact support with your order number or account email and we will take it from there.',
    'Still stuck? Reply to any of our emails or open a ticket from the Help Center and an agent will get back to you within one business day.',
  ],
  ko: [
    '위 방법으로 해결되지 않으면 주문번호나 계정 이메일과 함께 고객센터로 문의해 주세요.',
    '그래도 문제가 계속되면 고객센터에서 문의를 남겨 주세요. 영업일 기준 1일 이내에 상담원이 답변드립니다.',
  ],
};

export const SUPPORT_TOPICS: SupportTopic[] = [
  {
    key: 'refund_delay',
    category: 'billing',
    tags: ['refund', 'billing', 'returns'],
    weight: 10,
    urgency: 0.3,
    en: {
      subjects: [
        'Refund not received after {days} days',
        'Still waiting for my refund for order {order}',
        'Where is my refund for the returned {product}?',
        'Refund for order {order} has not arrived yet',
        'Returned item but no refund on my card',
      ],
      sentences: [
        'I returned the {product} {days} days ago and still have not received my refund.',
        'The tracking shows the return was delivered to your warehouse last week.',
        'My bank says there is no pending credit of {amount} on my card.',
        'The order number is {order} and I paid with a credit card ending in {last4}.',
        'Your website said refunds take 5-7 business days but it has been much longer.',
        'I got an email confirming the return but nothing about the refund itself.',
      ],
      customerFollowUps: [
        'It is now {days} days and I still do not see the refund on my statement.',
        'Can you tell me exactly when the refund was issued?',
        'I checked with my bank again and they have nothing.',
      ],
      agentQuestions: [
        'Could you confirm the order number and the last four digits of the card you paid with?',
        'Could you send a photo of the return shipping label so I can trace the parcel?',
      ],
      resolutions: [
        'I have checked order {order}: the refund of {amount} was issued today to your card ending in {last4}. Banks usually show it within 3-5 business days.',
        'Our warehouse had not scanned your return. I have processed the refund of {amount} manually and you will see it within 5 business days.',
        'The refund was sent to the original payment method on the day the return arrived. I have attached the transaction reference so your bank can locate it.',
      ],
      articleTitles: [
        'How refunds work',
        'Refund timelines by payment method',
        'My refund has not arrived: what to check',
      ],
      articleParagraphs: [
        'Refunds are issued to the original payment method as soon as the returned item is scanned at our warehouse. You receive an email confirming the refund amount and the transaction reference.',
        'Card refunds usually appear on your statement within 5-7 business days. PayPal refunds are faster and typically show within 24 hours, while bank transfers can take up to 10 business days.',
        'If the refund is missing after that period, check the return tracking first: a return still in transit has not been refunded yet. Then ask your bank to look up the transaction reference from the confirmation email.',
        'Shipping costs are refunded only when the item arrived damaged or was not what you ordered. Promotional credit used on the order is returned to your account balance instead of the card.',
      ],
    },
    ko: {
      subjects: [
        '반품했는데 {days}일째 환불이 안 됐어요',
        '주문 {order} 환불 언제 되나요',
        '{product} 반품 후 환불 문의',
        '환불 금액이 카드에 들어오지 않았습니다',
      ],
      sentences: [
        '{days}일 전에 {product}을 반품했는데 아직 환불을 받지 못했습니다.',
        '배송 조회를 보면 반품 상품은 지난주에 물류센터에 도착했습니다.',
        '카드사에 확인해 보니 {amount} 환불 내역이 없다고 합니다.',
        '주문번호는 {order}이고 끝자리 {last4} 카드로 결제했습니다.',
        '홈페이지에는 영업일 5-7일이라고 되어 있는데 훨씬 더 지났어요.',
        '반품 접수 메일은 받았는데 환불 안내는 없었습니다.',
      ],
      customerFollowUps: [
        '벌써 {days}일이 지났는데 카드 명세서에 환불이 안 보여요.',
        '정확히 언제 환불 처리되었는지 알려주실 수 있나요?',
        '카드사에 다시 문의했는데 여전히 내역이 없답니다.',
      ],
      agentQuestions: [
        '주문번호와 결제하신 카드 끝 4자리를 확인해 주시겠어요?',
        '반품 송장 사진을 보내주시면 배송 경로를 추적해 보겠습니다.',
      ],
      resolutions: [
        '주문 {order} 확인 결과 오늘 끝자리 {last4} 카드로 {amount} 환불이 처리되었습니다. 카드사 반영까지 영업일 3-5일 정도 걸립니다.',
        '물류센터에서 반품 스캔이 누락되어 있었습니다. {amount} 환불을 수동으로 처리했으며 영업일 5일 이내에 확인하실 수 있습니다.',
        '반품 도착 당일 원래 결제수단으로 환불되었습니다. 카드사에서 조회할 수 있도록 승인번호를 첨부해 드렸습니다.',
      ],
      articleTitles: ['환불 처리 안내', '결제수단별 환불 소요 기간', '환불이 들어오지 않았을 때 확인할 사항'],
      articleParagraphs: [
        '반품 상품이 물류센터에서 확인되면 원래 결제수단으로 환불이 진행됩니다. 환불 금액과 승인번호가 담긴 확인 메일이 발송됩니다.',
        '카드 환불은 보통 영업일 기준 5-7일 이내에 명세서에 반영됩니다. 간편결제는 24시간 이내, 계좌이체는 최대 10영업일이 걸릴 수 있습니다.',
        '기간이 지나도 환불이 보이지 않으면 먼저 반품 배송 조회를 확인해 주세요. 그다음 확인 메일의 승인번호로 카드사에 조회를 요청하시면 됩니다.',
        '배송비는 상품 파손이나 오배송의 경우에만 환불됩니다. 주문에 사용한 적립금은 카드가 아닌 계정 적립금으로 돌려드립니다.',
      ],
    },
  },
  {
    key: 'shipping_delay',
    category: 'shipping',
    tags: ['shipping', 'delivery', 'tracking'],
    weight: 10,
    urgency: 0.3,
    en: {
      subjects: [
        'Order {order} has not arrived yet',
        'Package stuck in transit for {days} days',
        'Tracking has not updated since last week',
        'My {product} delivery is late',
        'When will my order {order} be delivered?',
      ],
      sentences: [
        'I ordered a {product} and the estimated delivery date has already passed.',
        'The {carrier} tracking page has said in transit for {days} days without any update.',
        'I need it delivered to {city} before the end of the week because it is a gift.',
        'The order number is {order} and I paid for express shipping.',
        'Nobody came to the door although the tracking said out for delivery.',
        'Could you check with the carrier what is going on?',
      ],
      customerFollowUps: [
        'Still nothing today, the tracking has not moved.',
        'Can you send a replacement instead if the parcel is lost?',
        'I would like a refund of the express shipping fee at least.',
      ],
      agentQuestions: [
        'Could you confirm the delivery address for order {order}?',
        'Could you check with your neighbours or building reception whether the parcel was left there?',
      ],
      resolutions: [
        'I opened a trace with {carrier}: the parcel was delayed at the {city} hub and is now scheduled for delivery tomorrow. I have refunded the express shipping fee.',
        '{carrier} confirmed the parcel was lost in transit, so I have shipped a replacement {product} with free express delivery. The new tracking number is in your inbox.',
        'The parcel was held because of an incomplete address. I have corrected it with {carrier} and it will be delivered within 2 business days.',
      ],
      articleTitles: ['Tracking your order', 'What to do if your package is late', 'Lost or delayed parcels'],
      articleParagraphs: [
        'Every order ships with a tracking number that we email as soon as the carrier picks up the parcel. Tracking can take up to 24 hours to show the first scan.',
        'Standard delivery takes 3-5 business days and express delivery 1-2 business days. Deliveries to remote areas and during holiday peaks can take longer.',
        'If the tracking has not updated for more than 5 business days, contact us with your order number. We open a trace with the carrier, which usually takes 2-3 days to answer.',
        'When the carrier confirms a parcel as lost, we send a replacement at no cost or refund the order in full, whichever you prefer.',
      ],
    },
    ko: {
      subjects: [
        '주문 {order} 배송이 아직 안 왔어요',
        '택배가 {days}일째 배송 중으로 멈춰 있어요',
        '배송 조회가 일주일째 업데이트가 안 됩니다',
        '{product} 배송 지연 문의',
      ],
      sentences: [
        '{product}을 주문했는데 도착 예정일이 이미 지났습니다.',
        '{carrier} 배송 조회에서 {days}일째 배송 중으로만 나옵니다.',
        '선물이라 이번 주 안에 {city}로 꼭 받아야 합니다.',
        '주문번호는 {order}이고 빠른배송 요금을 냈습니다.',
        '배송 출발이라고 떴는데 아무도 오지 않았어요.',
        '택배사에 어떻게 된 건지 확인 부탁드립니다.',
      ],
      customerFollowUps: [
        '오늘도 배송 조회가 그대로예요.',
        '분실된 거라면 재발송해 주실 수 있나요?',
        '최소한 빠른배송 요금은 환불해 주세요.',
      ],
      agentQuestions: [
        '주문 {order}의 배송지 주소를 확인해 주시겠어요?',
        '이웃이나 경비실에 맡겨졌는지 확인해 주실 수 있을까요?',
      ],
      resolutions: [
        '{carrier}에 확인한 결과 {city} 터미널에서 지연되었고 내일 배송 예정입니다. 빠른배송 요금은 환불해 드렸습니다.',
        '{carrier}에서 분실로 확인되어 {product}을 무료 빠른배송으로 재발송했습니다. 새 송장번호는 메일로 보내드렸습니다.',
        '주소가 불완전해 배송이 보류되어 있었습니다. 택배사에 수정 요청했으며 영업일 2일 이내 도착합니다.',
      ],
      articleTitles: ['주문 배송 조회 방법', '배송이 늦어질 때', '택배 분실 및 지연 처리'],
      articleParagraphs: [
        '모든 주문은 택배사 집하 후 송장번호가 메일로 발송됩니다. 첫 조회 결과가 나오기까지 최대 24시간이 걸릴 수 있습니다.',
        '일반배송은 영업일 3-5일, 빠른배송은 1-2일이 소요됩니다. 도서산간 지역이나 명절 기간에는 더 걸릴 수 있습니다.',
        '배송 조회가 영업일 5일 이상 변하지 않으면 주문번호와 함께 문의해 주세요. 택배사에 추적을 요청하며 보통 2-3일 내 답변을 받습니다.',
        '택배사에서 분실로 확인되면 무료로 재발송하거나 전액 환불해 드립니다.',
      ],
    },
  },
  {
    key: 'login_2fa',
    category: 'account',
    tags: ['login', '2fa', 'security'],
    weight: 7,
    urgency: 0.5,
    en: {
      subjects: [
        'Cannot log in, two-factor code not accepted',
        'Lost my phone and cannot pass 2FA',
        'Two-factor authentication code never arrives by SMS',
        'Locked out of my account after new phone',
        'Authenticator app codes are rejected at login',
      ],
      sentences: [
        'Every time I enter the six-digit code from my authenticator app it says the code is invalid.',
        'I switched to a new {device} and did not move the authenticator codes over.',
        'The SMS with the verification code never arrives even after several retries.',
        'I do not have the backup codes because I never saved them.',
        'I am completely locked out and cannot reach my invoices.',
        'The clock on my phone is set to automatic so it should not be a time problem.',
      ],
      customerFollowUps: [
        'I tried again this morning and it still fails.',
        'How long does the identity verification take?',
        'I sent the documents you asked for.',
      ],
      agentQuestions: [
        'For security, could you confirm the date of your last payment and the last four digits of the card?',
        'Could you tell me which authenticator app you use and whether the time on your phone is set automatically?',
      ],
      resolutions: [
        'I have verified your identity and reset two-factor authentication on your account. At the next login you will be asked to set it up again; please save the backup codes this time.',
        'The SMS provider was blocking messages to your carrier. I switched your account to authenticator-app verification and you can log in now.',
        'Your authenticator was out of sync because of the time setting. After syncing the time in the app the codes are accepted again.',
      ],
      articleTitles: [
        'Two-factor authentication',
        'Lost access to your authenticator app',
        'Not receiving login codes',
      ],
      articleParagraphs: [
        'Two-factor authentication adds a one-time code to your password. You can receive the code by SMS or generate it with an authenticator app such as Google Authenticator or 1Password.',
        'When you enable two-factor authentication we show ten backup codes. Each backup code works once; store them somewhere safe outside your phone.',
        'If codes from the authenticator app are rejected, check that the phone clock is set automatically. A clock that is off by more than 30 seconds produces codes the server refuses.',
        'Lost your phone and your backup codes? Contact support: after verifying your identity with your billing details we reset two-factor authentication so you can set it up again.',
      ],
    },
    ko: {
      subjects: [
        '로그인 시 2단계 인증 코드가 맞지 않아요',
        '휴대폰 분실로 2단계 인증을 못 해요',
        '인증번호 문자가 오지 않습니다',
        '폰 교체 후 계정에 접속할 수 없어요',
      ],
      sentences: [
        '인증 앱의 6자리 코드를 입력하면 매번 잘못된 코드라고 나옵니다.',
        '새 {device}로 바꾸면서 인증 앱을 옮기지 않았습니다.',
        '인증번호 문자를 여러 번 요청해도 오지 않아요.',
        '백업 코드는 저장해 두지 않아서 없습니다.',
        '계정에 전혀 접속할 수 없어 청구서도 못 보고 있어요.',
        '휴대폰 시간은 자동 설정으로 되어 있습니다.',
      ],
      customerFollowUps: [
        '오늘 아침에 다시 해 봤는데 여전히 안 됩니다.',
        '본인 확인은 얼마나 걸리나요?',
        '요청하신 서류를 보냈습니다.',
      ],
      agentQuestions: [
        '보안을 위해 최근 결제일과 카드 끝 4자리를 확인해 주시겠어요?',
        '어떤 인증 앱을 쓰시는지, 휴대폰 시간이 자동 설정인지 알려주세요.',
      ],
      resolutions: [
        '본인 확인이 완료되어 2단계 인증을 초기화했습니다. 다음 로그인 때 다시 설정하시고 이번에는 백업 코드를 꼭 저장해 주세요.',
        '문자 발송 업체에서 통신사로의 발송이 막혀 있었습니다. 인증 앱 방식으로 변경해 드렸으니 이제 로그인하실 수 있습니다.',
        '시간 설정 문제로 인증 앱이 어긋나 있었습니다. 앱에서 시간 동기화를 하신 뒤 코드가 정상 인식됩니다.',
      ],
      articleTitles: ['2단계 인증 안내', '인증 앱을 사용할 수 없을 때', '로그인 인증번호가 오지 않을 때'],
      articleParagraphs: [
        '2단계 인증은 비밀번호에 일회용 코드를 더해 계정을 보호합니다. 코드는 문자로 받거나 인증 앱에서 생성할 수 있습니다.',
        '2단계 인증을 켜면 백업 코드 10개가 표시됩니다. 각 코드는 한 번만 쓸 수 있으니 휴대폰이 아닌 안전한 곳에 보관하세요.',
        '인증 앱 코드가 거부되면 휴대폰 시간이 자동 설정인지 확인해 주세요. 30초 이상 어긋나면 서버가 코드를 받아들이지 않습니다.',
        '휴대폰과 백업 코드를 모두 잃어버렸다면 고객센터로 문의해 주세요. 결제 정보로 본인 확인 후 2단계 인증을 초기화해 드립니다.',
      ],
    },
  },
  {
    key: 'password_reset',
    category: 'account',
    tags: ['password', 'login', 'account'],
    weight: 7,
    urgency: 0.25,
    en: {
      subjects: [
        'Password reset email never arrives',
        'Reset link says it has expired',
        'Cannot reset my password',
        'Forgot password and reset page shows an error',
      ],
      sentences: [
        'I clicked forgot password three times but no email ever came.',
        'I checked the spam and promotions folders and there is nothing.',
        'When I open the reset link it says the link has expired or is invalid.',
        'The new password I choose is rejected without a clear reason.',
        'I can still log in on my {device} but not on the website.',
        'My email address has not changed since I signed up.',
      ],
      customerFollowUps: [
        'Still no reset email, I tried again ten minutes ago.',
        'The second link also says expired.',
        'It worked, thanks, but why did it fail before?',
      ],
      agentQuestions: [
        'Could you confirm the email address on the account so I can check the delivery logs?',
        'Are you opening the link in the same browser where you requested it?',
      ],
      resolutions: [
        'Our email provider had bounced messages to your domain. I cleared the block and sent a fresh reset link that is valid for 60 minutes.',
        'Reset links expire after 60 minutes and only the newest one works. I sent a new link; please use it right away from the latest email.',
        'The password must have at least 12 characters and cannot reuse one of your last five passwords, which is why it was rejected. You can now set a new one.',
      ],
      articleTitles: [
        'Resetting your password',
        'Password reset email not received',
        'Password requirements',
      ],
      articleParagraphs: [
        'To reset your password, choose Forgot password on the login page and enter your account email. We send a reset link that is valid for 60 minutes.',
        'Only the most recent reset link works: requesting a new one invalidates the older links. If a link says it expired, request a new one and open the newest email.',
        'Missing the email? Check spam, promotions and any filters, and add our sending address to your contacts. Corporate mail servers sometimes hold automated messages for a few minutes.',
        'Passwords need at least 12 characters and may not repeat one of your last five passwords. We recommend a password manager.',
      ],
    },
    ko: {
      subjects: [
        '비밀번호 재설정 메일이 오지 않아요',
        '재설정 링크가 만료되었다고 나와요',
        '비밀번호를 바꿀 수 없습니다',
        '비밀번호 찾기에서 오류가 납니다',
      ],
      sentences: [
        '비밀번호 찾기를 세 번이나 눌렀는데 메일이 오지 않았습니다.',
        '스팸함과 프로모션함도 확인했지만 없어요.',
        '재설정 링크를 열면 만료되었거나 잘못된 링크라고 나옵니다.',
        '새 비밀번호를 입력하면 이유 없이 거절됩니다.',
        '{device}에서는 로그인이 되는데 웹사이트에서는 안 됩니다.',
        '가입 이후 이메일 주소는 바꾼 적이 없습니다.',
      ],
      customerFollowUps: [
        '10분 전에 다시 요청했는데 여전히 메일이 없어요.',
        '두 번째 링크도 만료라고 나옵니다.',
        '이제 됐어요. 그런데 왜 안 됐던 건가요?',
      ],
      agentQuestions: [
        '발송 기록을 확인할 수 있도록 계정 이메일 주소를 알려주시겠어요?',
        '링크를 요청하신 같은 브라우저에서 여셨나요?',
      ],
      resolutions: [
        '메일 발송 업체에서 고객님 도메인으로의 메일이 반송되고 있었습니다. 차단을 해제하고 60분간 유효한 새 링크를 보내드렸습니다.',
        '재설정 링크는 60분 후 만료되며 가장 최근 링크만 유효합니다. 새 링크를 보내드렸으니 최신 메일에서 바로 사용해 주세요.',
        '비밀번호는 12자 이상이어야 하고 최근 5개와 같을 수 없어 거절되었습니다. 이제 새 비밀번호를 설정하실 수 있습니다.',
      ],
      articleTitles: ['비밀번호 재설정 방법', '재설정 메일이 오지 않을 때', '비밀번호 규칙'],
      articleParagraphs: [
        '로그인 화면에서 비밀번호 찾기를 누르고 계정 이메일을 입력하세요. 60분간 유효한 재설정 링크를 보내드립니다.',
        '가장 최근에 받은 링크만 유효합니다. 새로 요청하면 이전 링크는 무효가 되니 최신 메일을 열어 주세요.',
        '메일이 보이지 않으면 스팸함과 필터를 확인하고 발신 주소를 연락처에 추가해 주세요. 회사 메일 서버는 자동 메일을 몇 분간 보류하기도 합니다.',
        '비밀번호는 12자 이상이며 최근 사용한 5개와 달라야 합니다. 비밀번호 관리자 사용을 권장합니다.',
      ],
    },
  },
  {
    key: 'billing_invoice',
    category: 'billing',
    tags: ['billing', 'invoice', 'vat'],
    weight: 6,
    urgency: 0.2,
    en: {
      subjects: [
        'Need a corrected invoice with our VAT number',
        'Invoice for {month} is missing',
        'Charged twice on my last invoice',
        'Company name wrong on invoice',
        'How do I download past invoices?',
      ],
      sentences: [
        'Our accounting team needs the invoice to show our company name and VAT number.',
        'I was charged {amount} twice for the {plan} plan this month.',
        'The invoice for {month} does not appear in the billing section.',
        'The billing address on the invoice is our old office.',
        'We need PDF invoices for the whole last year for an audit.',
        'Could you also add the purchase order number to the invoice?',
      ],
      customerFollowUps: [
        'Our finance team is waiting on this to close the month.',
        'I still see two charges on the card.',
        'Thanks, can you also fix the previous month?',
      ],
      agentQuestions: [
        'Could you send the exact company name, address and VAT number you want on the invoice?',
        'Could you share the dates and amounts of both charges?',
      ],
      resolutions: [
        'I have reissued the invoice with your company name and VAT number; you can download the corrected PDF from Billing > Invoices.',
        'The second charge of {amount} was a duplicate authorisation. I have refunded it and it will disappear from your card within 5 business days.',
        'You can download every past invoice as PDF from Billing > Invoices. I have also emailed you a ZIP with all invoices from last year.',
      ],
      articleTitles: [
        'Downloading invoices',
        'Adding a VAT number and billing address',
        'Duplicate or unexpected charges',
      ],
      articleParagraphs: [
        'All invoices are available under Billing > Invoices as PDF files. Account owners and billing admins can download them at any time.',
        'To show your company name, address and VAT number on future invoices, update them under Billing > Details. Invoices already issued can be reissued by support.',
        'A duplicate charge is often a temporary authorisation that your bank releases within a few days. If both charges settle, contact us and we refund the duplicate.',
        'You can add a purchase order number to invoices in the billing details; it appears on every invoice issued after the change.',
      ],
    },
    ko: {
      subjects: [
        '사업자등록번호가 들어간 세금계산서가 필요해요',
        '{month} 청구서가 보이지 않습니다',
        '이번 달 요금이 두 번 결제됐어요',
        '청구서 회사명이 잘못되었습니다',
      ],
      sentences: [
        '회계팀에서 회사명과 사업자등록번호가 기재된 청구서를 요청합니다.',
        '이번 달 {plan} 요금제로 {amount}이 두 번 결제되었습니다.',
        '{month} 청구서가 결제 메뉴에 보이지 않습니다.',
        '청구서 주소가 예전 사무실로 되어 있어요.',
        '감사 때문에 작년 전체 청구서 PDF가 필요합니다.',
        '발주번호도 청구서에 넣어 주실 수 있나요?',
      ],
      customerFollowUps: [
        '재무팀이 월 마감 때문에 기다리고 있어요.',
        '카드에 아직 두 건이 보입니다.',
        '감사합니다. 지난달 것도 수정 가능할까요?',
      ],
      agentQuestions: [
        '청구서에 기재할 정확한 회사명, 주소, 사업자등록번호를 보내주시겠어요?',
        '두 결제 건의 날짜와 금액을 알려주시겠어요?',
      ],
      resolutions: [
        '회사명과 사업자등록번호를 넣어 청구서를 재발행했습니다. 결제 > 청구서에서 PDF를 내려받으실 수 있습니다.',
        '두 번째 {amount} 결제는 중복 승인이었습니다. 취소 처리했으며 영업일 5일 이내에 카드 내역에서 사라집니다.',
        '지난 청구서는 결제 > 청구서에서 PDF로 받으실 수 있습니다. 작년 청구서 전체를 압축 파일로 메일 드렸습니다.',
      ],
      articleTitles: ['청구서 내려받기', '사업자 정보와 청구 주소 등록', '중복 결제 또는 예상치 못한 청구'],
      articleParagraphs: [
        '모든 청구서는 결제 > 청구서 메뉴에서 PDF로 제공됩니다. 계정 소유자와 결제 관리자가 언제든 내려받을 수 있습니다.',
        '회사명, 주소, 사업자등록번호는 결제 > 정보에서 수정하면 이후 청구서에 반영됩니다. 이미 발행된 청구서는 고객센터에서 재발행해 드립니다.',
        '중복 결제는 대개 카드사의 임시 승인으로 며칠 내 자동 취소됩니다. 두 건 모두 매입되면 문의해 주시면 환불해 드립니다.',
        '결제 정보에 발주번호를 입력하면 이후 발행되는 모든 청구서에 표시됩니다.',
      ],
    },
  },
  {
    key: 'subscription_cancel',
    category: 'billing',
    tags: ['subscription', 'cancellation', 'billing'],
    weight: 6,
    urgency: 0.2,
    en: {
      subjects: [
        'How do I cancel my subscription?',
        'Cancel {plan} plan and stop renewal',
        'Charged after I cancelled my subscription',
        'Want to downgrade instead of cancelling',
      ],
      sentences: [
        'I want to cancel my {plan} subscription before the next renewal.',
        'I cannot find a cancel button anywhere in the account settings.',
        'I cancelled last month but was still charged {amount} today.',
        'We are moving to a different tool and no longer need the seats.',
        'Would it be possible to pause the subscription for two months instead?',
        'Please confirm in writing that nothing more will be billed.',
      ],
      customerFollowUps: [
        'Can I get a refund for this month since I did not use it?',
        'I still see the subscription as active.',
        'Will my data be kept if I come back later?',
      ],
      agentQuestions: [
        'Could you confirm the email of the account owner, since only the owner can cancel?',
        'Would you like to keep access until the end of the paid period?',
      ],
      resolutions: [
        'I have cancelled the {plan} subscription; you keep access until the end of the current period and will not be charged again.',
        'The charge of {amount} was made after your cancellation request because of a sync error. I refunded it and confirmed the cancellation.',
        'I moved you to the free plan instead of cancelling, so your data stays and nothing more is billed.',
      ],
      articleTitles: [
        'Cancelling your subscription',
        'Changing or pausing your plan',
        'Refunds after cancellation',
      ],
      articleParagraphs: [
        'The account owner can cancel under Settings > Subscription > Cancel plan. Access continues until the end of the period you already paid for.',
        'Instead of cancelling you can downgrade to a smaller plan or pause for up to three months; your data and settings stay as they are.',
        'Subscriptions are not refunded for partial periods, except when a charge happened after a confirmed cancellation. In that case support refunds it in full.',
        'After cancellation your data is kept for 90 days, so you can reactivate without losing anything.',
      ],
    },
    ko: {
      subjects: [
        '구독 해지는 어떻게 하나요?',
        '{plan} 요금제 자동 갱신 해지',
        '해지했는데 요금이 결제됐어요',
        '해지 대신 요금제를 낮추고 싶어요',
      ],
      sentences: [
        '다음 갱신 전에 {plan} 구독을 해지하고 싶습니다.',
        '계정 설정 어디에도 해지 버튼이 보이지 않아요.',
        '지난달에 해지했는데 오늘 {amount}이 결제되었습니다.',
        '다른 서비스로 옮기게 되어 더 이상 필요하지 않습니다.',
        '해지 대신 두 달 정도 일시정지할 수 있을까요?',
        '더 이상 청구되지 않는다는 것을 확인해 주세요.',
      ],
      customerFollowUps: [
        '이번 달은 사용하지 않았는데 환불 가능할까요?',
        '구독이 아직 활성으로 보입니다.',
        '나중에 다시 가입하면 데이터가 남아 있나요?',
      ],
      agentQuestions: [
        '해지는 계정 소유자만 가능하여 소유자 이메일을 확인해 주시겠어요?',
        '결제된 기간이 끝날 때까지 이용하시겠어요?',
      ],
      resolutions: [
        '{plan} 구독을 해지했습니다. 현재 결제 기간이 끝날 때까지 이용 가능하며 추가 청구는 없습니다.',
        '동기화 오류로 해지 요청 이후 {amount}이 결제되었습니다. 환불 처리했고 해지도 확인했습니다.',
        '해지 대신 무료 요금제로 변경해 드려 데이터는 유지되고 더 이상 청구되지 않습니다.',
      ],
      articleTitles: ['구독 해지 방법', '요금제 변경 및 일시정지', '해지 후 환불 기준'],
      articleParagraphs: [
        '계정 소유자는 설정 > 구독 > 해지에서 해지할 수 있습니다. 이미 결제한 기간이 끝날 때까지 이용 가능합니다.',
        '해지 대신 낮은 요금제로 변경하거나 최대 3개월간 일시정지할 수 있으며 데이터와 설정은 그대로 유지됩니다.',
        '부분 기간에 대한 환불은 제공하지 않지만 해지 확인 이후 결제된 금액은 전액 환불해 드립니다.',
        '해지 후 데이터는 90일간 보관되어 재가입 시 그대로 이용하실 수 있습니다.',
      ],
    },
  },
  {
    key: 'damaged_item',
    category: 'orders',
    tags: ['damaged', 'returns', 'replacement'],
    weight: 6,
    urgency: 0.35,
    en: {
      subjects: [
        'My item arrived damaged today',
        'My {product} arrived broken',
        'Box was crushed and the product is scratched',
        'Received a defective {product}',
      ],
      sentences: [
        'The {product} arrived today and the box was completely crushed.',
        'There is a large scratch on the side and one part is cracked.',
        'It does not turn on at all even after charging it overnight.',
        'I have photos of the damage and the packaging.',
        'I would prefer a replacement rather than a refund.',
        'The order number is {order}.',
      ],
      customerFollowUps: [
        'I attached the photos now.',
        'Do I need to send the broken one back?',
        'When will the replacement ship?',
      ],
      agentQuestions: [
        'Could you send photos of the item and the outer box?',
        'Would you like a replacement or a full refund?',
      ],
      resolutions: [
        'Thanks for the photos. I have shipped a replacement {product} at no cost and you do not need to return the damaged one.',
        'I have issued a full refund of {amount} for the damaged {product} and filed a claim with {carrier}.',
        'A prepaid return label is in your inbox; the replacement ships as soon as the carrier scans the return.',
      ],
      articleTitles: ['Damaged or defective items', 'Requesting a replacement', 'Warranty claims'],
      articleParagraphs: [
        'If an item arrives damaged, contact us within 30 days with your order number and photos of the item and the packaging.',
        'We send a replacement at no cost or refund the item in full. For low-value items you usually keep the damaged one.',
        'Items that stop working after the first 30 days are covered by the manufacturer warranty; we help you file the claim.',
        'Please keep the original packaging until the case is closed, since the carrier may ask for it as part of the damage claim.',
      ],
    },
    ko: {
      subjects: [
        '상품이 파손되어 도착했어요',
        '{product}이 깨져서 왔습니다',
        '박스가 찌그러지고 제품에 흠집이 있어요',
        '불량 {product} 교환 요청',
      ],
      sentences: [
        '오늘 {product}을 받았는데 박스가 완전히 찌그러져 있었습니다.',
        '옆면에 큰 흠집이 있고 부품 하나가 금이 갔어요.',
        '밤새 충전했는데도 전원이 전혀 켜지지 않습니다.',
        '파손 부위와 포장 사진을 찍어 두었습니다.',
        '환불보다는 교환을 원합니다.',
        '주문번호는 {order}입니다.',
      ],
      customerFollowUps: [
        '사진 첨부했습니다.',
        '파손된 상품은 반송해야 하나요?',
        '교환 상품은 언제 발송되나요?',
      ],
      agentQuestions: [
        '상품과 외부 박스 사진을 보내주시겠어요?',
        '교환과 전액 환불 중 어떤 것을 원하시나요?',
      ],
      resolutions: [
        '사진 감사합니다. {product} 교환 상품을 무료로 발송했으며 파손 상품은 반송하지 않으셔도 됩니다.',
        '파손된 {product}에 대해 {amount} 전액 환불했고 {carrier}에 파손 보상을 접수했습니다.',
        '반품 송장을 메일로 보내드렸습니다. 택배사 회수 스캔이 확인되면 바로 교환 상품을 발송합니다.',
      ],
      articleTitles: ['파손 및 불량 상품 처리', '교환 신청 방법', '제품 보증 안내'],
      articleParagraphs: [
        '상품이 파손되어 도착했다면 30일 이내에 주문번호와 상품 및 포장 사진을 보내주세요.',
        '무료로 교환해 드리거나 전액 환불해 드립니다. 저가 상품은 대부분 반송 없이 처리됩니다.',
        '수령 30일 이후 발생한 고장은 제조사 보증으로 처리되며 접수를 도와드립니다.',
        '택배사 보상 절차에 필요할 수 있으니 처리 완료 전까지 원래 포장을 보관해 주세요.',
      ],
    },
  },
  {
    key: 'api_errors',
    category: 'technical',
    tags: ['api', 'integration', 'errors'],
    weight: 5,
    urgency: 0.55,
    en: {
      subjects: [
        'API returns {code} on {endpoint}',
        'Getting {code} errors from the API since this morning',
        'Webhook deliveries to our endpoint failing',
        'Rate limit {code} too many requests',
        'API key suddenly rejected',
      ],
      sentences: [
        'Since this morning every request to {endpoint} returns HTTP {code}.',
        'Our integration worked fine for months and we did not change anything.',
        'We send about 50 requests per second at peak.',
        'The response body only says internal error with a request id.',
        'Webhook deliveries to our endpoint have been failing with timeouts.',
        'This is blocking our production checkout.',
      ],
      customerFollowUps: [
        'Here is a request id from one of the failed calls.',
        'It is still happening for about 10% of calls.',
        'Is there a status page we can follow?',
      ],
      agentQuestions: [
        'Could you share a request id and the timestamp of a failing call?',
        'Which API key prefix and region are you using?',
      ],
      resolutions: [
        'One of our API nodes in your region was failing and returned {code}. It has been replaced and error rates are back to normal.',
        'Your key hit the rate limit of 25 requests per second. I raised the limit for your account; please also retry with backoff on 429.',
        'The API key was rotated by a team member yesterday. Generating a new key under Settings > API fixed the 401 errors.',
      ],
      articleTitles: ['API error codes', 'Rate limits and retries', 'Troubleshooting webhooks'],
      articleParagraphs: [
        '401 means the API key is missing or revoked, 403 that the key lacks the scope for the endpoint, and 429 that you exceeded the rate limit.',
        'Each key can send 25 requests per second. Honour the Retry-After header and retry with exponential backoff and jitter.',
        '5xx errors are on our side. Retry idempotent requests and include the request id from the response when you contact support.',
        'Webhooks are retried for 24 hours with backoff. Your endpoint must answer within 10 seconds with a 2xx status, otherwise the delivery counts as failed.',
      ],
    },
    ko: {
      subjects: [
        '{endpoint} 호출 시 {code} 오류',
        '오늘 아침부터 API {code} 에러가 납니다',
        '웹훅 전송이 실패합니다',
        'API 키가 갑자기 거부돼요',
      ],
      sentences: [
        '오늘 아침부터 {endpoint} 요청마다 HTTP {code}가 반환됩니다.',
        '몇 달간 잘 되던 연동이고 저희는 아무것도 바꾸지 않았습니다.',
        '피크 시간에 초당 50건 정도 요청합니다.',
        '응답 본문에는 request id와 내부 오류라고만 나옵니다.',
        '저희 서버로 오는 웹훅이 타임아웃으로 실패하고 있어요.',
        '운영 중인 결제 화면이 막혀 있습니다.',
      ],
      customerFollowUps: [
        '실패한 호출의 request id를 첨부합니다.',
        '아직도 약 10% 호출이 실패합니다.',
        '확인할 수 있는 상태 페이지가 있나요?',
      ],
      agentQuestions: [
        '실패한 호출의 request id와 시각을 알려주시겠어요?',
        '사용 중인 API 키 접두어와 리전을 알려주세요.',
      ],
      resolutions: [
        '해당 리전의 API 노드 하나에 장애가 있어 {code}를 반환했습니다. 교체 후 오류율이 정상으로 돌아왔습니다.',
        '초당 25건 호출 한도를 초과했습니다. 계정 한도를 올려 드렸으며 429 응답에는 백오프 재시도를 적용해 주세요.',
        '어제 팀원이 API 키를 교체했습니다. 설정 > API에서 새 키를 발급하여 401 오류가 해결되었습니다.',
      ],
      articleTitles: ['API 오류 코드', '호출 한도와 재시도', '웹훅 문제 해결'],
      articleParagraphs: [
        '401은 API 키가 없거나 폐기된 경우, 403은 키에 해당 권한이 없는 경우, 429는 호출 한도를 넘은 경우입니다.',
        '키마다 초당 25건까지 호출할 수 있습니다. Retry-After 헤더를 따르고 지수 백오프로 재시도하세요.',
        '5xx 오류는 저희 측 문제입니다. 멱등한 요청은 재시도하고 문의 시 응답의 request id를 함께 보내주세요.',
        '웹훅은 24시간 동안 재전송됩니다. 수신 서버는 10초 이내에 2xx로 응답해야 하며 그렇지 않으면 실패로 처리됩니다.',
      ],
    },
  },
  {
    key: 'account_deletion',
    category: 'account',
    tags: ['account', 'privacy', 'gdpr'],
    weight: 4,
    urgency: 0.2,
    en: {
      subjects: [
        'Please delete my account and personal data',
        'GDPR request to erase my data',
        'How do I close my account permanently?',
      ],
      sentences: [
        'I would like my account and all personal data deleted permanently.',
        'This is a formal request under GDPR article 17.',
        'I no longer use the service and do not want marketing emails either.',
        'Please confirm once the deletion is complete.',
        'I have no open orders or subscriptions.',
      ],
      customerFollowUps: [
        'How long does the deletion take?',
        'I still received a newsletter yesterday.',
        'Is my order history deleted too?',
      ],
      agentQuestions: [
        'For security, could you confirm the request from the email address on the account?',
        'Do you want us to export your data before deletion?',
      ],
      resolutions: [
        'Your account and personal data have been deleted. Invoices are kept for 10 years as required by tax law, without marketing use.',
        'I have scheduled the deletion; it completes within 30 days and you will receive a confirmation email. Marketing emails stopped immediately.',
      ],
      articleTitles: ['Deleting your account', 'Your privacy rights'],
      articleParagraphs: [
        'You can delete your account under Settings > Privacy > Delete account. Deletion is permanent and cannot be undone.',
        'We erase personal data within 30 days of the request. Invoices and tax records are kept for the legally required period.',
        'Before deleting, you can export your data as a ZIP file from the same page.',
        'You can unsubscribe from marketing emails at any time without deleting your account.',
      ],
    },
    ko: {
      subjects: ['계정과 개인정보를 삭제해 주세요', '개인정보 삭제 요청', '회원 탈퇴는 어떻게 하나요?'],
      sentences: [
        '계정과 모든 개인정보를 영구 삭제해 주세요.',
        '개인정보 보호법에 따른 정식 삭제 요청입니다.',
        '더 이상 서비스를 쓰지 않고 광고 메일도 받고 싶지 않습니다.',
        '삭제가 완료되면 확인 부탁드립니다.',
        '진행 중인 주문이나 구독은 없습니다.',
      ],
      customerFollowUps: [
        '삭제까지 얼마나 걸리나요?',
        '어제도 뉴스레터가 왔어요.',
        '주문 내역도 삭제되나요?',
      ],
      agentQuestions: [
        '보안을 위해 계정에 등록된 이메일로 요청을 확인해 주시겠어요?',
        '삭제 전에 데이터를 내려받으시겠어요?',
      ],
      resolutions: [
        '계정과 개인정보를 삭제했습니다. 청구서는 세법에 따라 보관되며 마케팅에는 사용되지 않습니다.',
        '삭제를 예약했으며 30일 이내에 완료되고 확인 메일을 보내드립니다. 광고 메일은 즉시 중단되었습니다.',
      ],
      articleTitles: ['회원 탈퇴 방법', '개인정보 관련 권리'],
      articleParagraphs: [
        '설정 > 개인정보 > 계정 삭제에서 탈퇴할 수 있습니다. 삭제는 되돌릴 수 없습니다.',
        '요청 후 30일 이내에 개인정보를 삭제합니다. 청구서와 세무 자료는 법정 기간 동안 보관됩니다.',
        '삭제 전에 같은 화면에서 데이터를 압축 파일로 내려받을 수 있습니다.',
        '계정 삭제 없이도 광고 메일은 언제든 수신 거부할 수 있습니다.',
      ],
    },
  },
  {
    key: 'address_change',
    category: 'orders',
    tags: ['address', 'shipping', 'orders'],
    weight: 5,
    urgency: 0.3,
    en: {
      subjects: [
        'Change shipping address on order {order}',
        'Wrong delivery address entered',
        'Can I update my address after ordering?',
        'Moved to {city}, need to update address',
      ],
      sentences: [
        'I just placed order {order} and realised the shipping address is wrong.',
        'I moved to {city} last month and forgot to update my profile.',
        'The apartment number is missing from the address.',
        'The order has not shipped yet according to the status page.',
        'Please send it to my office address instead.',
      ],
      customerFollowUps: [
        'Has the address been changed?',
        'The tracking still shows the old address.',
        'Thanks, can you also update my default address?',
      ],
      agentQuestions: [
        'Could you send the full new address including the postcode?',
        'Is the order already marked as shipped on your side?',
      ],
      resolutions: [
        'The order had not shipped yet, so I updated the address to your new one in {city}. The confirmation email reflects the change.',
        'The parcel had already left, so I asked {carrier} to redirect it to the new address; expect one extra day.',
      ],
      articleTitles: ['Changing your shipping address', 'Updating your default address'],
      articleParagraphs: [
        'You can change the shipping address of an order until it is marked as shipped, under Orders > Details > Edit address.',
        'Once an order has shipped, contact support: we ask the carrier to redirect the parcel, which may add a day to delivery.',
        'Your default address is used for new orders only. Update it under Account > Addresses.',
      ],
    },
    ko: {
      subjects: [
        '주문 {order} 배송지 변경 요청',
        '배송 주소를 잘못 입력했어요',
        '주문 후 주소를 바꿀 수 있나요?',
        '{city}로 이사해서 주소 변경이 필요합니다',
      ],
      sentences: [
        '방금 주문 {order}을 했는데 배송지가 잘못되어 있습니다.',
        '지난달 {city}로 이사했는데 프로필을 수정하지 않았어요.',
        '주소에 동호수가 빠져 있습니다.',
        '주문 상태를 보면 아직 발송 전입니다.',
        '회사 주소로 보내 주세요.',
      ],
      customerFollowUps: [
        '주소 변경되었나요?',
        '배송 조회에 아직 예전 주소가 나와요.',
        '감사합니다. 기본 배송지도 바꿔 주실 수 있나요?',
      ],
      agentQuestions: [
        '우편번호를 포함한 새 주소 전체를 보내주시겠어요?',
        '주문이 이미 발송 완료로 표시되어 있나요?',
      ],
      resolutions: [
        '아직 발송 전이라 {city}의 새 주소로 변경했습니다. 확인 메일에 변경 내용이 반영되어 있습니다.',
        '이미 발송된 상태라 {carrier}에 새 주소로 배송지 변경을 요청했습니다. 하루 정도 더 걸릴 수 있습니다.',
      ],
      articleTitles: ['배송지 변경 방법', '기본 배송지 수정'],
      articleParagraphs: [
        '발송 완료 전까지는 주문 > 상세 > 주소 수정에서 배송지를 변경할 수 있습니다.',
        '이미 발송된 주문은 고객센터로 문의해 주세요. 택배사에 배송지 변경을 요청하며 하루 정도 더 걸릴 수 있습니다.',
        '기본 배송지는 새 주문에만 적용됩니다. 계정 > 주소에서 수정하세요.',
      ],
    },
  },
  {
    key: 'wrong_item',
    category: 'orders',
    tags: ['wrong-item', 'returns', 'orders'],
    weight: 4,
    urgency: 0.3,
    en: {
      subjects: [
        'Received the wrong item',
        'Ordered a {product} but got something else',
        'Wrong size and colour delivered',
      ],
      sentences: [
        'I ordered a {product} but the box contained a completely different product.',
        'The size and colour do not match what I selected.',
        'The packing slip shows my order number {order} but the item is wrong.',
        'I need the correct item for an event this weekend.',
      ],
      customerFollowUps: [
        'How do I send the wrong one back?',
        'Can you ship the right one before I return this?',
      ],
      agentQuestions: ['Could you send a photo of the item you received and the packing slip?'],
      resolutions: [
        'Sorry for the mix-up. I shipped the correct {product} with express delivery and emailed a prepaid label for the wrong item.',
        'The correct item is out of stock, so I refunded {amount} in full; please keep or donate the wrong item.',
      ],
      articleTitles: ['Received the wrong item', 'Exchanges'],
      articleParagraphs: [
        'If you received the wrong item, send us a photo of it and the packing slip. We ship the correct item right away, before the return arrives.',
        'Returns of wrong items are always free: we email a prepaid label valid for 30 days.',
        'Exchanges for a different size or colour are free within 30 days of delivery.',
      ],
    },
    ko: {
      subjects: [
        '다른 상품이 배송되었어요',
        '{product}을 주문했는데 다른 게 왔어요',
        '사이즈와 색상이 다르게 왔습니다',
      ],
      sentences: [
        '{product}을 주문했는데 박스에 전혀 다른 상품이 들어 있었습니다.',
        '사이즈와 색상이 제가 선택한 것과 다릅니다.',
        '거래명세서에는 주문번호 {order}이 있는데 상품이 다릅니다.',
        '이번 주말 행사에 필요해서 정확한 상품이 꼭 필요합니다.',
      ],
      customerFollowUps: [
        '잘못 온 상품은 어떻게 반송하나요?',
        '반송 전에 맞는 상품을 먼저 보내주실 수 있나요?',
      ],
      agentQuestions: ['받으신 상품과 거래명세서 사진을 보내주시겠어요?'],
      resolutions: [
        '혼선을 드려 죄송합니다. 맞는 {product}을 빠른배송으로 보냈고 잘못 간 상품의 반품 송장을 메일로 드렸습니다.',
        '해당 상품이 품절이라 {amount} 전액 환불했습니다. 잘못 간 상품은 반송하지 않으셔도 됩니다.',
      ],
      articleTitles: ['오배송 상품 처리', '교환 안내'],
      articleParagraphs: [
        '다른 상품을 받으셨다면 상품과 거래명세서 사진을 보내주세요. 반품 도착 전에 맞는 상품을 먼저 보내드립니다.',
        '오배송 반품은 항상 무료이며 30일간 유효한 반품 송장을 메일로 드립니다.',
        '사이즈나 색상 교환은 수령 후 30일 이내 무료입니다.',
      ],
    },
  },
  {
    key: 'promo_code',
    category: 'billing',
    tags: ['promo', 'discount', 'checkout'],
    weight: 4,
    urgency: 0.1,
    en: {
      subjects: [
        'Promo code not working at checkout',
        'Discount code {promo} says invalid',
        'Forgot to apply my coupon to the order',
      ],
      sentences: [
        'The promo code {promo} from your newsletter says it is invalid.',
        'The discount disappeared when I went to the payment step.',
        'I forgot to enter the coupon before paying for order {order}.',
        'The code should still be valid until the end of the month.',
      ],
      customerFollowUps: [
        'Can you apply the discount after the fact?',
        'I tried in another browser as well.',
      ],
      agentQuestions: ['Could you tell me the exact code and what is in your cart?'],
      resolutions: [
        'The code {promo} excludes items already on sale, which is why it did not apply. I refunded the 15% difference as a goodwill gesture.',
        'I applied the discount to order {order} after the fact and refunded {amount} to your card.',
      ],
      articleTitles: ['Using promo codes', 'Why a discount code does not apply'],
      articleParagraphs: [
        'Enter promo codes in the cart before going to payment. Only one code can be used per order.',
        'Codes can exclude sale items, gift cards or certain brands, and most have a minimum order value and an expiry date.',
        'Forgot a code? Contact support within 7 days of the order and we apply it retroactively.',
      ],
    },
    ko: {
      subjects: [
        '할인 코드가 결제 시 적용되지 않아요',
        '쿠폰 {promo}이 유효하지 않다고 나옵니다',
        '주문할 때 쿠폰 적용을 깜빡했어요',
      ],
      sentences: [
        '뉴스레터에서 받은 할인 코드 {promo}이 유효하지 않다고 나옵니다.',
        '결제 단계로 넘어가니 할인이 사라졌어요.',
        '주문 {order} 결제 전에 쿠폰 입력을 잊었습니다.',
        '이번 달 말까지 유효한 코드로 알고 있어요.',
      ],
      customerFollowUps: ['지금이라도 할인 적용이 가능할까요?', '다른 브라우저에서도 해 봤어요.'],
      agentQuestions: ['정확한 코드와 장바구니 상품을 알려주시겠어요?'],
      resolutions: [
        '{promo} 코드는 세일 상품에는 적용되지 않아 할인이 빠졌습니다. 고객님께 15% 차액을 환불해 드렸습니다.',
        '주문 {order}에 할인을 사후 적용하여 {amount}을 카드로 환불했습니다.',
      ],
      articleTitles: ['할인 코드 사용 방법', '할인 코드가 적용되지 않는 이유'],
      articleParagraphs: [
        '할인 코드는 결제 전 장바구니에서 입력하세요. 주문당 하나의 코드만 사용할 수 있습니다.',
        '세일 상품, 상품권, 일부 브랜드는 제외될 수 있으며 대부분 최소 주문 금액과 유효기간이 있습니다.',
        '코드를 깜빡하셨다면 주문 후 7일 이내에 문의해 주세요. 사후 적용해 드립니다.',
      ],
    },
  },
  {
    key: 'payment_declined',
    category: 'billing',
    tags: ['payment', 'card', 'checkout'],
    weight: 5,
    urgency: 0.4,
    en: {
      subjects: [
        'Payment declined at checkout',
        'Card keeps getting rejected',
        'Cannot renew subscription, payment failed',
        'Checkout error when paying by card',
      ],
      sentences: [
        'My card is declined at checkout although it works everywhere else.',
        'The error just says payment could not be processed.',
        'The renewal of my {plan} plan failed and the account is now restricted.',
        'My bank says they did not block anything on their side.',
        'I tried two different cards with the same result.',
      ],
      customerFollowUps: ['I updated the card but it still fails.', 'Will I lose access to my account?'],
      agentQuestions: [
        'Does your bank require 3-D Secure confirmation in their app for online payments?',
        'Is the billing address on the card the same as in your account?',
      ],
      resolutions: [
        'The payment was declined by 3-D Secure. After approving it in your banking app the renewal went through and the account is active again.',
        'The billing postcode did not match the card. After correcting it the payment of {amount} succeeded.',
      ],
      articleTitles: ['Payment declined', 'Updating your payment method'],
      articleParagraphs: [
        'Most declines come from the bank: insufficient funds, 3-D Secure not confirmed, or a billing address that does not match the card.',
        'Update your card under Billing > Payment method. We retry a failed renewal three times over seven days before restricting the account.',
        'We accept Visa, Mastercard, American Express and PayPal. Prepaid cards may be declined for subscriptions.',
      ],
    },
    ko: {
      subjects: ['결제가 거절되었어요', '카드 결제가 계속 실패합니다', '구독 갱신 결제가 실패했어요'],
      sentences: [
        '다른 곳에서는 잘 되는 카드인데 결제 단계에서 거절됩니다.',
        '오류 메시지에는 결제를 처리할 수 없다고만 나옵니다.',
        '{plan} 요금제 갱신 결제가 실패해 계정이 제한되었습니다.',
        '카드사에서는 차단한 것이 없다고 합니다.',
        '카드 두 장으로 해 봤는데 결과가 같아요.',
      ],
      customerFollowUps: ['카드를 바꿨는데도 여전히 실패합니다.', '계정을 못 쓰게 되나요?'],
      agentQuestions: [
        '카드사 앱에서 온라인 결제 추가 인증이 필요한지 확인해 주시겠어요?',
        '카드 청구지 주소가 계정 주소와 같나요?',
      ],
      resolutions: [
        '카드사 추가 인증 단계에서 거절되었습니다. 앱에서 승인하신 뒤 갱신 결제가 완료되어 계정이 정상화되었습니다.',
        '청구지 우편번호가 카드 정보와 달랐습니다. 수정 후 {amount} 결제가 완료되었습니다.',
      ],
      articleTitles: ['결제 거절 안내', '결제수단 변경'],
      articleParagraphs: [
        '결제 거절은 대부분 카드사 사유입니다. 잔액 부족, 추가 인증 미완료, 청구지 주소 불일치 등을 확인해 주세요.',
        '결제 > 결제수단에서 카드를 변경할 수 있습니다. 갱신 실패 시 7일 동안 세 번 재시도한 뒤 계정이 제한됩니다.',
        '국내외 주요 카드와 간편결제를 지원합니다. 선불카드는 정기결제에 사용이 제한될 수 있습니다.',
      ],
    },
  },
  {
    key: 'data_export',
    category: 'technical',
    tags: ['export', 'data', 'reports'],
    weight: 3,
    urgency: 0.2,
    en: {
      subjects: [
        'How can I export all my data to CSV?',
        'Export job stuck at processing',
        'Report export missing columns',
      ],
      sentences: [
        'I need to export all customer records to CSV for our new CRM.',
        'The export has been stuck at processing for {days} hours.',
        'The downloaded file is missing the created date and tags columns.',
        'We have roughly 200,000 records in the account.',
      ],
      customerFollowUps: ['The export finished but the file is empty.', 'Can I schedule a weekly export?'],
      agentQuestions: ['Which export type and date range did you choose?'],
      resolutions: [
        'Large exports run in the background; yours was stuck behind a failed job, which I restarted. The CSV link has been emailed to you.',
        'The columns are optional in the export dialog; enabling Include metadata adds the created date and tags.',
      ],
      articleTitles: ['Exporting your data', 'Scheduled exports'],
      articleParagraphs: [
        'Go to Settings > Data > Export, pick the records and date range and choose CSV or JSON. Large exports run in the background and we email a download link.',
        'Download links are valid for 7 days. Exports above one million rows are split into several files.',
        'Business plans can schedule daily or weekly exports to an S3 bucket or SFTP server.',
      ],
    },
    ko: {
      subjects: [
        '전체 데이터를 CSV로 내보내려면?',
        '내보내기가 처리 중에서 멈춰 있어요',
        '보고서 내보내기에 컬럼이 빠졌어요',
      ],
      sentences: [
        '새 CRM으로 옮기기 위해 고객 데이터 전체를 CSV로 내보내야 합니다.',
        '내보내기가 {days}시간째 처리 중입니다.',
        '받은 파일에 생성일과 태그 컬럼이 없습니다.',
        '계정에 약 20만 건의 데이터가 있습니다.',
      ],
      customerFollowUps: ['내보내기가 끝났는데 파일이 비어 있어요.', '매주 자동으로 내보낼 수 있나요?'],
      agentQuestions: ['어떤 내보내기 유형과 기간을 선택하셨나요?'],
      resolutions: [
        '대용량 내보내기는 백그라운드로 실행되는데 실패한 작업 뒤에 멈춰 있어 재시작했습니다. CSV 링크를 메일로 보내드렸습니다.',
        '내보내기 창에서 메타데이터 포함을 선택하면 생성일과 태그 컬럼이 추가됩니다.',
      ],
      articleTitles: ['데이터 내보내기', '예약 내보내기'],
      articleParagraphs: [
        '설정 > 데이터 > 내보내기에서 항목과 기간을 고르고 CSV 또는 JSON을 선택하세요. 대용량은 백그라운드로 처리되며 다운로드 링크를 메일로 보내드립니다.',
        '다운로드 링크는 7일간 유효합니다. 100만 행이 넘으면 여러 파일로 나뉩니다.',
        '비즈니스 요금제는 S3나 SFTP로 매일 또는 매주 자동 내보내기를 예약할 수 있습니다.',
      ],
    },
  },
  {
    key: 'notification_email',
    category: 'technical',
    tags: ['email', 'notifications'],
    weight: 3,
    urgency: 0.15,
    en: {
      subjects: [
        'Not receiving order confirmation emails',
        'Too many notification emails',
        'Email notifications stopped working',
      ],
      sentences: [
        'I have not received any order confirmation or shipping emails lately.',
        'Our team gets a notification for every single comment and it is too much.',
        'The notifications stopped arriving about a week ago.',
        'Nothing is in the spam folder either.',
      ],
      customerFollowUps: ['Still no emails after the change.', 'Can I get a daily digest instead?'],
      agentQuestions: ['Could you check whether notifications are enabled under Settings > Notifications?'],
      resolutions: [
        'Your address was on our suppression list after a bounce. I removed it and the emails are arriving again.',
        'I switched your team to the daily digest, so you get one summary email per day instead of one per comment.',
      ],
      articleTitles: ['Managing email notifications', 'Emails not arriving'],
      articleParagraphs: [
        'Choose which events send emails under Settings > Notifications. Each user controls their own notifications.',
        'If an email bounces, we pause sending to that address to protect deliverability. Support can lift the pause once the mailbox works again.',
        'A daily digest groups all notifications of the day into one email sent at 8:00 in your time zone.',
      ],
    },
    ko: {
      subjects: [
        '주문 확인 메일이 오지 않아요',
        '알림 메일이 너무 많이 와요',
        '이메일 알림이 중단되었습니다',
      ],
      sentences: [
        '최근 주문 확인이나 배송 메일을 전혀 받지 못했습니다.',
        '댓글 하나마다 알림이 와서 팀원들이 힘들어합니다.',
        '일주일 전쯤부터 알림이 오지 않아요.',
        '스팸함에도 없습니다.',
      ],
      customerFollowUps: ['설정을 바꿨는데도 메일이 안 와요.', '하루 요약 메일로 받을 수 있나요?'],
      agentQuestions: ['설정 > 알림에서 알림이 켜져 있는지 확인해 주시겠어요?'],
      resolutions: [
        '반송 이력 때문에 고객님 주소가 발송 제외 목록에 있었습니다. 해제했으며 이제 메일이 정상 발송됩니다.',
        '팀 알림을 하루 요약으로 변경해 댓글마다가 아니라 하루 한 번 요약 메일이 발송됩니다.',
      ],
      articleTitles: ['이메일 알림 설정', '메일이 오지 않을 때'],
      articleParagraphs: [
        '설정 > 알림에서 어떤 이벤트에 메일을 받을지 선택하세요. 알림 설정은 사용자마다 따로 관리됩니다.',
        '메일이 반송되면 발송 품질을 위해 해당 주소로의 발송을 중지합니다. 메일함이 정상화되면 고객센터에서 해제해 드립니다.',
        '하루 요약은 그날의 알림을 모아 오전 8시에 한 통의 메일로 보내드립니다.',
      ],
    },
  },
  {
    key: 'app_crash',
    category: 'technical',
    tags: ['mobile', 'app', 'bug'],
    weight: 4,
    urgency: 0.35,
    en: {
      subjects: [
        'App crashes on startup',
        'Mobile app closes when I open my orders',
        'App freezes after the latest update on {device}',
      ],
      sentences: [
        'Since the latest update the app crashes as soon as I open it on my {device}.',
        'I already tried reinstalling the app and restarting the phone.',
        'It closes every time I tap on my orders.',
        'The website works fine, only the app is affected.',
      ],
      customerFollowUps: ['Still crashing with the new version.', 'Is there a fix coming?'],
      agentQuestions: ['Which app version and operating system version are you on?'],
      resolutions: [
        'This was a bug in version 5.2 affecting {device} users. Version 5.2.1 with the fix is now in the store; after updating the app opens normally.',
        'Clearing the app cache under Settings > Apps removed the corrupted offline data and the app works again.',
      ],
      articleTitles: ['Troubleshooting the mobile app', 'Supported devices'],
      articleParagraphs: [
        'If the app crashes, first update it to the latest version from the store, then restart your phone.',
        'Still crashing? Clear the app cache or reinstall the app. Your data is stored in your account and is not lost.',
        'The app supports iOS 16 or later and Android 10 or later.',
      ],
    },
    ko: {
      subjects: [
        '앱이 실행하자마자 꺼져요',
        '주문 내역을 열면 앱이 종료됩니다',
        '{device}에서 업데이트 후 앱이 멈춰요',
      ],
      sentences: [
        '최근 업데이트 이후 {device}에서 앱을 열자마자 종료됩니다.',
        '앱 재설치와 휴대폰 재시작을 이미 해 봤습니다.',
        '주문 내역을 누를 때마다 앱이 꺼집니다.',
        '웹사이트는 잘 되고 앱만 문제입니다.',
      ],
      customerFollowUps: ['새 버전에서도 계속 꺼져요.', '수정 예정이 있나요?'],
      agentQuestions: ['앱 버전과 운영체제 버전을 알려주시겠어요?'],
      resolutions: [
        '5.2 버전에서 {device} 사용자에게 발생한 버그였습니다. 수정된 5.2.1 버전이 스토어에 올라왔으며 업데이트 후 정상 작동합니다.',
        '설정 > 앱에서 캐시를 삭제하니 손상된 오프라인 데이터가 지워져 앱이 정상 작동합니다.',
      ],
      articleTitles: ['모바일 앱 문제 해결', '지원 기기 안내'],
      articleParagraphs: [
        '앱이 종료되면 먼저 스토어에서 최신 버전으로 업데이트하고 휴대폰을 재시작해 주세요.',
        '계속 종료되면 앱 캐시를 삭제하거나 재설치해 주세요. 데이터는 계정에 저장되어 있어 사라지지 않습니다.',
        'iOS 16 이상, 안드로이드 10 이상을 지원합니다.',
      ],
    },
  },
];
