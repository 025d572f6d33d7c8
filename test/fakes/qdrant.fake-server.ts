import { ErrorObject } from 'ajv';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Operation, QdrantOpenApi } from './qdrant/openapi-validator';

/** One schema violation, by the adapter (request) or by this double (response). */
export interface QdrantValidationFailure {
  direction: 'request' | 'response';
  operationId: string;
  method: string;
  path: string;
  errors: ErrorObject[];
}

export interface RecordedRequest {
  operationId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type PointKey = string;
type Payload = Record<string, unknown>;

interface StoredPoint {
  id: string | number;
  vector: number[];
  payload: Payload;
  version: number;
}

interface StoredIndex {
  data_type: string;
  params?: Record<string, unknown>;
}

interface Collection {
  size: number;
  distance: string;
  createdWith: Record<string, unknown>;
  payloadIndexes: Map<string, StoredIndex>;
  points: Map<PointKey, StoredPoint>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/**
 * A test double of Qdrant's REST API (the subset the adapter uses) on 127.0.0.1 and a random port.
 * Every request body and query string, and every response it sends, is validated against Qdrant's own
 * OpenAPI document: a bad request is answered 400 with the ajv errors, and every failure is recorded in
 * `validationErrors` so a test can assert it stays empty. Semantics follow Qdrant: Cosine vectors are
 * normalized at insert, filters support must/should/must_not/min_should, match value/any/except/text,
 * numeric and datetime ranges, has_id, is_empty and is_null.
 */
export class FakeQdrantServer {
  readonly validationErrors: QdrantValidationFailure[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Delay before answering, to test client deadlines. */
  delayMs = 0;
  private readonly collections = new Map<string, Collection>();
  /** Alias name → collection name, as Qdrant resolves them on every collection route. */
  private readonly aliases = new Map<string, string>();
  private readonly openApi = QdrantOpenApi.load();
  private server: Server | undefined;
  private operationCounter = 0;
  private failures: { status: number; remaining: number } | undefined;

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake Qdrant is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forget all collections and recorded traffic. */
  reset(): void {
    this.collections.clear();
    this.aliases.clear();
    this.requests.length = 0;
    this.validationErrors.length = 0;
    this.delayMs = 0;
    this.failures = undefined;
  }

  /** Answer the next `times` requests with this status (e.g. 503) and a valid error body. */
  failNext(status: number, times = 1): void {
    this.failures = { status, remaining: times };
  }

  collectionNames(): string[] {
    return [...this.collections.keys()];
  }

  aliasNames(): Record<string, string> {
    return Object.fromEntries(this.aliases);
  }

  /** Payload index definitions of a collection, as created through the API. */
  payloadIndexes(collection: string): Record<string, StoredIndex> {
    return Object.fromEntries(this.collections.get(collection)?.payloadIndexes ?? []);
  }

  /** Stored point ids (canonical form) of a collection. */
  pointIds(collection: string): (string | number)[] {
    return [...(this.collections.get(collection)?.points.values() ?? [])].map((p) => p.id);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    const matched = this.openApi.match(method, url.pathname);
    if (!matched) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: { error: `Not found: ${method} ${url.pathname}` }, time: 0 }));
      return;
    }
    const { operation, params } = matched;
    let status = 200;
    let body: unknown;
    try {
      const parsed = await readJson(request);
      this.requests.push({
        operationId: operation.operationId,
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: parsed,
      });
      const bodyCheck = this.openApi.checkRequestBody(operation, parsed);
      const queryCheck = this.openApi.checkQuery(operation, url.searchParams);
      const errors = [...bodyCheck.errors, ...queryCheck.errors];
      if (errors.length > 0) {
        this.validationErrors.push({
          direction: 'request',
          operationId: operation.operationId,
          method,
          path: url.pathname,
          errors,
        });
        throw new HttpError(400, `Format error in JSON body: ${JSON.stringify(errors)}`);
      }
      // An injected failure goes to a request that arrives after it was injected: a slow request of an earlier
      // test, still in its delay, must not take it.
      const failure = this.failures && this.failures.remaining > 0 ? this.failures : undefined;
      if (failure) failure.remaining--;
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (failure) throw new HttpError(failure.status, 'Service internal error: injected failure');
      body = this.envelope(this.dispatch(operation, params, parsed as Json | undefined), started);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      body = {
        status: { error: error instanceof Error ? error.message : String(error) },
        result: null,
        time: elapsed(started),
      };
    }
    const responseCheck = this.openApi.checkResponse(operation, status, body);
    if (!responseCheck.valid) {
      this.validationErrors.push({
        direction: 'response',
        operationId: operation.operationId,
        method,
        path: url.pathname,
        errors: responseCheck.errors,
      });
      status = 500;
      body = {
        status: { error: `fake Qdrant built an invalid response: ${JSON.stringify(responseCheck.errors)}` },
        time: 0,
      };
    }
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  private envelope(result: unknown, started: bigint): Json {
    return { result, status: 'ok', time: elapsed(started) };
  }

  private dispatch(operation: Operation, params: Record<string, string>, body: Json | undefined): unknown {
    const given = params.collection_name ? decodeURIComponent(params.collection_name) : '';
    const name = this.aliases.get(given) ?? given;
    switch (operation.operationId) {
      case 'root':
        return undefined;
      case 'get_collections':
        return { collections: [...this.collections.keys()].map((n) => ({ name: n })) };
      case 'collection_exists':
        return { exists: this.collections.has(name) };
      case 'get_collection':
        return this.collectionInfo(name, this.require(name));
      case 'create_collection':
        if (this.aliases.has(given))
          throw new HttpError(409, `Wrong input: Alias \`${given}\` already exists!`);
        return this.createCollection(given, body ?? {});
      case 'delete_collection':
        // Qdrant drops the collection's aliases with it.
        for (const [alias, target] of this.aliases) if (target === given) this.aliases.delete(alias);
        return this.collections.delete(given);
      case 'update_aliases':
        return this.updateAliases(body!);
      case 'get_collections_aliases':
        return {
          aliases: [...this.aliases].map(([alias_name, collection_name]) => ({
            alias_name,
            collection_name,
          })),
        };
      case 'get_collection_aliases':
        return {
          aliases: [...this.aliases]
            .filter(([, target]) => target === given)
            .map(([alias_name, collection_name]) => ({ alias_name, collection_name })),
        };
      case 'create_field_index':
        return this.createFieldIndex(this.require(name), body!);
      case 'upsert_points':
        return this.upsert(this.require(name), body!);
      case 'delete_points':
        return this.deletePoints(this.require(name), body!);
      case 'query_points':
        return { points: this.query(this.require(name), body ?? {}) };
      case 'search_points':
        return this.search(this.require(name), { ...(body ?? {}), query: body?.vector });
      case 'count_points':
        return { count: this.filtered(this.require(name), body?.filter as Json | undefined).length };
      case 'scroll_points':
        return this.scroll(this.require(name), body ?? {});
      default:
        throw new HttpError(
          501,
          `Service internal error: the fake does not implement ${operation.operationId}`,
        );
    }
  }

  /** All actions apply together or none does (Qdrant: "alias changes are atomic"). */
  private updateAliases(body: Json): boolean {
    const next = new Map(this.aliases);
    for (const action of body.actions as Json[]) {
      if (action.create_alias) {
        const { alias_name, collection_name } = action.create_alias as {
          alias_name: string;
          collection_name: string;
        };
        if (!this.collections.has(collection_name))
          throw new HttpError(404, `Not found: Collection \`${collection_name}\` doesn't exist!`);
        if (this.collections.has(alias_name))
          throw new HttpError(409, `Wrong input: Collection \`${alias_name}\` already exists!`);
        next.set(alias_name, collection_name);
      } else if (action.delete_alias) {
        next.delete((action.delete_alias as { alias_name: string }).alias_name);
      } else if (action.rename_alias) {
        const { old_alias_name, new_alias_name } = action.rename_alias as {
          old_alias_name: string;
          new_alias_name: string;
        };
        const target = next.get(old_alias_name);
        if (!target) throw new HttpError(404, `Not found: Alias \`${old_alias_name}\` doesn't exist!`);
        next.delete(old_alias_name);
        next.set(new_alias_name, target);
      }
    }
    this.aliases.clear();
    for (const [alias, target] of next) this.aliases.set(alias, target);
    return true;
  }

  private require(name: string): Collection {
    const collection = this.collections.get(name);
    if (!collection) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  }

  private createCollection(name: string, body: Json): boolean {
    if (this.collections.has(name))
      throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = body.vectors as Json | undefined;
    if (!vectors || typeof vectors.size !== 'number') {
      throw new HttpError(
        400,
        'Wrong input: the fake supports one unnamed vector per point (vectors: {size, distance})',
      );
    }
    this.collections.set(name, {
      size: vectors.size,
      distance: vectors.distance as string,
      createdWith: body,
      payloadIndexes: new Map(),
      points: new Map(),
    });
    return true;
  }

  private collectionInfo(_name: string, collection: Collection): Json {
    const payloadSchema: Json = {};
    for (const [field, index] of collection.payloadIndexes) {
      const points = [...collection.points.values()].filter(
        (p) => valuesAt(p.payload, field).length > 0,
      ).length;
      payloadSchema[field] = {
        data_type: index.data_type,
        ...(index.params ? { params: index.params } : {}),
        points,
      };
    }
    const hnsw = (collection.createdWith.hnsw_config as Json | undefined) ?? {};
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: collection.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: collection.size, distance: collection.distance },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: {
          m: hnsw.m ?? 16,
          ef_construct: hnsw.ef_construct ?? 100,
          full_scan_threshold: hnsw.full_scan_threshold ?? 10000,
          ...(hnsw.payload_m !== undefined ? { payload_m: hnsw.payload_m } : {}),
        },
        optimizer_config: { default_segment_number: 0, flush_interval_sec: 5, deleted_threshold: 0.2 },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        ...(collection.createdWith.metadata ? { metadata: collection.createdWith.metadata } : {}),
      },
      payload_schema: payloadSchema,
    };
  }

  private createFieldIndex(collection: Collection, body: Json): Json {
    const schema = body.field_schema;
    const index: StoredIndex =
      typeof schema === 'string'
        ? { data_type: schema }
        : schema && typeof schema === 'object'
          ? { data_type: (schema as Json).type as string, params: schema as Json }
          : { data_type: 'keyword' };
    collection.payloadIndexes.set(body.field_name as string, index);
    return this.updated();
  }

  private upsert(collection: Collection, body: Json): Json {
    const incoming: { id: string | number; vector: unknown; payload?: Payload }[] = [];
    if (Array.isArray(body.points)) {
      incoming.push(...(body.points as { id: string | number; vector: unknown; payload?: Payload }[]));
    } else {
      const batch = body.batch as { ids: (string | number)[]; vectors: unknown; payloads?: Payload[] };
      if (!Array.isArray(batch.vectors))
        throw new HttpError(400, 'Wrong input: the fake supports unnamed batch vectors only');
      batch.ids.forEach((id, i) =>
        incoming.push({ id, vector: (batch.vectors as unknown[])[i], payload: batch.payloads?.[i] }),
      );
    }
    // Validate all first: Qdrant applies a batch whole or not at all.
    const prepared = incoming.map((point) => {
      if (!Array.isArray(point.vector) || point.vector.some((v) => typeof v !== 'number')) {
        throw new HttpError(400, 'Wrong input: the fake supports one dense unnamed vector per point');
      }
      const vector = point.vector as number[];
      checkDimension(collection, vector);
      return { ...point, vector };
    });
    const version = ++this.operationCounter;
    for (const point of prepared) {
      const key = keyOf(point.id);
      collection.points.set(key, {
        id: canonicalId(point.id),
        vector: collection.distance === 'Cosine' ? unit(point.vector) : point.vector,
        payload: point.payload ?? {},
        version,
      });
    }
    return this.updated(version);
  }

  private deletePoints(collection: Collection, body: Json): Json {
    if (Array.isArray(body.points)) {
      for (const id of body.points as (string | number)[]) collection.points.delete(keyOf(id));
    } else {
      for (const point of this.filtered(collection, body.filter as Json))
        collection.points.delete(keyOf(point.id));
    }
    return this.updated();
  }

  private query(collection: Collection, body: Json): Json[] {
    let query = body.query;
    if (query && typeof query === 'object' && !Array.isArray(query) && 'nearest' in (query as Json)) {
      query = (query as Json).nearest;
    }
    if (body.using !== undefined && body.using !== null)
      throw new HttpError(400, 'Wrong input: the fake has no named vectors');
    const limit = (body.limit as number | undefined) ?? 10;
    const offset = (body.offset as number | undefined) ?? 0;
    const candidates = this.filtered(collection, body.filter as Json | undefined);
    if (query === undefined || query === null) {
      return candidates
        .sort(compareIds)
        .slice(offset, offset + limit)
        .map((p) => this.scored(p, 0, body));
    }
    if (!Array.isArray(query))
      throw new HttpError(400, 'Wrong input: the fake supports nearest-vector queries only');
    checkDimension(collection, query as number[]);
    const vector = collection.distance === 'Cosine' ? unit(query as number[]) : (query as number[]);
    const threshold = body.score_threshold as number | undefined;
    return candidates
      .map((point) => ({ point, score: score(collection.distance, vector, point.vector) }))
      .filter(({ score: s }) => threshold === undefined || s >= threshold)
      .sort((a, b) => b.score - a.score || compareIds(a.point, b.point))
      .slice(offset, offset + limit)
      .map(({ point, score: s }) => this.scored(point, s, body));
  }

  private search(collection: Collection, body: Json): Json[] {
    if (!Array.isArray(body.query))
      throw new HttpError(400, 'Wrong input: the fake supports unnamed search vectors only');
    return this.query(collection, body);
  }

  private scroll(collection: Collection, body: Json): Json {
    const limit = (body.limit as number | undefined) ?? 10;
    const sorted = this.filtered(collection, body.filter as Json | undefined).sort(compareIds);
    const start =
      body.offset === undefined || body.offset === null
        ? 0
        : sorted.findIndex((p) => keyOf(p.id) === keyOf(body.offset as string));
    const page = sorted.slice(Math.max(start, 0), Math.max(start, 0) + limit);
    const next = sorted[Math.max(start, 0) + limit];
    return {
      points: page.map((p) => {
        const { version: _version, score: _score, ...record } = this.scored(p, 0, body);
        return record;
      }),
      next_page_offset: next ? next.id : null,
    };
  }

  private scored(point: StoredPoint, value: number, body: Json): Json {
    const withPayload = body.with_payload ?? (body.query === undefined ? true : false);
    const withVector = body.with_vector ?? false;
    return {
      id: point.id,
      version: point.version,
      score: value,
      payload: selectPayload(point.payload, withPayload),
      vector: withVector ? point.vector : null,
    };
  }

  private filtered(collection: Collection, filter: Json | undefined): StoredPoint[] {
    const points = [...collection.points.values()];
    return filter ? points.filter((point) => matchesFilter(point, filter)) : points;
  }

  private updated(version = ++this.operationCounter): Json {
    return { operation_id: version, status: 'completed' };
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Format error in JSON body: ${String(error)}`);
  }
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function checkDimension(collection: Collection, vector: number[]): void {
  if (vector.length !== collection.size) {
    throw new HttpError(
      400,
      `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`,
    );
  }
}

function canonicalId(id: string | number): string | number {
  return typeof id === 'number' ? id : id.toLowerCase();
}

function keyOf(id: string | number): PointKey {
  return typeof id === 'number' ? `n:${id}` : `u:${id.toLowerCase().replace(/-/g, '')}`;
}

function compareIds(a: { id: string | number }, b: { id: string | number }): number {
  return keyOf(a.id) < keyOf(b.id) ? -1 : keyOf(a.id) > keyOf(b.id) ? 1 : 0;
}

function unit(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

function score(distance: string, query: number[], stored: number[]): number {
  switch (distance) {
    case 'Cosine':
    case 'Dot':
      return query.reduce((sum, v, i) => sum + v * stored[i], 0);
    case 'Euclid':
      return Math.sqrt(query.reduce((sum, v, i) => sum + (v - stored[i]) ** 2, 0));
    case 'Manhattan':
      return query.reduce((sum, v, i) => sum + Math.abs(v - stored[i]), 0);
    default:
      throw new HttpError(400, `Wrong input: unknown distance ${distance}`);
  }
}

function selectPayload(payload: Payload, selector: unknown): Payload | null {
  if (selector === false || selector === null || selector === undefined) return null;
  if (selector === true) return payload;
  if (Array.isArray(selector))
    return Object.fromEntries(Object.entries(payload).filter(([k]) => selector.includes(k)));
  const include = (selector as Json).include as string[] | undefined;
  const exclude = (selector as Json).exclude as string[] | undefined;
  return Object.fromEntries(
    Object.entries(payload).filter(
      ([k]) => (!include || include.includes(k)) && (!exclude || !exclude.includes(k)),
    ),
  );
}

/** Values at a dotted payload path, arrays flattened (Qdrant matches any element of an array). */
function valuesAt(payload: Payload, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const part of key.replace(/\[\]/g, '').split('.')) {
    current = current.flatMap((value) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
      const next = (value as Payload)[part];
      return next === undefined ? [] : Array.isArray(next) ? next : [next];
    });
  }
  return current;
}

function asList(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Json[];
}

function matchesFilter(point: StoredPoint, filter: Json): boolean {
  const must = asList(filter.must);
  const should = asList(filter.should);
  const mustNot = asList(filter.must_not);
  if (!must.every((c) => matchesCondition(point, c))) return false;
  if (should.length > 0 && !should.some((c) => matchesCondition(point, c))) return false;
  if (mustNot.some((c) => matchesCondition(point, c))) return false;
  const minShould = filter.min_should as { conditions: Json[]; min_count: number } | undefined | null;
  if (
    minShould &&
    minShould.conditions.filter((c) => matchesCondition(point, c)).length < minShould.min_count
  )
    return false;
  return true;
}

function matchesCondition(point: StoredPoint, condition: Json): boolean {
  if ('must' in condition || 'should' in condition || 'must_not' in condition || 'min_should' in condition) {
    return matchesFilter(point, condition);
  }
  if ('has_id' in condition) {
    const keys = new Set((condition.has_id as (string | number)[]).map(keyOf));
    return keys.has(keyOf(point.id));
  }
  if ('is_empty' in condition)
    return valuesAt(point.payload, (condition.is_empty as Json).key as string).length === 0;
  if ('is_null' in condition) {
    const key = (condition.is_null as Json).key as string;
    const direct = key
      .split('.')
      .reduce<unknown>(
        (v, part) => (v && typeof v === 'object' ? (v as Payload)[part] : undefined),
        point.payload,
      );
    return direct === null;
  }
  if ('key' in condition) return matchesField(valuesAt(point.payload, condition.key as string), condition);
  throw new HttpError(400, `Wrong input: the fake does not support condition ${JSON.stringify(condition)}`);
}

function matchesField(values: unknown[], condition: Json): boolean {
  const match = condition.match as Json | undefined;
  if (match) {
    if ('value' in match) return values.some((v) => v === match.value);
    if ('any' in match) return values.some((v) => (match.any as unknown[]).includes(v));
    if ('except' in match)
      return values.length > 0 && values.some((v) => !(match.except as unknown[]).includes(v));
    if ('text' in match) return values.some((v) => typeof v === 'string' && v.includes(match.text as string));
  }
  const range = condition.range as Json | undefined;
  if (range) {
    const isDatetime = Object.values(range).some((bound) => typeof bound === 'string');
    const read = (value: unknown): number | undefined => {
      if (isDatetime) return typeof value === 'string' ? Date.parse(value) : undefined;
      return typeof value === 'number' ? value : undefined;
    };
    const bound = (name: string) =>
      range[name] === undefined || range[name] === null ? undefined : read(range[name]);
    const [gt, gte, lt, lte] = ['gt', 'gte', 'lt', 'lte'].map(bound);
    return values.some((raw) => {
      const v = read(raw);
      if (v === undefined || Number.isNaN(v)) return false;
      return (
        (gt === undefined || v > gt) &&
        (gte === undefined || v >= gte) &&
        (lt === undefined || v < lt) &&
        (lte === undefined || v <= lte)
      );
    });
  }
  if ('values_count' in condition) {
    const count = condition.values_count as Json;
    const n = values.length;
    return (
      (count.gt == null || n > (count.gt as number)) &&
      (count.gte == null || n >= (count.gte as number)) &&
      (count.lt == null || n < (count.lt as number)) &&
      (count.lte == null || n <= (count.lte as number))
    );
  }
  throw new HttpError(
    400,
    `Wrong input: the fake does not support field condition ${JSON.stringify(condition)}`,
  );
}
