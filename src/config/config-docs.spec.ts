import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from './config';

/**
 * Every environment variable is a property of an env class in `src/config/*.ts`, declared as
 * `NAME?: string = undefined;` (the initializer is what makes `defineConfig` see it), with its decorators before
 * it on the same line or on lines of their own, and the initializer sometimes wrapped onto the next line.
 */
const DECLARATION = /\b([A-Z][A-Z0-9_]*)\?: string =\s*undefined;/g;
/** Looser: any optional string property with an initializer, whatever its name looks like. */
const ANY_INITIALIZED_STRING = /\b\w+\?: string =/g;

const configDir = __dirname;
const readmePath = resolve(__dirname, '..', '..', 'README.md');

const sourceFiles = readdirSync(configDir)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
  .sort();

function declaredIn(source: string): string[] {
  return [...source.matchAll(DECLARATION)].map((match) => match[1]);
}

const declared = sourceFiles.flatMap((file) => declaredIn(readFileSync(join(configDir, file), 'utf8')));

/** The variables the config really reads: every key `loadConfig` looks up in the environment it is given. */
function variablesReadByLoadConfig(): string[] {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  loadConfig(env);
  return [...read];
}

describe('README documents every environment variable', () => {
  it('finds the declarations in every style used in src/config', () => {
    expect(sourceFiles).toContain('app.config.ts');
    // Floor: the test must not pass because nothing was found.
    expect(declared.length).toBeGreaterThan(100);
    expect(new Set(declared).size).toBe(declared.length);
    for (const file of sourceFiles) {
      const source = readFileSync(join(configDir, file), 'utf8');
      // A declaration the strict pattern misses (lower-case name, other initializer) shows up as a difference.
      expect({ file, count: declaredIn(source).length }).toEqual({
        file,
        count: source.match(ANY_INITIALIZED_STRING)?.length ?? 0,
      });
    }
    // And the result is exactly what the configuration reads at run time.
    expect([...declared].sort()).toEqual(variablesReadByLoadConfig().sort());
  });

  it('names each one in backticks in README.md', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const missing = declared.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
