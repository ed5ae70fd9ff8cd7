/**
 * `npm run test:mutation [-- <stryker options>]`: runs `stryker run --incremental` with the options given,
 * then removes `projectRoot` from `.stryker/incremental.json`: Stryker writes there the absolute path of the
 * checkout it ran in, a path of one machine in a file that is committed. Stryker finds files by their paths
 * relative to the project and does not read it back. The exit code is Stryker's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FILE = '.stryker/incremental.json';
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const run = spawnSync(process.execPath, [stryker, 'run', '--incremental', ...process.argv.slice(2)], { stdio: 'inherit' });
try {
  const report = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  if ('projectRoot' in report) {
    delete report.projectRoot;
    writeFileSync(FILE, `${JSON.stringify(report, null, 2)}\n`);
  }
} catch (error) {
  console.error(`test:mutation: ${FILE}: ${(error as Error).message}`);
}
process.exit(run.status ?? 1);
