import { NumberedSources, withTexts } from './numbered-sources';
import { splitSentences } from './sentence-splitter';
import { contentTerms } from './text-features';

/** How a budget measures and cuts text: the model's tokenizer in production. */
export interface TextMeasure {
  count(text: string): number;
  /** The longest prefix of `text` within `maxTokens`. */
  cut(text: string, maxTokens: number): string;
}

interface Unit {
  sentence: string;
  /** The sentence normalized: what "already shown" compares. */
  key: string;
  /** Which line of the text it is on: lines are kept apart when rendered ("Resolution: ..."). */
  line: number;
  index: number;
  score: number;
}

/**
 * The prompt budget for sources: each source keeps, within `maxTokensPerSource`, the sentences that share the
 * most content terms with `focus` (the question, or the ticket a reply answers), in their original order; a
 * source that matches nothing keeps its opening. A sentence an earlier source (or the source itself, earlier)
 * already shows is not repeated, and a source with nothing new becomes a pointer "(same as [k])" to the source
 * that shows it. Refs, ids and order never change: a citation [n] still names `sources[n - 1]`, which holds
 * every sentence the prompt showed under [n].
 */
export function focusSources(
  sources: NumberedSources,
  input: { focus: string; maxTokensPerSource: number } & TextMeasure,
): NumberedSources {
  const terms = new Set(contentTerms(input.focus));
  const shownIn = new Map<string, number>();
  return withTexts(sources, (source) => {
    const all = unitsOf(source.text, terms);
    const fresh = all.filter((u) => !shownIn.has(u.key));
    if (all.length > 0 && fresh.length === 0) return `(same as [${shownIn.get(all[0].key)}])`;
    const chosen = select(fresh, input.maxTokensPerSource, input);
    // Only what the prompt shows under this ref may be pointed at by a later source.
    for (const u of chosen) shownIn.set(u.key, source.ref);
    return chosen.length > 0
      ? render(chosen)
      : fallbackCut(fresh, source.text, input.maxTokensPerSource, input);
  });
}

/** One text (the open ticket as context, an earlier answer) kept to the sentences that match `focus`. */
export function focusText(text: string, input: { focus: string; maxTokens: number } & TextMeasure): string {
  if (input.count(text) <= input.maxTokens) return text;
  const units = unitsOf(text, new Set(contentTerms(input.focus)));
  const chosen = select(units, input.maxTokens, input);
  return chosen.length > 0 ? render(chosen) : fallbackCut(units, text, input.maxTokens, input);
}

/** The sentences of `text`, each scored by the `terms` it shares; a sentence the text already said is left out. */
function unitsOf(text: string, terms: ReadonlySet<string>): Unit[] {
  const units: Unit[] = [];
  const said = new Set<string>();
  text.split(/\r?\n+/u).forEach((lineText, line) => {
    for (const sentence of splitSentences(lineText)) {
      // A summary line often repeats a sentence of the resolution under it: shown once, where it comes first.
      const key = keyOf(sentence);
      if (said.has(key)) continue;
      said.add(key);
      const score = new Set(contentTerms(sentence).filter((t) => terms.has(t))).size;
      units.push({ sentence, key, line, index: units.length, score });
    }
  });
  return units;
}

/**
 * The best-matching sentences that fit, in their original order; without any match, the opening sentences
 * that fit. Empty when not even one sentence fits.
 */
function select(units: Unit[], maxTokens: number, measure: TextMeasure): Unit[] {
  const matching = units.filter((u) => u.score > 0).sort((a, b) => b.score - a.score || a.index - b.index);
  const candidates = matching.length > 0 ? matching : units;
  const chosen: Unit[] = [];
  // Each sentence is counted once; a join (a space, a line break or " … ") is counted as two tokens, more
  // than it takes, so the rendered text never exceeds the budget.
  let used = -JOIN_TOKENS;
  for (const unit of candidates) {
    const cost = measure.count(unit.sentence) + JOIN_TOKENS;
    if (used + cost <= maxTokens) {
      chosen.push(unit);
      used += cost;
    } else if (matching.length === 0) break;
  }
  return chosen.sort((a, b) => a.index - b.index);
}

/** Not one whole sentence fits: the best one (or the text, when it has no sentence) cut to the budget. */
function fallbackCut(units: Unit[], text: string, maxTokens: number, measure: TextMeasure): string {
  const best = [...units].sort((a, b) => b.score - a.score || a.index - b.index)[0];
  return measure.cut(best?.sentence ?? text, maxTokens);
}

/** Sentences of one line joined by a space (an ellipsis where some were left out), lines by a line break. */
function render(units: Unit[]): string {
  return units
    .map((u, i) => {
      if (i === 0) return u.sentence;
      const previous = units[i - 1];
      if (previous.line !== u.line) return `\n${u.sentence}`;
      return previous.index + 1 === u.index ? ` ${u.sentence}` : ` … ${u.sentence}`;
    })
    .join('');
}

const JOIN_TOKENS = 2;

function keyOf(sentence: string): string {
  return sentence.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
}
