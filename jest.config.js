/** One jest run for the whole workspace: unit specs beside the code, integration specs
 * under each project's test/ folder, both against the real Postgres and NATS. */
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/deploy'],
  testMatch: ['**/*.spec.ts'],
  // The long fault scenarios run apart, in `npm run test:faults` (jest.faults.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.faults\\.spec\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // A lib's test support (@refinery/<lib>/testing) before the lib itself: the first match wins.
  moduleNameMapper: {
    '^@refinery/([^/]+)/testing$': '<rootDir>/libs/$1/test/support/index.ts',
    '^@refinery/([^/]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  setupFiles: ['reflect-metadata'],
  // A nats-server of the run's own: tests run beside `npm start` without touching its streams.
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  testTimeout: 30000,
};
