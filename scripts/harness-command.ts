/**
 * How scripts and end-to-end tests run the harness: exactly what `npm test` runs (node with tsx's
 * loader, no tsx wrapper process in between that would relay signals on its own terms).
 */
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

export function harnessCommand(args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', 'harness/cli.ts', ...args] };
}
