import type { CacheCredit } from './ports/layered-cache.port';

/** A stored HTTP response: when it goes stale, what computing it cost, and the body a hit sends. */
export interface ResponseEntry {
  exp: number;
  credit?: CacheCredit;
  body: string;
}

/** `{"exp":…,"credit":…}\n<body>`: a one-line header, then the serialized body as it is sent. */
export function encodeResponseEntry(entry: ResponseEntry): string {
  const header = JSON.stringify(entry.credit ? { exp: entry.exp, credit: entry.credit } : { exp: entry.exp });
  return `${header}\n${entry.body}`;
}

/** `{"exp":…,"credit":…}\n<body>`; anything else (an entry of another format) reads as a miss. */
export function parseResponseEntry(text: string): ResponseEntry | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { exp?: unknown; credit?: CacheCredit };
    if (typeof header.exp !== 'number') return undefined;
    return { exp: header.exp, credit: header.credit, body: text.slice(newline + 1) };
  } catch {
    return undefined;
  }
}
