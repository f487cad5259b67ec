/** npm run screenshots: the browser harness photographs the article page, the live thread, the console and the embed. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/screenshots.shots.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }], '/node_modules/jose/.+\\.js$': '<rootDir>/tests/helpers/esm-to-cjs.js' },
  // jose ships ES modules only (the embed helpers sign SSO tokens): transformed to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 120000,
};
