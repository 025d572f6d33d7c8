/** Deeper than any body of the API (tickets → conversations → item is 3): anything past it is abuse. */
export const MAX_INPUT_DEPTH = 16;

/**
 * Finds what class-validator cannot be trusted with: nesting deep enough to exhaust its recursion (a 500
 * instead of a 400) and NUL characters, which PostgreSQL text columns reject at write time. Returns one
 * message per problem, naming the field by its path as validation messages do. Pure and iterative.
 */
export function inspectInput(value: unknown, root = ''): string[] {
  const problems: string[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0 && problems.length < 20) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000'))
        problems.push(`${path || 'value'} must not contain NUL (\\u0000) characters`);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push(`${path || 'body'} is nested deeper than ${MAX_INPUT_DEPTH} levels`);
      continue;
    }
    if (Array.isArray(current)) {
      current.forEach((item, index) =>
        stack.push({ value: item, path: `${path}[${index}]`, depth: depth + 1 }),
      );
    } else {
      for (const [key, item] of Object.entries(current)) {
        const itemPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) problems.push(`${itemPath} must not contain NUL (\\u0000) characters`);
        stack.push({ value: item, path: itemPath, depth: depth + 1 });
      }
    }
  }
  return problems;
}
