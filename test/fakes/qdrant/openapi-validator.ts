import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The vendored copy of Qdrant's OpenAPI document (see README.md next to it). */
export const QDRANT_OPENAPI_PATH = path.join(__dirname, 'openapi-v1.18.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  /** Parameters declared `in: query`, by name. */
  queryParameters: Map<string, JsonObject>;
  requestBody?: JsonObject;
  /** Response schemas by status key: '200', '4XX', 'default'. */
  responses: Map<string, JsonObject>;
}

export interface SchemaCheck {
  valid: boolean;
  errors: ErrorObject[];
}

/**
 * Validates requests and responses against the OpenAPI document with ajv. OpenAPI 3.0 schemas are
 * JSON Schema with a few differences, rewritten on load: `nullable` without a `type` (used inside
 * `anyOf`) becomes "or null", and Qdrant's numeric formats (uint64, float, ...) are registered as
 * annotations so ajv accepts them.
 */
export class QdrantOpenApi {
  private static shared: QdrantOpenApi | undefined;
  private readonly ajv: Ajv;
  private readonly operations: { pattern: RegExp; operation: Operation }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(document: JsonObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const format of [
      'float',
      'double',
      'int32',
      'int64',
      'uint',
      'uint8',
      'uint16',
      'uint32',
      'uint64',
    ]) {
      this.ajv.addFormat(format, { type: 'number', validate: () => true });
    }
    const components = document.components as JsonObject;
    this.ajv.addSchema({ $id: 'qdrant', components: openApiToJsonSchema(components) as JsonObject });
    const paths = document.paths as Record<string, Record<string, JsonObject>>;
    for (const [template, methods] of Object.entries(paths)) {
      for (const [method, spec] of Object.entries(methods)) {
        this.operations.push({
          pattern: patternOf(template),
          operation: operationOf(template, method, spec),
        });
      }
    }
    // Literal segments must win over parameters: /collections/{name}/exists before /collections/{name}/{x}.
    this.operations.sort((a, b) => literalLength(b.operation.template) - literalLength(a.operation.template));
  }

  static load(): QdrantOpenApi {
    QdrantOpenApi.shared ??= new QdrantOpenApi(
      JSON.parse(readFileSync(QDRANT_OPENAPI_PATH, 'utf8')) as JsonObject,
    );
    return QdrantOpenApi.shared;
  }

  match(
    method: string,
    pathname: string,
  ): { operation: Operation; params: Record<string, string> } | undefined {
    for (const { pattern, operation } of this.operations) {
      if (operation.method !== method.toLowerCase()) continue;
      const found = pattern.exec(pathname);
      if (found) return { operation, params: { ...(found.groups ?? {}) } };
    }
    return undefined;
  }

  checkRequestBody(operation: Operation, body: unknown): SchemaCheck {
    if (!operation.requestBody) {
      return body === undefined
        ? ok()
        : fail('/', `operation ${operation.operationId} takes no request body`);
    }
    return this.check(`${operation.operationId}:request`, operation.requestBody, body);
  }

  /** Query strings are text: a value is accepted when its JSON reading (or the raw text) fits the schema. */
  checkQuery(operation: Operation, query: URLSearchParams): SchemaCheck {
    const errors: ErrorObject[] = [];
    for (const [name, raw] of query) {
      const schema = operation.queryParameters.get(name);
      if (!schema) {
        errors.push(...fail(`/${name}`, `unknown query parameter '${name}'`).errors);
        continue;
      }
      const parsed = parseQueryValue(raw);
      const first = this.check(`${operation.operationId}:query:${name}`, schema, parsed);
      if (!first.valid && !this.check(`${operation.operationId}:query:${name}`, schema, raw).valid) {
        errors.push(...first.errors.map((e) => ({ ...e, instancePath: `/${name}${e.instancePath}` })));
      }
    }
    return { valid: errors.length === 0, errors };
  }

  checkResponse(operation: Operation, status: number, body: unknown): SchemaCheck {
    const key = String(status);
    const schema =
      operation.responses.get(key) ??
      (status >= 400 && status < 500 ? operation.responses.get('4XX') : undefined) ??
      operation.responses.get('default');
    if (!schema)
      return fail('/', `operation ${operation.operationId} documents no response for status ${status}`);
    return this.check(`${operation.operationId}:response:${key}`, schema, body);
  }

  private check(cacheKey: string, schema: JsonObject, data: unknown): SchemaCheck {
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(rebase(openApiToJsonSchema(schema)) as JsonObject);
      this.compiled.set(cacheKey, validate);
    }
    const valid = validate(data) as boolean;
    return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
  }
}

function operationOf(template: string, method: string, spec: JsonObject): Operation {
  const queryParameters = new Map<string, JsonObject>();
  for (const parameter of (spec.parameters as JsonObject[] | undefined) ?? []) {
    if (parameter.in === 'query')
      queryParameters.set(parameter.name as string, parameter.schema as JsonObject);
  }
  const body = spec.requestBody as JsonObject | undefined;
  const requestBody = body
    ? ((body.content as JsonObject)['application/json'] as JsonObject | undefined)?.schema
    : undefined;
  const responses = new Map<string, JsonObject>();
  for (const [status, response] of Object.entries(spec.responses as Record<string, JsonObject>)) {
    const schema = (
      (response.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined
    )?.schema;
    if (schema) responses.set(status, schema as JsonObject);
  }
  return {
    operationId: spec.operationId as string,
    method,
    template,
    queryParameters,
    requestBody: requestBody as JsonObject | undefined,
    responses,
  };
}

function patternOf(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      return parameter ? `(?<${parameter[1]}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

function literalLength(template: string): number {
  return template.replace(/\{\w+\}/g, '').length;
}

/** Inline schemas in `paths` refer to '#/components/...'; point them at the registered components document. */
function rebase(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `qdrant${value}`
        : rebase(value);
  }
  return out;
}

function openApiToJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(openApiToJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) out[key] = openApiToJsonSchema(value);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    const constraining = Object.keys(rest).filter(
      (key) => !['description', 'default', 'example'].includes(key),
    );
    return constraining.length === 0 ? { ...rest, type: 'null' } : { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

function parseQueryValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function ok(): SchemaCheck {
  return { valid: true, errors: [] };
}

function fail(instancePath: string, message: string): SchemaCheck {
  return {
    valid: false,
    errors: [{ instancePath, schemaPath: '', keyword: 'openapi', params: {}, message }],
  };
}
