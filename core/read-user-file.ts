import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

/**
 * Reads a file the user pointed us at; a missing or unreadable file is one line naming it, what it is
 * and what to do (`whenMissing`), never a stack trace.
 */
export function readConfigFile(path: string, what: string, whenMissing: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${path}: ${what} not found; ${whenMissing}` : `${path}: cannot read the ${what} (${code ?? (error as Error).message})`);
  }
}
