import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const SRC = resolve(__dirname, '../../src');

/** Every non-spec source file under src/, repo-relative to src/ (`modules/cache/cache.module.ts`). */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [relative(SRC, path)] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(SRC, dirname(from), specifier);
  const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
  return found ? relative(SRC, found) : undefined;
}

/** Imports, re-exports, `import type` and dynamic imports alike: a type-only edge still couples two rooms. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const info = ts.preProcessFile(readFileSync(join(SRC, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => resolveImport(file, imported.fileName))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** `modules/cache`, `common`, `config`, ...: the room a file lives in. */
function roomOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'modules' ? `modules/${parts[1]}` : parts.length > 1 ? parts[0] : file;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function fileCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Pairs of rooms that import each other, as `a <-> b`. */
export function mutualRooms(graph: Map<string, string[]>): string[] {
  const edges = new Set<string>();
  for (const [file, targets] of graph)
    for (const target of targets)
      if (roomOf(file) !== roomOf(target)) edges.add(`${roomOf(file)} -> ${roomOf(target)}`);
  const pairs = new Set<string>();
  for (const edge of edges) {
    const [from, to] = edge.split(' -> ');
    if (edges.has(`${to} -> ${from}`)) pairs.add([from, to].sort().join(' <-> '));
  }
  return [...pairs].sort();
}

/** Files of `room` that import a file of one of `forbidden`, as `file -> target`. */
function importsInto(
  graph: Map<string, string[]>,
  room: string,
  forbidden: (target: string) => boolean,
): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph)
    if (file.startsWith(`${room}/`))
      for (const target of targets) if (forbidden(target)) found.push(`${file} -> ${target}`);
  return found;
}

describe('import graph of src/', () => {
  const graph = importGraph();

  it('reads the real tree (a broken walk must not pass by finding nothing)', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('modules/cache/cache.module.ts')).toContain('modules/cache/layered-cache.service.ts');
  });

  it('has no file cycle', () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it('has no two rooms (modules, common, config, ...) importing each other', () => {
    expect(mutualRooms(graph)).toEqual([]);
  });

  it('cache/ is infrastructure: imports nothing from assist, search, ingest or llm', () => {
    const features = ['assist', 'search', 'ingest', 'llm'].map((name) => `modules/${name}/`);
    expect(importsInto(graph, 'modules/cache', (t) => features.some((f) => t.startsWith(f)))).toEqual([]);
  });

  it('common/ imports no module', () => {
    expect(importsInto(graph, 'common', (target) => target.startsWith('modules/'))).toEqual([]);
  });

  it('the checks find what they look for (a cycle, a mutual pair)', () => {
    const sample = new Map([
      ['modules/a/x.ts', ['modules/b/y.ts']],
      ['modules/b/y.ts', ['modules/a/x.ts']],
      ['modules/c/z.ts', ['modules/a/x.ts']],
    ]);
    expect(fileCycles(sample)).toEqual([['modules/a/x.ts', 'modules/b/y.ts']]);
    expect(mutualRooms(sample)).toEqual(['modules/a <-> modules/b']);
  });
});
