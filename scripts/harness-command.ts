/**
 * How scripts and end-to-end tests run the harness: exactly what `npm test` runs (node with the
 * early-signal guard and tsx's loader, no tsx wrapper process in between that would relay signals on its
 * own terms, and a bare `--` before the options so Node never reads `--env-file` as its own).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

export function harnessCommand(args: string[]): { command: string; args: string[] } {
  // Absolute, so the harness runs from any folder (its relative flags then mean that folder's files).
  const at = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
  return {
    command: process.execPath,
    args: [
      '--import',
      pathToFileURL(at('harness/early-signals.mjs')).href,
      '--import',
      import.meta.resolve('tsx'),
      at('harness/cli.ts'),
      '--',
      ...args,
    ],
  };
}
