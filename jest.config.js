/** Unit and integration tests: real servers on port 0, real SQLite, real socket.io clients. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/tests/e2e/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }], '/node_modules/jose/.+\\.js$': '<rootDir>/tests/helpers/esm-to-cjs.js' },
  // jose ships ES modules only (SSO tokens): transformed to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 20000,
};
