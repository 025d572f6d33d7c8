/** Unit specs live next to the code; integration and e2e suites under test/. */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs|cjs)$': '<rootDir>/test/setup/esm-transformer.js' },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  rootDir: __dirname,
};

module.exports = {
  testTimeout: 30000,
  // Every test file loads the whole app (NestJS, TypeORM, ioredis, ...) into its own module registry, and about
  // 110 MB of each stays reachable from process-wide hooks after the file ends (measured with --expose-gc and
  // --logHeapUsage: +110 MB per e2e file, with or without this session's code). In one process that reached V8's
  // 4 GB limit in services mode, with multi-second full GCs on the way that tripped 2 s timeouts. One worker runs
  // the files one after another (as --runInBand did) and is replaced once it holds more than this after a file.
  workerIdleMemoryLimit: '1536MB',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/test/integration/**/*.spec.ts',
        '<rootDir>/test/contract/**/*.spec.ts',
        '<rootDir>/test/e2e/**/*.spec.ts',
      ],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
    },
  ],
};
