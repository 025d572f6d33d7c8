/**
 * Sentence boundaries for English and Korean support text.
 * - a line break always ends a sentence (tickets are often bullet-like);
 * - `.?!…` (and full-width `。？！`) followed by space end one, unless the next word starts in lower case
 *   (abbreviations such as "e.g. this") or the dot sits inside a number ("3.5");
 * - Korean sentence endings `다.` `요.` (also with `?`/`!`) end one even when no space follows,
 *   which is common in chat-style Korean.
 */
const BOUNDARY =
  /(?<=[\uac00-\ud7a3](?:다|요|죠|까)[.?!]+)(?=\S)|(?<=[.?!…。？！]+["'”’)\]]*)\s+(?=[^\p{Ll}\d])|(?<=[。？！])(?=\S)/gu;

export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.normalize('NFC').split(/\r?\n+/u)) {
    const trimmed = line.replace(/[ \t\f\v]+/gu, ' ').trim();
    if (!trimmed) continue;
    for (const part of trimmed.split(BOUNDARY)) {
      const sentence = part.trim();
      if (sentence) sentences.push(sentence);
    }
  }
  return sentences;
}
