/* Require hook for bench scripts: compiles .ts with @swc/core using the project's .swcrc (decorators + metadata). */
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.swcrc'), 'utf8'));
const options = { ...swcrc, swcrc: false, sourceMaps: 'inline' };
delete options.$schema;

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
