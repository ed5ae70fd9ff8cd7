import { defineConfig } from 'vitest/config';
import { CatalogOrderSequencer } from './harness/controls/catalog-order-sequencer.ts';

// The acceptance suite: the controls in specs/, run by harness/cli.ts (`npm test`), which provides the target.
export default defineConfig({
  test: {
    include: ['specs/**/*.spec.ts'],
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Controls run in catalog order, one spec file after another, so a prerequisite is decided
    // before the controls that need it (infrastructure → dns → security → functionality → performance).
    sequence: { concurrent: false, sequencer: CatalogOrderSequencer },
    fileParallelism: false,
    // Threads, not forked processes: a terminal Ctrl-C reaches the whole process group, and a forked
    // worker would die under the CLI before it could close the world and write the report.
    pool: 'threads',
    isolate: false,
  },
});
