/**
 * A report folder on a full disk: the run says so in one line (exit 2, no stack trace) and leaves the
 * previous report exactly as it was — never a new QA-TEST-REPORT.md cut mid-line beside the previous
 * run's results.json. The disk is a small tmpfs mounted for the test (root only; skipped, saying why,
 * where mount is refused). A net of its own (e2e/support/loopback-net.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { loopbackNet } from './support/loopback-net.ts';

const NET = loopbackNet(import.meta.url);
const mountPoint = mkdtempSync(join(tmpdir(), 'postal-qa-disk-full-'));

function mount(sizeKb: number): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', mountPoint], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim() || 'mount failed'}): run as root`;
  }
}
function unmount(): void {
  spawnSync('umount', [mountPoint]);
}
const cannotMount = mount(1024);
unmount();
afterAll(() => {
  unmount();
  rmSync(mountPoint, { recursive: true, force: true });
});

function run(reportDir: string): { code: number | null; stdout: string; stderr: string } {
  const harness = harnessCommand([`--report-dir=${reportDir}`, '--only=DNS-01']);
  const result = spawnSync(harness.command, harness.args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, POSTAL_QA_WORLD_NET: NET, POSTAL_QA_ARTIFACTS: 'off', NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** path → sha256 of every file under `dir` (what "left exactly as it was" means). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => statSync(join(dir, name)).isFile())
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex'),
      ]),
  );
}

/** Fills the disk up to `leaveBytes` free. */
function fill(leaveBytes: number): void {
  const { bavail, bsize } = statfsSync(mountPoint);
  writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
}

const ENOSPC_LINE =
  /^postal-qa: --report-dir=.*: the report could not be written: the disk is full \(ENOSPC\); the previous report there is left as it was$/;

describe.skipIf(cannotMount !== undefined)(`a report folder on a full disk${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, () => {
  it('the previous report stays byte for byte; one line on stderr, exit 2, no stack trace', () => {
    expect(mount(1024)).toBeUndefined();
    try {
      const reportDir = join(mountPoint, 'reports');
      const first = run(reportDir);
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(reportDir);
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['QA-TEST-REPORT.md', 'junit.xml', join('test-results', 'results.json')]));

      fill(8 * 1024);
      const second = run(reportDir);
      expect(second.code, second.stdout + second.stderr).toBe(2);
      expect(second.stderr.trimEnd().split('\n'), second.stderr).toHaveLength(1);
      expect(second.stderr.trimEnd()).toMatch(ENOSPC_LINE);
      expect(second.stderr + second.stdout).not.toMatch(/internal error|\n\s+at /);
      expect(snapshot(reportDir)).toEqual(before);
      // Nothing half-written is left beside it either.
      expect(readdirSync(reportDir).filter((name) => name.startsWith('.postal-qa'))).toEqual([]);
    } finally {
      unmount();
    }
  }, 600_000);

  it('a 64 KB disk that cannot take even the first report: one line, and no report cut mid-line', () => {
    expect(mount(64)).toBeUndefined();
    try {
      const reportDir = join(mountPoint, 'reports');
      mkdirSync(reportDir);
      const result = run(reportDir);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(ENOSPC_LINE);
      expect(existsSync(join(reportDir, 'QA-TEST-REPORT.md'))).toBe(false);
      expect(readdirSync(reportDir)).toEqual([]);
    } finally {
      unmount();
    }
  }, 600_000);
});
