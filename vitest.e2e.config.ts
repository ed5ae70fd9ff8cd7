import { defineConfig } from 'vitest/config';

/**
 * Tests that drive a whole run from outside: the CLI as a user starts it (`npm test`, `npm run world`,
 * `npm run provision`, `npm run capacity`), worlds as processes, provisioning over SSH, signals at any moment.
 */
export const WHOLE_RUN_TESTS = [
  'harness/cli.test.ts',
  'world/server-host/provision-through-server-host.test.ts',
  'scripts/capacity.test.ts',
];

// The e2e tier (`npm run test:e2e`): e2e/ and the whole-run tests above. Minutes, not seconds: each starts processes.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts', ...WHOLE_RUN_TESTS],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
