import { defineConfig } from 'vitest/config';

// Only the pure checks' own tests: what mutation testing (stryker.config.mjs) runs against every
// mutant. No world, provisioning or CLI test is included, so no mail server starts per mutant.
export default defineConfig({
  test: {
    include: ['harness/checks/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
