import { defineConfig } from 'vitest/config';
import { WHOLE_RUN_TESTS } from './vitest.e2e.config.ts';

// The unit tier (`npm run test:unit`, about 2 minutes on 2 cores): pure and in-process tests beside the code they
// test — the shared core, the checks, the harness's parts, provisioning, the world's servers one at a time, the
// scripts' pure parts. Whole runs (the CLI, a world process, provisioning over SSH, signals) are the e2e tier.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'harness/**/*.test.ts', 'world/**/*.test.ts', 'provisioning/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...WHOLE_RUN_TESTS],
    globalSetup: ['./vitest.global-setup.ts'],
    // Three files at a time on 2 cores (vitest's default is cores - 1, one here): most unit files wait on
    // sockets and child processes (spamd, Dovecot, rspamd, the servers), so the tier is 3.3 min on one
    // worker and 1.7 min on three (7 December 2026); four gained 7 s more, not worth the contention.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
