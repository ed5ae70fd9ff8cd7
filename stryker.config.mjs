// Mutation testing of the pure checks (`npm run test:mutation`, docs/faults.md "Mutation testing"):
// Stryker changes the checks' code one mutant at a time and runs their tests; a mutant no test
// notices ("survived") is a change to a check that its tests would let through.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.checks.config.ts' },
  mutate: [
    'harness/checks/**/*.ts',
    // The formula FN-05 and the world's mail-tester stand-in share; its tests are the checks' tests.
    'core/spam/spam-score-formula.ts',
    '!harness/checks/**/*.test.ts',
    // Test helpers and type declarations: nothing a check decides.
    '!harness/checks/fake-observations.ts',
    '!harness/checks/**/*.d.ts',
  ],
  // Only the tests that reach a mutant run against it: a full run stays within minutes, not hours.
  coverageAnalysis: 'perTest',
  // Two cores on the CI machine, shared with other jobs.
  concurrency: 2,
  thresholds: { high: 85, low: 70, break: 80 },
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportMutants: true, skipFull: true },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  // Committed (not under reports/, which git ignores): CI starts from a fresh clone, and with this
  // file `--incremental` re-mutates only the checks and tests that changed since it was written.
  incrementalFile: '.stryker/incremental.json',
  tempDirName: '.stryker-tmp',
  // The sandbox Stryker copies the project into needs only what the checks and their tests import.
  ignorePatterns: ['world', 'provisioning', 'specs', 'scripts', 'fixtures', 'artifacts', 'reports', '.ci'],
};
