/** Cluster tests: three built nodes on PostgreSQL + Redis behind nginx (deploy/nginx.conf), real processes. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/cluster'],
  testMatch: ['**/*.cluster.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
};
