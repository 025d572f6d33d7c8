import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../../src/config/config';

const root = resolve(__dirname, '..', '..', '..');
const compose = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
/** Set per service (role, ports) or meaningless in a container (embedded-mode paths). */
const SET_PER_SERVICE = new Set(['APP_ROLE', 'PORT', 'WORKER_PORT', 'HOST', 'DATA_DIR', 'SQLITE_PATH']);

function variablesReadByLoadConfig(): string[] {
  const read = new Set<string>();
  loadConfig(
    new Proxy({} as Record<string, string | undefined>, {
      get: (_target, key) => {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
    }),
  );
  return [...read];
}

/** The lines of a top-level block (`name:` at column 0) up to the next top-level key. */
function block(name: string): string {
  const start = compose.indexOf(`\n${name}`);
  const rest = compose.slice(start + 1);
  const end = rest.slice(1).search(/\n[A-Za-z]/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

function service(name: string): string {
  const services = block('services:');
  const start = services.indexOf(`\n  ${name}:`);
  const rest = services.slice(start + 1);
  const end = rest.slice(1).search(/\n {2}[a-z]/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

describe('docker-compose.yml', () => {
  it('passes every configuration variable through to api and worker (from .env or the shell)', () => {
    const passed = new Set([...block('x-app-env').matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]));
    const expected = variablesReadByLoadConfig().filter((name) => !SET_PER_SERVICE.has(name));
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.filter((name) => !passed.has(name))).toEqual([]);
  });

  it('publishes no host port on the scaled roles and puts a load balancer in front of api', () => {
    expect(service('api')).not.toMatch(/\n\s+ports:/);
    expect(service('worker')).not.toMatch(/\n\s+ports:/);
    expect(service('lb')).toMatch(/image: nginx:/);
    expect(service('lb')).toContain('./ops/nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(readFileSync(resolve(root, 'ops/nginx/nginx.conf'), 'utf8')).toMatch(/proxy_pass \$api_upstream;/);
  });

  it('has Prometheus discover every api and worker replica on the metrics port', () => {
    const prometheus = readFileSync(resolve(root, 'ops/prometheus/prometheus.yml'), 'utf8');
    const port = /METRICS_PORT: "(\d+)"/.exec(block('x-app-env'))?.[1];
    expect(port).toBe('9464');
    for (const name of ['api', 'worker'])
      expect(prometheus).toMatch(new RegExp(`names: \\[${name}\\]\\s+type: A\\s+port: ${port}`));
  });
});
