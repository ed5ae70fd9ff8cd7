import { defineConfig } from 'vitest/config';
import { CatalogOrderSequencer } from './harness/controls/catalog-order-sequencer.ts';

// The acceptance suite: the controls in specs/, run by harness/cli.ts (`npm test`), which provides the target.
export default defineConfig({
  test: {
    include: ['specs/**/*.spec.ts'],
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The areas run side by side, three workers for the five files, started in catalog order (infrastructure →
    // dns → security → functionality → performance); the controls of a file one after another. A control waits
    // for its prerequisites' outcomes wherever they run (harness/runner/prerequisite-wait.ts), and FN-01 and
    // PERF-01 for whole areas to end (`after:`): docs/controls.md, "How a run is scheduled".
    sequence: { concurrent: false, sequencer: CatalogOrderSequencer },
    fileParallelism: true,
    maxWorkers: 3,
    // Threads, not forked processes: a terminal Ctrl-C reaches the whole process group, and a forked
    // worker would die under the CLI before it could close the world and write the report.
    pool: 'threads',
    isolate: false,
  },
});
