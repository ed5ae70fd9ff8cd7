import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimReportFolder, LOCK_FILE } from './report-folder.ts';

const scratch = mkdtempSync(join(tmpdir(), 'postal-qa-folder-'));
const folderWithPreviousReport = (name: string): string => {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'test-results'), { recursive: true });
  writeFileSync(join(dir, 'QA-TEST-REPORT.md'), 'previous report');
  writeFileSync(join(dir, 'test-results', 'results.json'), '{"previous":true}');
  writeFileSync(join(dir, 'README.md'), "the user's own file");
  return dir;
};

describe('claimReportFolder', () => {
  it('publishes the staged report at once, replacing only what a run writes', () => {
    const dir = folderWithPreviousReport('publish');
    const folder = claimReportFolder(dir);
    const staging = folder.staging();
    writeFileSync(join(staging, 'QA-TEST-REPORT.md'), 'new report');
    // Until published, the previous report is what the folder shows.
    expect(readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8')).toBe('previous report');
    folder.publish();
    folder.release();
    expect(readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8')).toBe('new report');
    // An entry of the run that this run did not make is gone (never a stale results.json beside a new report).
    expect(existsSync(join(dir, 'test-results'))).toBe(false);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe("the user's own file");
    expect(readdirSync(dir).sort()).toEqual(['QA-TEST-REPORT.md', 'README.md']);
  });

  it('refuses a second run while the first holds the folder, and takes a lock its dead holder left', () => {
    const dir = folderWithPreviousReport('locked');
    const first = claimReportFolder(dir);
    expect(() => claimReportFolder(dir)).toThrow(
      `--report-dir=${dir}: another postal-qa run (pid ${process.pid}) is writing its report there; wait for it to finish, or choose another --report-dir`,
    );
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), '999999999 12345');
    expect(() => claimReportFolder(dir).release()).not.toThrow();
  });

  it('discarding leaves the previous report; a half-published report of a dead run is put back', () => {
    const dir = folderWithPreviousReport('discard');
    const folder = claimReportFolder(dir);
    writeFileSync(join(folder.staging(), 'QA-TEST-REPORT.md'), 'half');
    folder.discard();
    folder.release();
    expect(readFileSync(join(dir, 'QA-TEST-REPORT.md'), 'utf8')).toBe('previous report');
    expect(readdirSync(dir).filter((n) => n.startsWith('.postal-qa-'))).toEqual([]);

    // A run killed between moving the old report aside and moving the new one in.
    mkdirSync(join(dir, '.postal-qa-previous-424242'));
    writeFileSync(join(dir, '.postal-qa-previous-424242', 'junit.xml'), '<old/>');
    mkdirSync(join(dir, '.postal-qa-staging-424242'));
    claimReportFolder(dir).release();
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toBe('<old/>');
    expect(readdirSync(dir).filter((n) => n.startsWith('.postal-qa-'))).toEqual([]);
  });

  it('refuses an empty folder name and one that cannot be written', () => {
    expect(() => claimReportFolder('')).toThrow('--report-dir is empty; name a folder for the report, e.g. --report-dir=reports');
    expect(() => claimReportFolder('/proc/x')).toThrow(/--report-dir=\/proc\/x: reports cannot be written there/);
  });
});
