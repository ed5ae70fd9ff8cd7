import { defineConfig } from 'vitest/config';

// The project's own tests: the shared core, the harness, the checks, provisioning, the world, the
// scripts, and the end-to-end tests that drive the harness and the world from outside (e2e/).
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'harness/**/*.test.ts', 'world/**/*.test.ts', 'provisioning/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
