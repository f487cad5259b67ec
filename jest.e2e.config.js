/** Browser tests: headless Chromium (Debian's) driven by playwright-core against a real server. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }], '/node_modules/jose/.+\\.js$': '<rootDir>/tests/helpers/esm-to-cjs.js' },
  // jose ships ES modules only (SSO tokens): transformed to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 60000,
};
