/** Version of a stored row that decides whether an incoming copy changes anything. */
export interface StoredVersion {
  contentHash: string;
  updatedAt: Date;
}

export interface Incoming<T> {
  id: string;
  contentHash: string;
  updatedAt: Date;
  row: T;
}

/**
 * Splits an upsert into rows to write and rows that are `unchanged` (same content and updated_at as
 * stored): unchanged rows are not touched, so they are not re-indexed and cost no LLM tokens.
 */
export function planUpsert<T>(incoming: Incoming<T>[], stored: Map<string, StoredVersion>): { write: T[]; unchanged: number } {
  const write: T[] = [];
  let unchanged = 0;
  for (const item of incoming) {
    const current = stored.get(item.id);
    if (current && current.contentHash === item.contentHash && current.updatedAt.getTime() === item.updatedAt.getTime()) {
      unchanged += 1;
    } else {
      write.push(item.row);
    }
  }
  return { write, unchanged };
}

/** Messages naming every id that appears twice in one request (`tickets[5].ticket_id duplicates tickets[2]`). */
export function findDuplicateIds(ids: string[], field: { list: string; key: string }): string[] {
  const first = new Map<string, number>();
  const problems: string[] = [];
  ids.forEach((id, index) => {
    const seen = first.get(id);
    if (seen === undefined) first.set(id, index);
    else problems.push(`${field.list}[${index}].${field.key} duplicates ${field.list}[${seen}].${field.key} ('${id}')`);
  });
  return problems;
}
