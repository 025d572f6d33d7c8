import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').length;
}

/** Every class declaration in `file` with its length in lines, decorators and doc comment excluded. */
export function classSizes(file: string, text = readFileSync(file, 'utf8')): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source, false)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ name: node.name?.text ?? '(anonymous)', lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The size limits of the layout (README, Architecture): the cache room stays infrastructure-sized, and no class
 * in a feature module grows past what one reader holds in mind.
 */
describe('room and class sizes', () => {
  it('modules/cache is under 2,000 lines (specs excluded)', () => {
    const files = sourceFiles(join(SRC, 'modules/cache'));
    expect(files.length).toBeGreaterThan(10);
    const total = files.reduce((sum, file) => sum + lineCount(file), 0);
    expect(total).toBeLessThan(2_000);
  });

  it('no class in src/modules is over 300 lines', () => {
    const files = sourceFiles(join(SRC, 'modules'));
    const sizes = files.flatMap((file) =>
      classSizes(file).map((c) => ({ ...c, file: relative(SRC, file) })),
    );
    expect(sizes.length).toBeGreaterThan(100);
    expect(sizes.filter((c) => c.lines > 300).map((c) => `${c.file} ${c.name}: ${c.lines}`)).toEqual([]);
  });

  it('counts a class from its first line to its closing brace', () => {
    const text = ['/** doc */', '@Injectable()', 'export class A {', '  x = 1;', '}', 'class B {}'].join('\n');
    expect(classSizes('a.ts', text)).toEqual([
      { name: 'A', lines: 4 },
      { name: 'B', lines: 1 },
    ]);
  });
});
