/** `npm run test:faults`: the long fault scenarios (a NATS node killed, a database stopped for a
 * minute). Same set-up as the main run; only the files differ. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['**/*.faults.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
};
