/**
 * npm run bench:abuse — 10,000 hostile requests generated with fast-check across every route of the OpenAPI
 * document (GET /docs-json, so new routes are covered without editing this file), then a cross-company sweep.
 * Targets: 0 responses ≥ 500, 0 crashes, every 400 names the field that was broken, 0 leaks between companies.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import {
  AppProcess,
  BENCH_ADMIN_KEY,
  benchTickets,
  createCompany,
  freePort,
  spawnApp,
  upsertTickets,
} from './lib/app-process';
import { emitResult, info, parseBenchArgs, verdict } from './lib/bench-output';
import { httpCall, HttpResponse, keepAliveAgent, parseJson, sleep } from './lib/http-client';
import { startPrivateStack } from './lib/private-services';

const args = parseBenchArgs();
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (args.quick ? 2_000 : 10_000));
const CONCURRENCY = 16;
const SEED = Number(process.env.BENCH_SEED ?? 20260101);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: Json[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  pattern?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
interface Operation {
  method: string;
  path: string;
  admin: boolean;
  bodySchema?: Schema;
  query: Array<{ name: string; schema: Schema }>;
}
interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        parameters?: Array<{ in: string; name: string; schema?: Schema }>;
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** One generated request and what it broke, so the answer can be judged. */
interface Attack {
  op: Operation;
  path: string;
  auth: 'own' | 'none' | 'garbage' | 'other' | 'admin';
  body?: unknown;
  /** The body field path that was replaced by a hostile value (a 400 must name it). */
  field?: string;
  kind: string;
  /** The start of the hostile value, for the report's examples. */
  sample?: string;
}

function resolve(doc: OpenApi, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) return resolve(doc, doc.components?.schemas?.[schema.$ref.split('/').pop() ?? '']);
  if (schema.allOf?.length) return resolve(doc, schema.allOf[0]);
  return schema;
}

/** The smallest value the schema accepts (valid baseline that one field at a time is broken in). */
function validSample(doc: OpenApi, raw: Schema | undefined, depth = 0, name = ''): Json {
  const schema = resolve(doc, raw) ?? {};
  if (schema.enum?.length) return schema.enum[0];
  if (schema.oneOf?.length || schema.anyOf?.length)
    return validSample(doc, (schema.oneOf ?? schema.anyOf ?? [])[0], depth + 1);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        if (name === 'company_id') continue; // taken from the key
        if ((schema.required ?? []).includes(name) || depth === 0)
          out[name] = validSample(doc, prop, depth + 1, name);
      }
      return out;
    }
    case 'array':
      return depth > 4 ? [] : [validSample(doc, schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    default:
      if (schema.format === 'date-time' || /_at$|since$/.test(name)) return '2024-05-01T00:00:00Z';
      if (schema.format === 'date' || /date$/.test(name)) return '2024-05-01';
      return 'abuse-x'
        .slice(0, Math.max(schema.maxLength ?? 7, schema.minLength ?? 1))
        .padEnd(schema.minLength ?? 1, 'x');
  }
}

function operations(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      if (path.startsWith('/docs') || path.includes('/queues/board')) continue;
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        admin: path.includes('/admin/'),
        bodySchema: content['application/json']?.schema,
        query: (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? {} })),
      });
    }
  }
  return ops;
}

const deep = (depth: number, kind: 'array' | 'object'): Json => {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
};

/** Hostile replacement values: wrong types, huge strings, deep JSON, unicode, extreme numbers. */
const hostileValue: fc.Arbitrary<{ kind: string; value: Json }> = fc.oneof(
  fc.constantFrom(-1, -1e308, 1e308, 2 ** 53 + 1, -0.5, 0, 1e21).map((value) => ({ kind: 'number', value })),
  fc.integer({ min: 100_000, max: 400_000 }).map((n) => ({ kind: 'huge string', value: 'é'.repeat(n) })),
  fc.string({ unit: 'binary', maxLength: 80 }).map((value) => ({ kind: 'unicode', value })),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((value) => ({ kind: 'unicode', value })),
  fc
    .tuple(fc.integer({ min: 50, max: 3_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([d, k]) => ({ kind: 'deep json', value: deep(d, k) })),
  fc
    .constantFrom<Json>(
      null,
      true,
      [],
      {},
      [1, 'a', null],
      { $ne: 1 },
      '',
      ' ',
      '\u0000',
      '<script>',
      "'; DROP TABLE ticket;--",
    )
    .map((value) => ({ kind: 'wrong type', value })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'random json', value: value as Json })),
);

const hostilePathParam = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.constantFrom(
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x'.repeat(5000),
    '-1',
    '99999999999999999999',
    '%E0%A4%A',
    'B-secret-1',
    'co-b',
  ),
);

function fieldPaths(value: Json, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    const inner =
      Array.isArray(v) && v.length && typeof v[0] === 'object'
        ? fieldPaths(v[0] as Json, `${path}.0`)
        : fieldPaths(v, path);
    return [path, ...inner];
  });
}

function setPath(value: Json, path: string, replacement: Json): Json {
  const copy = structuredClone(value) as Record<string, Json>;
  const keys = path.split('.');
  let node: Record<string, Json> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, Json>;
  node[keys[keys.length - 1]] = replacement;
  return copy;
}

function attacks(doc: OpenApi, count: number): Attack[] {
  const ops = operations(doc);
  const op = fc.constantFrom(...ops);
  const auth = fc.constantFrom<Attack['auth']>(
    'own',
    'own',
    'own',
    'own',
    'own',
    'own',
    'none',
    'garbage',
    'other',
    'admin',
  );
  const attack = fc
    .tuple(op, auth, hostileValue, hostilePathParam, fc.nat(), fc.nat(9))
    .map(([o, a, hostile, param, pick, shape]): Attack => {
      const path = o.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(param).slice(0, 6000));
      const base = o.bodySchema ? validSample(doc, o.bodySchema) : undefined;
      if (base !== undefined && shape === 0)
        return { op: o, path, auth: a, body: hostile.value, kind: `whole body: ${hostile.kind}` };
      if (base !== undefined && shape === 1)
        return { op: o, path, auth: a, body: '{"broken": ', kind: 'malformed json' };
      if (base !== undefined && shape === 2)
        return {
          op: o,
          path,
          auth: a,
          body: setPath(base, 'company_id', 'co-b'),
          field: 'company_id',
          kind: "other company's id",
        };
      const fields = base !== undefined ? fieldPaths(base) : [];
      if (fields.length) {
        const field = fields[pick % fields.length];
        return {
          op: o,
          // One broken input per request: a 400 is judged on naming it, and a hostile path parameter as well
          // would be named instead (rightly). Path parameters are attacked on their own below.
          path: o.path.replace(/\{[^}]+\}/g, 'A-1'),
          auth: a,
          body: setPath(base as Json, field, hostile.value),
          field,
          kind: hostile.kind,
          sample: JSON.stringify(hostile.value).slice(0, 40),
        };
      }
      if (o.query.length) {
        const q = o.query[pick % o.query.length];
        const text =
          typeof hostile.value === 'string'
            ? hostile.value.slice(0, 3000)
            : JSON.stringify(hostile.value).slice(0, 3000);
        return {
          op: o,
          path: `${path}?${q.name}=${encodeURIComponent(text)}`,
          auth: a,
          kind: `query ${q.name}: ${hostile.kind}`,
        };
      }
      return { op: o, path, auth: a, body: base, kind: 'path param' };
    });
  return fc.sample(attack, { numRuns: count, seed: SEED });
}

function keyFor(auth: Attack['auth'], keys: { own: string; other: string }): string | undefined {
  return {
    own: keys.own,
    other: keys.other,
    admin: BENCH_ADMIN_KEY,
    garbage: 'sc_garbage_0000000000000000',
    none: undefined,
  }[auth];
}

/** A 400 answer names the broken field when its message mentions the field path (or its last segment). */
function namesField(res: HttpResponse, field: string): boolean {
  const body = parseJson<{ message?: unknown }>(res.body);
  const message = JSON.stringify(body?.message ?? '');
  const last = field.split('.').pop() ?? field;
  return message.includes(field) || message.includes(last);
}

interface SweepFinding {
  route: string;
  status: number;
  detail: string;
}

/** Company B's secret content; company A asks for it through every tenant route and must never see it. */
async function crossCompanySweep(input: {
  port: number;
  doc: OpenApi;
  keyA: string;
  keyB: string;
  marker: string;
}): Promise<{ checks: number; leaks: SweepFinding[] }> {
  const { port, keyA, keyB, marker } = input;
  const leaks: SweepFinding[] = [];
  let checks = 0;
  const idsB = {
    ticket_id: 'B-secret-1',
    article_id: 'B-art-1',
    company_id: 'co-b',
    key_id: 'co-b',
    job_id: '',
    session_id: '',
  };
  // B warms its caches, starts a job and (when the route exists) a session, so there is something to leak.
  const searchB = { query: 'flamingo invoice reconciliation', limit: 10 };
  await httpCall({ port, method: 'POST', path: '/api/v1/search', key: keyB, body: searchB });
  await httpCall({ port, method: 'POST', path: '/api/v1/search', key: keyB, body: searchB });
  const job = parseJson<{ job_id?: string }>(
    (
      await httpCall({
        port,
        method: 'POST',
        path: '/api/v1/ingest',
        key: keyB,
        body: { start_date: '2024-01-01', end_date: '2024-12-31' },
      })
    ).body,
  );
  idsB.job_id = job?.job_id ?? 'none';
  const init = await httpCall({
    port,
    method: 'POST',
    path: '/api/v1/init',
    key: keyB,
    body: { ticket_id: 'B-secret-1' },
  });
  idsB.session_id = parseJson<{ session_id?: string }>(init.body)?.session_id ?? 'none';
  const bOnly = [
    marker,
    'B-secret-1',
    'B-art-1',
    idsB.job_id !== 'none' ? idsB.job_id : marker,
    idsB.session_id !== 'none' ? idsB.session_id : marker,
  ];

  const judge = (route: string, res: HttpResponse, sent: string) => {
    checks++;
    const leaked = bOnly.filter((s) => !sent.includes(s) && res.body.includes(s));
    if (leaked.length)
      leaks.push({ route, status: res.status, detail: `answer contains ${leaked.join(', ')}` });
    if (
      res.status >= 200 &&
      res.status < 300 &&
      sent.includes('B-secret-1') &&
      res.body.includes('B-secret-1') &&
      /\/tickets\/|\/init/.test(route)
    ) {
      leaks.push({ route, status: res.status, detail: "B's ticket answered to A" });
    }
  };
  for (const op of operations(input.doc)) {
    if (op.admin || !op.path.startsWith('/api/')) continue;
    const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      encodeURIComponent((idsB as Record<string, string>)[name] ?? 'B-secret-1'),
    );
    const base = op.bodySchema ? (validSample(input.doc, op.bodySchema) as Record<string, Json>) : undefined;
    const bodies: Array<Record<string, Json> | undefined> = base
      ? [
          { ...base, company_id: 'co-b' },
          {
            ...base,
            ...('ticket_id' in base ? { ticket_id: 'B-secret-1' } : {}),
            ...('query' in base ? { query: searchB.query } : {}),
            ...('session_id' in base || op.path.endsWith('/query') || op.path.endsWith('/reply')
              ? { session_id: idsB.session_id }
              : {}),
          },
        ]
      : [undefined];
    for (const body of bodies) {
      const query = op.method === 'GET' ? '?company_id=co-b' : '';
      const sent = `${path}${query}${JSON.stringify(body ?? '')}`;
      const res = await httpCall({
        port,
        method: op.method,
        path: `${path}${query}`,
        key: keyA,
        body,
        timeoutMs: 30_000,
      });
      judge(`${op.method} ${op.path}`, res, sent);
      if (body && 'company_id' in body && res.status !== 403 && res.status !== 400 && res.status !== 404) {
        leaks.push({
          route: `${op.method} ${op.path}`,
          status: res.status,
          detail: 'company_id of another company was not refused',
        });
      }
      if (op.method === 'GET') {
        const plain = await httpCall({ port, method: op.method, path, key: keyA });
        judge(`${op.method} ${op.path}`, plain, path);
      }
    }
  }
  // The cache: A runs B's exact search (B's answer is cached) and must get its own.
  const same = await httpCall({ port, method: 'POST', path: '/api/v1/search', key: keyA, body: searchB });
  judge('POST /api/v1/search (B cached the same query)', same, JSON.stringify(searchB));
  for (const adminPath of ['/api/v1/admin/cache/stats?company_id=co-b', '/api/v1/admin/queues']) {
    const res = await httpCall({ port, method: 'GET', path: adminPath, key: keyA });
    checks++;
    if (res.status !== 403 && res.status !== 404)
      leaks.push({
        route: `GET ${adminPath}`,
        status: res.status,
        detail: 'tenant key reached an admin route',
      });
  }
  return { checks, leaks };
}

async function main(): Promise<void> {
  const stack = await startPrivateStack(freePort);
  let app: AppProcess | undefined;
  try {
    app = await spawnApp({ env: { ...stack.env, LOG_LEVEL: 'error' } });
    const port = app.port;
    const keyA = await createCompany(port, 'co-a');
    const keyB = await createCompany(port, 'co-b');
    const marker = `zq${randomBytes(6).toString('hex')}`;
    await upsertTickets({ port, key: keyA, tickets: benchTickets({ count: 50, prefix: 'A' }) });
    await upsertTickets({
      port,
      key: keyB,
      tickets: [
        {
          ...benchTickets({ count: 1, prefix: 'B' })[0],
          ticket_id: 'B-secret-1',
          subject: 'flamingo invoice reconciliation',
          description: `Confidential ${marker} flamingo invoice reconciliation`,
        },
      ],
    });
    await sleep(1000);
    const docRes = await httpCall({ port, method: 'GET', path: '/docs-json' });
    const doc = parseJson<OpenApi>(docRes.body);
    if (!doc?.paths) throw new Error(`GET /docs-json: ${docRes.status}`);
    const ops = operations(doc);

    // A 400 can only be judged on the field it names when the unbroken body is accepted: check each baseline.
    const validBaseline = new Set<string>();
    for (const op of ops) {
      if (!op.bodySchema || op.admin) continue;
      const path = op.path.replace(/\{[^}]+\}/g, 'A-1');
      const res = await httpCall({
        port,
        method: op.method,
        path,
        key: keyA,
        body: validSample(doc, op.bodySchema),
      });
      if (res.status < 400 || res.status === 404) validBaseline.add(`${op.method} ${op.path}`);
    }
    const list = attacks(doc, REQUESTS);
    const agent = keepAliveAgent(CONCURRENCY);
    let next = 0;
    let serverErrors = 0;
    let transportErrors = 0;
    let unnamed = 0;
    let badRequests = 0;
    const byStatus: Record<string, number> = {};
    const examples: string[] = [];
    const exampleKeys = new Set<string>();
    const started = Date.now();
    const worker = async () => {
      while (next < list.length) {
        const a = list[next++];
        const res = await httpCall({
          port,
          method: a.op.method,
          path: a.path,
          key: keyFor(a.auth, { own: keyA, other: keyB }),
          body: a.body,
          agent,
          timeoutMs: 30_000,
        });
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        if (res.status === 0) transportErrors++;
        if (res.status >= 500) {
          serverErrors++;
          // One example per route and kind of input, so the notes show distinct causes.
          const seen = `${a.op.method} ${a.op.path} ${a.kind}`;
          if (examples.length < 12 && !exampleKeys.has(seen)) {
            exampleKeys.add(seen);
            examples.push(`${res.status} ${seen} (field ${a.field ?? '-'} = ${a.sample ?? '…'})`);
          }
        }
        if (
          res.status === 400 &&
          a.field &&
          a.auth === 'own' &&
          validBaseline.has(`${a.op.method} ${a.op.path}`)
        ) {
          badRequests++;
          if (!namesField(res, a.field)) {
            unnamed++;
            if (examples.length < 16)
              examples.push(
                `400 without "${a.field}": ${a.op.method} ${a.op.path} (${a.kind}): ${res.body.slice(0, 160)}`,
              );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;
    const alive =
      app.child.exitCode === null &&
      (await httpCall({ port, method: 'GET', path: '/health/live' })).status === 200;
    const sweep = await crossCompanySweep({ port, doc, keyA, keyB, marker });

    emitResult(
      {
        part: 'abuse',
        rows: [
          info({ name: 'routes in the OpenAPI document', value: ops.length, unit: '' }),
          info({
            name: 'generated requests (fast-check, seed ' + SEED + ')',
            value: list.length,
            unit: `in ${Math.round(seconds)} s`,
          }),
          info({
            name: 'answers by status',
            value: Object.entries(byStatus)
              .map(([s, n]) => `${s}: ${n}`)
              .join(', '),
            unit: '',
          }),
          verdict({
            name: '5xx answers',
            target: '0',
            value: serverErrors,
            unit: '',
            pass: serverErrors === 0,
          }),
          verdict({
            name: 'crashes (API process exited or not live afterwards)',
            target: '0',
            value: alive ? 0 : 1,
            unit: '',
            pass: alive,
          }),
          info({
            name: 'connections closed without an answer (oversized URL or headers, refused by the HTTP parser)',
            value: transportErrors,
            unit: '',
          }),
          verdict({
            name: '400s that do not name the broken field',
            target: '0',
            value: unnamed,
            unit: `of ${badRequests} judged (${validBaseline.size} routes with an accepted baseline body)`,
            pass: unnamed === 0,
          }),
          info({ name: 'cross-company checks', value: sweep.checks, unit: '' }),
          verdict({
            name: 'cross-company leaks',
            target: '0',
            value: sweep.leaks.length,
            unit: '',
            pass: sweep.leaks.length === 0,
          }),
        ],
        notes: [
          ...examples.map((e) => `example: ${e}`),
          ...sweep.leaks.slice(0, 10).map((l) => `leak: ${l.route} → ${l.status}: ${l.detail}`),
          "Sweep: company A sends B's ids (path params, ticket_id, session_id, job_id) and company_id=b to every tenant route, repeats B's cached search, and calls admin routes; a leak is any answer to A holding B's secret marker or ids A did not send, or a foreign company_id not refused.",
        ],
      },
      args,
    );
  } finally {
    app?.kill('SIGKILL');
    await stack.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
