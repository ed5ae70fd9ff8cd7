/**
 * `npm run provision` as a user runs it: every bad input is exit 2 and one stderr line naming the flag
 * or setting, no stack trace, and nothing is attempted; an unreachable server is exit 1 naming the
 * host, with the hint to run again. (The full runs against the world's server host are in
 * world/server-host/provision-through-server-host.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/harness-command.ts';
import { loopbackNet } from './support/loopback-net.ts';

/** An address of this file's net where nothing listens: ssh to it is refused. */
const UNANSWERED = `${loopbackNet(import.meta.url)}.250`;

const dir = mkdtempSync(join(tmpdir(), 'postal-qa-provision-cli-'));
const knownHosts = join(dir, 'known_hosts');
writeFileSync(knownHosts, `[${UNANSWERED}]:2299 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZbgC0wWzSk2WfDp1Jq8ZKqvQX0rJUVdGeX1ckEbQy7\n`);
const envFile = join(dir, 'env');
writeFileSync(envFile, 'PROVISION_HOST=root@host:notaport\n');

function provision(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'provisioning/deploy/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HOME: dir },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run provision: bad input', () => {
  it.each([
    [[], '--host: the server is missing'],
    [['--host=91.98.35.3'], '--host: expected user@host[:port]'],
    [['--host=root@91.98.35.3'], 'no pinned host key'],
    [
      ['--host=root@h', `--known-hosts=${knownHosts}`, '--identity=/nonexistent'],
      '--identity=/nonexistent: an SSH private key file not found',
    ],
    [['--host=root@h', `--known-hosts=${knownHosts}`, '--deployment=/nonexistent.json'], '/nonexistent.json'],
    [[`--env-file=${envFile}`], 'PROVISION_HOST'],
    [['--host=root@h', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])(
    '%j → exit 2, one line',
    (args, expected) => {
      const run = provision(args);
      expect(run.status, run.stderr).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    },
    130_000,
  );
});

describe('npm run provision: an unreachable server', () => {
  it('exits 1 naming the host and how to resume, and changes nothing locally', () => {
    const out = join(dir, 'out');
    const run = provision([`--host=root@${UNANSWERED}:2299`, `--known-hosts=${knownHosts}`, `--out=${out}`]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`ssh root@${UNANSWERED}:2299`);
    expect(run.stderr).toContain('run the same command again to resume');
    expect(existsSync(out)).toBe(false);
  }, 130_000);
});
