import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { mulberry32 } from '../../test/support/seeded-random';

export interface SupportRecord {
  id: string;
  body: string;
  intent: string;
  category: string | null;
  response: string | null;
}

/**
 * The public support-message datasets (gzipped JSON lines) are never copied into the repository: they are read
 * from SUPPORT_DATA_DIR, else from `shared/data` beside the repository.
 */
export const DATA_DIR = process.env.SUPPORT_DATA_DIR
  ? resolve(process.env.SUPPORT_DATA_DIR)
  : resolve(__dirname, '..', '..', '..', 'shared', 'data');

export async function readSupportDataset(file: string): Promise<SupportRecord[]> {
  const path = resolve(DATA_DIR, file);
  if (!existsSync(path)) {
    throw new Error(
      `Dataset not found: ${path}. Set SUPPORT_DATA_DIR to the folder that holds it (default: shared/data beside the repository).`,
    );
  }
  const records: SupportRecord[] = [];
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as SupportRecord;
    records.push({
      id: row.id,
      body: row.body,
      intent: row.intent,
      category: row.category,
      response: row.response,
    });
  }
  return records;
}

/** Deterministic sample (mulberry32) so runs are comparable. */
export function sampleIndices(count: number, size: number, seed = 42): number[] {
  const indices = Array.from({ length: count }, (_, i) => i);
  if (size >= count) return indices;
  const random = seededRandom(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, size).sort((a, b) => a - b);
}

/** mulberry32, the same generator the tests use: the same sequence on every run. */
export const seededRandom = mulberry32;
