import { loadConfig } from './config';
import { ConfigValidationError } from './define-config';

describe('metrics configuration', () => {
  it('defaults to enabled on port 9464 without a token, with the 20 busiest companies named', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: true, port: 9464, token: undefined, companyLabel: { mode: 'top', k: 20 } });
  });

  it('reads METRICS_PORT and METRICS_TOKEN, refusing a bad port and a short token by name', () => {
    const config = loadConfig({ METRICS_PORT: '9100', METRICS_TOKEN: 'scrape-token-0123456789' });
    expect(config.metrics).toMatchObject({ port: 9100, token: 'scrape-token-0123456789' });
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: must be a TCP port/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
  });

  it.each([
    ['top:5', { mode: 'top', k: 5 }],
    ['top:1000', { mode: 'top', k: 1000 }],
    ['all', { mode: 'all' }],
    ['off', { mode: 'off' }],
  ])('reads METRICS_COMPANY_LABEL=%s', (value, expected) => {
    expect(loadConfig({ METRICS_COMPANY_LABEL: value }).metrics.companyLabel).toEqual(expected);
  });

  it.each(['top:0', 'top:1001', 'top', 'top:-1', 'some', 'TOP:5'])(
    'refuses METRICS_COMPANY_LABEL=%s naming it',
    (value) => {
      expect(() => loadConfig({ METRICS_COMPANY_LABEL: value })).toThrow(ConfigValidationError);
      expect(() => loadConfig({ METRICS_COMPANY_LABEL: value })).toThrow(
        /METRICS_COMPANY_LABEL: must be top:K/,
      );
    },
  );

  it('reads METRICS_ENABLED', () => {
    expect(loadConfig({ METRICS_ENABLED: 'false' }).metrics.enabled).toBe(false);
    expect(() => loadConfig({ METRICS_ENABLED: 'maybe' })).toThrow(/METRICS_ENABLED: must be true or false/);
  });
});
