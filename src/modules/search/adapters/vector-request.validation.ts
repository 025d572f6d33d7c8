import { AppError } from '../../../common/errors/app-error';
import { SearchDataType } from '../domain/search-document';
import { VectorPoint } from '../ports/vector-index.port';

export const MAX_K = 1000;

export function validateK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K)
    throw AppError.invalid(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
}

export function validateVector(
  vector: ArrayLike<number>,
  dimension: number,
  collection: string,
  pointId?: string,
): void {
  if (vector.length !== dimension) {
    const which = pointId === undefined ? 'query vector' : `vector of point '${pointId}'`;
    throw AppError.invalid(
      `vector dimension mismatch: collection '${collection}' expects dimension ${dimension}, the ${which} has dimension ${vector.length}`,
    );
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]))
      throw AppError.invalid(`vector values must be finite numbers (index ${i})`);
  }
}

/** A point must belong to the company and type it is written under: the payload is what filters check. */
export function validatePoints(request: {
  companyId: string;
  type: SearchDataType;
  points: VectorPoint[];
  dimension: number;
  collection: string;
}): void {
  const seen = new Set<string>();
  for (const point of request.points) {
    if (typeof point.id !== 'string' || point.id.length === 0)
      throw AppError.invalid('point id must be a non-empty string');
    if (seen.has(point.id)) throw AppError.invalid(`point '${point.id}' appears twice in one upsert`);
    seen.add(point.id);
    validateVector(point.vector, request.dimension, request.collection, point.id);
    const { payload } = point;
    if (payload.company_id !== request.companyId) {
      throw AppError.invalid(
        `point '${point.id}' has company_id '${payload.company_id}', expected '${request.companyId}'`,
      );
    }
    if (payload.type !== request.type) {
      throw AppError.invalid(`point '${point.id}' has type '${payload.type}', expected '${request.type}'`);
    }
    if (payload.id !== point.id) throw AppError.invalid(`point '${point.id}' has payload id '${payload.id}'`);
  }
}
