import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './harness-command.ts';

/** Bad input stops `npm run capacity` before any world starts or any mail is sent: exit 2, one line. */
const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/capacity.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, POSTAL_API_URL: '', POSTAL_API_KEYS_FILE: '' },
  });
  return { code: result.status, lines: result.stderr.trim().split('\n').filter(Boolean), stdout: result.stdout };
};

describe('npm run capacity refuses bad input with one line and exit 2', () => {
  it.each([
    [['--env=live'], /--env=live: .*add --allow-load/],
    [['--env=live', '--allow-load', '--max-messages=0'], /--max-messages: expected an integer ≥ 1, found "0"/],
    [['--transports=api,fax'], /--transports: expected a comma-separated list of api, smtp, found "api,fax"/],
    [['--factor=1'], /--factor: expected a number above 1/],
    [['--inspection=clamav'], /--inspection: expected rspamd, spamd or off/],
    [['--env=local'], /--env=local: the Testcontainers replica is not built yet/],
    [['--evn=live'], /Unknown option '--evn'/],
  ])('%j', (args, message) => {
    const { code, lines, stdout } = run(...args);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/^capacity: /);
    expect(stdout).not.toMatch(/capacity — /);
  });

  it('names the missing live settings (with --allow-load) instead of starting anything', () => {
    const { code, lines } = run('--env=live', '--allow-load');
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/POSTAL_API_URL/);
  });
});
