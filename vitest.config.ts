import { defineConfig } from 'vitest/config';

// The acceptance suite: the controls in specs/, run by harness/cli.ts (`npm test`), which provides the target.
export default defineConfig({
  test: {
    include: ['specs/**/*.spec.ts'],
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Controls in one file run in order, so a prerequisite is decided before the controls that need it.
    sequence: { concurrent: false },
  },
});
