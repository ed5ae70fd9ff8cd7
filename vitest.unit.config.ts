import { defineConfig } from 'vitest/config';

// The project's own tests: the harness, the checks, provisioning and the world, tested beside their code.
export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'world/**/*.test.ts', 'provisioning/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
