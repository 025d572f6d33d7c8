import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

describe.each(dbTargets())('health, docs and request ids (%s)', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(() => t.close());

  it('reports liveness and readiness with one line per dependency, without a key', async () => {
    expect((await t.request({ method: 'GET', url: '/health/live' })).body).toEqual({ status: 'ok' });
    const ready = await t.request({ method: 'GET', url: '/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(Object.keys(ready.body.details)).toEqual(expect.arrayContaining(['lifecycle', 'database', 'redis']));
    expect(ready.body.details.database.status).toBe('up');
  });

  it('serves Swagger UI and an OpenAPI document with both auth schemes and every route', async () => {
    const ui = await t.request({ method: 'GET', url: '/docs' });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = (await t.request({ method: 'GET', url: '/docs-json' })).body;
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
    for (const path of [
      '/api/v1/tickets',
      '/api/v1/tickets/{ticket_id}',
      '/api/v1/articles',
      '/api/v1/admin/companies',
      '/api/v1/admin/companies/{company_id}/api-keys',
      '/api/v1/admin/companies/{company_id}/api-keys/{key_id}',
      '/health/live',
      '/health/ready',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    const put = doc.paths['/api/v1/tickets'].put;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '413', '429']));
    expect(put.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponseDto');
    expect(doc.components.schemas.TicketDto.required).toEqual(
      expect.arrayContaining(['ticket_id', 'subject', 'status', 'created_at']),
    );
  });

  it('echoes a caller request id and mints one otherwise', async () => {
    const given = await t.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const minted = await t.request({ method: 'GET', url: '/health/live' });
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\u0000' } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await t.request({ method: 'GET', url: '/api/v1/nothing-here', headers: { 'x-request-id': 'trace-404' } });
    expect(error.status).toBe(404);
    expect(error.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), request_id: 'trace-404' });
  });
});
