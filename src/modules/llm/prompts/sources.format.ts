import type { GroundingSource } from '../ports/chat-model.port';

export function formatSources(sources: GroundingSource[]): string {
  if (sources.length === 0) return '(none)';
  return sources
    .map((s, i) => `[${i + 1}] (${s.kind}${s.title ? `: ${s.title}` : ''})\n${s.text}`)
    .join('\n\n');
}
