/** Cluster tests: three built nodes on PostgreSQL + Redis behind nginx (deploy/nginx.conf), real processes. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/cluster'],
  testMatch: ['**/*.cluster.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Every test is bounded, and so is the run: forceExit ends jest even if a socket is left behind, and the
  // harness SIGKILLs every process it started (nginx, nodes, redis-server) as the test process exits.
  testTimeout: 120000,
  forceExit: true,
};
