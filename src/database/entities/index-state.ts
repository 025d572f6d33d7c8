/** Indexing outbox state of a stored ticket or article. */
export const INDEX_STATES = ['pending', 'indexed', 'failed'] as const;
export type IndexState = (typeof INDEX_STATES)[number];

/** llm: written by a language model; extractive: sentences picked from the text by the local summarizer. */
export type SummarySource = 'llm' | 'extractive';
