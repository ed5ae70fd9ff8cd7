/**
 * A report folder is owned by one run and changes all at once. The run takes a lock in it first (a
 * second run into the same folder is refused in one line), writes everything into a staging folder
 * inside it, and only when the whole report is there moves each of its entries into place — so a full
 * disk, a crash or a hard stop half-way leaves the previous report as it was, never a new report
 * beside an old results.json. Entries the run does not make (a README, `capacity/`) are never touched.
 * A staging or previous folder left by a run that died is cleaned up (or put back) by the next run.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/config-error.ts';
import { processAlive } from '../../core/process/process-alive.ts';
import { prepareReportDir } from './report-dir.ts';

/** What a run writes at the top of its report folder: all of it replaced together, nothing else touched. */
export const REPORT_ENTRIES = ['QA-TEST-REPORT.md', 'junit.xml', 'test-results', 'allure-results', 'allure-report'];
export const LOCK_FILE = '.postal-qa.lock';
const STAGING_PREFIX = '.postal-qa-staging-';
const PREVIOUS_PREFIX = '.postal-qa-previous-';

export interface ReportFolder {
  /** the folder as the user named it */
  readonly dir: string;
  /** where this run writes its report (made on first use) */
  staging(): string;
  /** moves the staged report into place; the previous report's entries go only once every new one is there */
  publish(): void;
  /** drops the staged report: the previous one stays */
  discard(): void;
  /** gives the folder back to other runs */
  release(): void;
}

/** "pid start-time": a pid reused by another process after ours died does not hold the lock. */
function processIdentity(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return `${pid}`;
  }
}

function holderAlive(text: string): number | undefined {
  const pid = Number(text.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  return text.includes(' ') && processIdentity(pid) !== text.trim() ? undefined : pid;
}

function takeLock(dir: string, flag: string): string {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, processIdentity(process.pid));
      closeSync(fd);
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderAlive(readFileSync(path, 'utf8'));
      if (holder !== undefined) {
        throw new ConfigError(
          `${flag}=${dir}: another postal-qa run (pid ${holder}) is writing its report there; wait for it to finish, or choose another ${flag}`,
        );
      }
      unlinkSync(path); // its run died without letting go
    }
  }
  throw new ConfigError(`${flag}=${dir}: could not take the report folder's lock (${path}); remove it if no run is writing there`);
}

/** Puts back what a run that died half-way through publishing had moved aside, and drops its staging. */
function recover(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith(PREVIOUS_PREFIX)) {
      for (const entry of readdirSync(path)) if (!existsSync(join(dir, entry))) renameSync(join(path, entry), join(dir, entry));
      rmSync(path, { recursive: true, force: true });
    } else if (name.startsWith(STAGING_PREFIX)) rmSync(path, { recursive: true, force: true });
  }
}

/** Claims `dir` for this run, or throws one ConfigError line naming `flag`. */
export function claimReportFolder(dir: string, flag = '--report-dir'): ReportFolder {
  if (dir.trim() === '') throw new ConfigError(`${flag} is empty; name a folder for the report, e.g. ${flag}=reports`);
  prepareReportDir(dir, flag);
  const lock = takeLock(dir, flag);
  let staging: string | undefined;
  let released = false;
  try {
    recover(dir);
  } catch (error) {
    unlinkSync(lock);
    throw new ConfigError(
      `${flag}=${dir}: a report left half-written by an earlier run could not be tidied (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return {
    dir,
    staging() {
      if (!staging) {
        staging = join(dir, `${STAGING_PREFIX}${process.pid}`);
        rmSync(staging, { recursive: true, force: true });
        mkdirSync(staging);
      }
      return staging;
    },
    publish() {
      const from = this.staging();
      const previous = join(dir, `${PREVIOUS_PREFIX}${process.pid}`);
      rmSync(previous, { recursive: true, force: true });
      mkdirSync(previous);
      const moved: string[] = [];
      const landed: string[] = [];
      try {
        for (const name of REPORT_ENTRIES) {
          if (!existsSync(join(dir, name))) continue;
          renameSync(join(dir, name), join(previous, name));
          moved.push(name);
        }
        for (const name of readdirSync(from).filter((n) => REPORT_ENTRIES.includes(n))) {
          renameSync(join(from, name), join(dir, name));
          landed.push(name);
        }
      } catch (error) {
        // All or nothing: the new entries that landed go back, the previous report comes back.
        for (const name of landed) renameSync(join(dir, name), join(from, name));
        for (const name of moved) renameSync(join(previous, name), join(dir, name));
        throw error;
      }
      rmSync(previous, { recursive: true, force: true });
      rmSync(from, { recursive: true, force: true });
      staging = undefined;
    },
    discard() {
      if (staging) rmSync(staging, { recursive: true, force: true });
      staging = undefined;
    },
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(lock, 'utf8') === processIdentity(process.pid)) unlinkSync(lock);
      } catch {
        // already gone
      }
    },
  };
}
