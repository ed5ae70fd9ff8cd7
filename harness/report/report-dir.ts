/**
 * The report folder is checked before anything runs: a run whose report cannot be written has
 * nothing to show for itself. Folders are made one level at a time (never `mkdir -p`, which spins on
 * pseudo file systems like /proc), and a probe file proves the folder takes writes.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.path ? ` at ${e.path}` : ''}` : String(error);
}

/** Makes `dir` (and its `sub` folders) if needed; throws what stopped it. */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is a file`), { code: 'ENOTDIR', path: at });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const folder of missing) mkdirSync(folder);
}

/** Throws a ConfigError naming `flag` when reports cannot be written under `dir`. */
export function prepareReportDir(dir: string, flag = '--report-dir'): void {
  try {
    makeFolders(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.postal-qa-write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw new ConfigError(`${flag}=${dir}: reports cannot be written there (${describe(error)}); choose a folder you can write to`);
  }
}

/** True when `dir` can take the report (used when the flags themselves could not be read). */
export function isWritableReportDir(dir: string): boolean {
  try {
    prepareReportDir(dir);
    return true;
  } catch {
    return false;
  }
}
