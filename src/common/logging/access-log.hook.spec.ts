import { accessLogLevel } from './access-log.hook';

describe('accessLogLevel', () => {
  const at = (status: number, durationMs = 5, path = '/api/v1/tickets', successMinMs = 0) =>
    accessLogLevel({ status, durationMs, path, successMinMs });

  it('always logs errors: 5xx as error, 4xx as warn, however fast and whatever the path', () => {
    expect(at(500, 1, '/api/v1/query', 60_000)).toBe('error');
    expect(at(503, 1, '/health/ready', 60_000)).toBe('error');
    expect(at(401, 1, '/api/v1/tickets', 60_000)).toBe('warn');
    expect(at(404, 1, '/health/nothing', 60_000)).toBe('warn');
  });

  it('samples successes by LOG_SUCCESS_MIN_MS (0 logs every one) and skips successful health probes', () => {
    expect(at(200, 1)).toBe('info');
    expect(at(200, 99, '/api/v1/tickets', 100)).toBeUndefined();
    expect(at(201, 100, '/api/v1/tickets', 100)).toBe('info');
    expect(at(200, 1, '/health/live')).toBeUndefined();
  });
});
