import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { QDRANT_OPENAPI_PATH, QdrantOpenApi } from '../../fakes/qdrant/openapi-validator';

const SHARED_COPY = path.resolve(__dirname, '../../../../shared/qdrant/openapi-v1.18.json');

describe('vendored Qdrant OpenAPI document', () => {
  it('is the 1.18 document and compiles for validation', () => {
    const document = JSON.parse(readFileSync(QDRANT_OPENAPI_PATH, 'utf8')) as { info: { version: string } };
    expect(document.info.version).toBe('v1.18.x');
    expect(
      QdrantOpenApi.load().match('POST', '/collections/tickets/points/query')?.operation.operationId,
    ).toBe('query_points');
  });

  it('is byte-identical to the shared copy when ../shared is present', () => {
    // On a fresh machine without ../shared there is nothing to compare against: the vendored copy is the source.
    if (!existsSync(SHARED_COPY)) return;
    expect(readFileSync(QDRANT_OPENAPI_PATH).equals(readFileSync(SHARED_COPY))).toBe(true);
  });
});
