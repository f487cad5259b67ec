/** Fault tests: the built server as a real process, under held locks, lost files, full disks and SIGTERM. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/faults'],
  testMatch: ['**/*.fault.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
};
