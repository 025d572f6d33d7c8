/**
 * Does a /query question need the session's ticket in its prompt? The ticket always steers nothing but the
 * prompt: a knowledge question ("Can an order be cancelled after it has shipped?") is answered from the
 * retrieved sources alone, so one company-wide answer serves every agent who asks it, whatever ticket is open.
 * The ticket is put in the prompt when any of these holds (conservative: a false "needed" only costs tokens,
 * a false "not needed" could lose the case's facts):
 *  - reference: the question points at the case or its people: "this"/"that" + a noun, "the customer",
 *    "the ticket", "the case", a third-person or possessive pronoun (he, she, they, his, her, their, ...),
 *    or the Korean equivalents (이/그 + noun, 고객, 제가/내가); a first-person possessive (my, mine, 제/내/저의/
 *    나의: an agent has no card or account of their own in a helpdesk, so "my card" quotes the customer)
 *    counts when the ticket mentions the thing possessed: "my card" on a password-reset ticket quotes a
 *    customer of the question, not this one, and the ticket has nothing to add to the answer;
 *  - identifier: a token with a digit (an order number, an error code) that appears in the ticket;
 *  - salient term: a content word of the question that the ticket contains and no retrieved source does;
 *  - no sources: retrieval found nothing (or was cut short), so the ticket is the only grounding there is.
 * A bare "I"/"me" does not count: it is the agent's own voice ("What should I do when ...").
 */
export type TicketNeed = 'reference' | 'identifier' | 'salient-term' | 'no-sources';

/**
 * Does a /query question follow up on the session's earlier turns? The same rule as for the ticket: only
 * then do the turns go into the prompt and the cache key, so an independent question ("How do I reset my
 * password?") still shares the company-wide answer. A follow-up (conservative again: a false "yes" only
 * costs the shared entry):
 *  - continuation: it opens with a connective ("and ...", "what about ...", "then ...", 그럼/그리고/그러면 ...);
 *  - anaphora: it points back with a pronoun that nothing earlier in the question stands for ("how long does
 *    that take?", "is it free?", 그거/그건/거기 ...; not "Can an order be cancelled after it has shipped?");
 *  - elliptical: two words or fewer ("why?", "how long?").
 */
export type HistoryNeed = 'continuation' | 'anaphora' | 'elliptical';

export function historyNeededFor(input: { question: string; turns: number }): HistoryNeed | null {
  if (input.turns === 0) return null;
  const question = input.question.normalize('NFC').trim();
  if (CONTINUATION_EN.test(question) || CONTINUATION_KO.test(question)) return 'continuation';
  const pronoun = ANAPHORA_EN.exec(question);
  if ((pronoun && !hasAntecedent(question.slice(0, pronoun.index))) || ANAPHORA_KO.test(question))
    return 'anaphora';
  if (tokensOf(question).length <= 2) return 'elliptical';
  return null;
}

const CONTINUATION_EN =
  /^(?:and|also|but|so|then|or|plus|what about|how about|what if|and if|in that case|same for)\b/i;
const CONTINUATION_KO = /^(?:그럼|그러면|그리고|그런데|근데|그렇다면|또|또한|그래서|그럼에도)/u;
/**
 * "it", "those", "the same" stand for something said before; "that" only as a pronoun (after a verb or a
 * preposition, or before one: "does that take", "about that"), not as a relative pronoun after a noun.
 */
const ANAPHORA_EN = new RegExp(
  String.raw`\b(?:it|its|those|them|same|former|latter)\b|` +
    String.raw`\b(?:does|do|did|is|was|will|would|can|could|about|for|with|after|before|on|of|to|than|like)\s+that\b|` +
    String.raw`\bthat\s*[?.!]*$`,
  'i',
);
/** A content word before the pronoun is what it stands for: the question is self-contained. */
function hasAntecedent(before: string): boolean {
  return tokensOf(before).some((t) => t.length >= 3 && !STOP_EN.has(t) && !QUESTION_WORDS.has(t));
}
const QUESTION_WORDS = new Set(
  'how why who whom whose the and for you are was did can its not any all'.split(' '),
);
const ANAPHORA_KO = /(?:그것|그거|그건|그게|그걸|이것|이거|이건|저것|거기|그때|그 다음|위의|앞의)/u;

/** The wording alone points at a case ("the customer", "this order", "my card"), whatever the ticket says. */
export function refersToCase(question: string): boolean {
  const text = question.normalize('NFC');
  return REFERENCE_EN.test(text) || REFERENCE_KO.test(text) || possessedThings(text) !== null;
}

export function ticketNeededFor(input: {
  question: string;
  ticketText: string;
  sourceTexts: string[];
}): TicketNeed | null {
  const question = input.question.normalize('NFC');
  if (REFERENCE_EN.test(question) || REFERENCE_KO.test(question)) return 'reference';
  const ticket = input.ticketText.normalize('NFC').toLowerCase();
  const possessed = possessedThings(question);
  if (possessed === 'any' || possessed?.some((thing) => mentions(ticket, thing))) return 'reference';
  const tokens = tokensOf(question);
  if (tokens.some((t) => /\d/.test(t) && t.length >= 2 && ticket.includes(t))) return 'identifier';
  if (input.sourceTexts.length === 0) return 'no-sources';
  const sources = input.sourceTexts.join('\n').normalize('NFC').toLowerCase();
  const ticketWords = wordSet(ticket);
  const sourceWords = wordSet(sources);
  for (const token of tokens) {
    if (HANGUL.test(token)) {
      const stem = stripParticle(token);
      if (
        Array.from(stem).length >= 2 &&
        !STOP_KO.has(stem) &&
        ticket.includes(stem) &&
        !sources.includes(stem)
      )
        return 'salient-term';
      continue;
    }
    if (token.length < 4 || STOP_EN.has(token) || /\d/.test(token)) continue;
    const stem = stemEn(token);
    if (ticketWords.has(stem) && !sourceWords.has(stem)) return 'salient-term';
  }
  return null;
}

const CASE_NOUNS =
  'ticket|customer|client|user|case|order|parcel|package|shipment|delivery|payment|charge|invoice|account|subscription|request|issue|refund|return|item|product|device|card';
/** "this order", "these items", "that customer" ("that" only before a case noun: it is also a relative pronoun). */
const DEMONSTRATIVE = String.raw`(?:this|these)\s+(?!is\b|are\b|was\b|were\b|will\b|can\b|means?\b)[a-z]|(?:that|those)\s+(?:${CASE_NOUNS})`;
const PARTIES = String.raw`the\s+(?:customer|customers|client|user|requester|ticket|case|caller|sender)\b`;
/** First-person possessives are read apart (see possessedThings). */
const PRONOUNS = String.raw`(?:he|she|him|his|her|hers|they|them|their|theirs|customer's|client's)\b`;
const REFERENCE_EN = new RegExp(String.raw`\b(?:${DEMONSTRATIVE}|${PARTIES}|${PRONOUNS})`, 'i');
const REFERENCE_KO =
  /(?:^|\s)(?:이|그|해당)\s*(?:고객|티켓|주문|건|문의|계정|결제|환불|배송|카드|상품)|고객님|제가|내가/u;

/**
 * "my new card" → the words after the possessive that could name the thing (up to two: an adjective may come
 * first); 'any' for a possessive with no thing after it ("is this mine?"); null without a first-person
 * possessive. "our" is left out on purpose: an agent's "our refund policy" is the company's, not the case's.
 */
function possessedThings(question: string): string[] | 'any' | null {
  const things: string[] = [];
  let found = false;
  for (const m of question.matchAll(/\b(?:my|mine)\b((?:\s+[\p{L}\p{N}'-]+){0,2})/giu)) {
    found = true;
    things.push(
      ...tokensOf(m[1])
        .filter((t) => t.length >= 3 && !STOP_EN.has(t))
        .map(stemEn),
    );
  }
  for (const m of question.matchAll(/(?:^|\s)(?:제|내|저의|나의)(?=\s|$)(?:\s+(\S+))?/gu)) {
    found = true;
    if (m[1]) things.push(stripParticle(m[1].replace(/[^\p{L}\p{N}]+$/u, '')));
  }
  if (!found) return null;
  return things.length > 0 ? things : 'any';
}

/** The ticket mentions a thing: an English stem as a word, a Korean stem anywhere (particles attach to it). */
function mentions(ticket: string, thing: string): boolean {
  return HANGUL.test(thing) ? ticket.includes(thing) : wordSet(ticket).has(thing);
}

const HANGUL = /[\uac00-\ud7a3]/u;
const PARTICLES = [
  '에서는',
  '으로',
  '에서',
  '에게',
  '까지',
  '부터',
  '은',
  '는',
  '이',
  '가',
  '을',
  '를',
  '에',
  '의',
  '로',
  '도',
  '만',
  '와',
  '과',
];

function stripParticle(token: string): string {
  for (const p of PARTICLES)
    if (token.endsWith(p) && token.length > p.length + 1) return token.slice(0, -p.length);
  return token;
}

function tokensOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}'-]+/u)
    .map((t) => t.replace(/^['-]+|['-]+$/g, ''))
    .filter((t) => t.length > 0);
}

function stemEn(word: string): string {
  return word
    .replace(/'s$/, '')
    .replace(/(?:ies)$/, 'y')
    .replace(/(?:es|s)$/, '')
    .replace(/(?:ing|ed)$/, '')
    .replace(/e$/, '');
}

function wordSet(text: string): Set<string> {
  return new Set(tokensOf(text).map(stemEn));
}

const STOP_EN = new Set(
  (
    'about above after again against also although always another anyone anything because been before being ' +
    'below between both cannot could does doing done down during each either else even ever every from ' +
    'have having here how however into just like make many more most much must need never only other ' +
    'over same should since some still such than that them then there these they this those through ' +
    'under until upon very want what when where whether which while will with within without would ' +
    'your yours help please know long take happen happens available possible usually again ' +
    // Helpdesk role words: every ticket has them, they name no fact of the case.
    'customer customers client clients agent agents ticket tickets support user users issue problem question'
  ).split(' '),
);
const STOP_KO = new Set([
  '어떻게',
  '어디서',
  '무엇',
  '언제',
  '보통',
  '며칠',
  '하나요',
  '있나요',
  '되나요',
  '걸리나요',
]);
