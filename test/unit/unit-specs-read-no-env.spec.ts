import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function specs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return specs(path);
    return name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * CI runs the unit project once per Node version, not again in services mode: that is only sound while no unit
 * spec reads the environment (a spec that did would test something else when DATABASE_URL or REDIS_URL is set).
 * Configuration specs pass their variables to loadConfig as an object instead.
 */
describe('unit specs', () => {
  it('read no environment variable, so one run covers both modes', () => {
    const readers = [...specs(join(ROOT, 'src')), ...specs(join(ROOT, 'test/unit'))]
      .filter((file) => !file.endsWith('unit-specs-read-no-env.spec.ts'))
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(readers).toEqual([]);
  });
});
