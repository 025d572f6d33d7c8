/**
 * NestJS 12, TypeORM 1 and several of their dependencies ship as ES modules. Node 20.19 can require() them,
 * but Jest's own module registry cannot before Node 24.9, so under Jest those files are compiled to CommonJS
 * with SWC. Plain CommonJS files in node_modules pass through untouched (strict-mode rewriting could break them).
 */
const swcJest = require('@swc/jest');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const inner = swcJest.createTransformer(swcOptions);
const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s|import\.meta)/m;

module.exports = {
  process(source, filename, options) {
    if (filename.includes('/node_modules/') && !filename.endsWith('.mjs') && !ESM_SYNTAX.test(source)) {
      return { code: source };
    }
    return inner.process(source, filename, options);
  },
  getCacheKey(source, filename, options) {
    return inner.getCacheKey(source, filename, options) + ':esm1';
  },
};
