import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { loadProvisionSettings } from './provision-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'postal-qa-settings-'));
const knownHosts = join(dir, 'known_hosts');
writeFileSync(knownHosts, '[127.0.0.10]:2222 ssh-ed25519 AAAA\n');
const key = join(dir, 'id');
writeFileSync(key, 'key', { mode: 0o600 });
const envFile = (lines: string[]): string => {
  const path = join(dir, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

describe('loadProvisionSettings', () => {
  it('reads flags', () => {
    const s = loadProvisionSettings(['--host=root@127.0.0.10:2222', `--identity=${key}`, `--known-hosts=${knownHosts}`, '--dry-run']);
    expect(s).toMatchObject({
      target: { user: 'root', host: '127.0.0.10', port: 2222 },
      identity: key,
      knownHosts,
      dryRun: true,
      root: '',
    });
  });

  it('reads an env file (paths relative to it), and flags win over it', () => {
    const file = envFile([
      'PROVISION_HOST=root@127.0.0.10:2222',
      'PROVISION_IDENTITY=id',
      'PROVISION_KNOWN_HOSTS=known_hosts',
      'PROVISION_ROOT=/tmp/x',
      'POSTAL_API_URL=https://127.0.0.10/',
      'OTHER=1',
    ]);
    const s = loadProvisionSettings([`--env-file=${file}`]);
    expect(s).toMatchObject({ target: { port: 2222 }, identity: key, knownHosts, root: '/tmp/x', apiUrl: 'https://127.0.0.10' });
    expect(loadProvisionSettings([`--env-file=${file}`, '--host=admin@127.0.0.11']).target).toEqual({
      user: 'admin',
      host: '127.0.0.11',
      port: 22,
    });
  });

  it.each([
    [[], '--host: the server is missing'],
    [['--host=root@h', '--known-hosts=/nonexistent/known_hosts'], 'no pinned host key'],
    [
      ['--host=root@h', `--known-hosts=${knownHosts}`, '--identity=/nonexistent/id'],
      '--identity=/nonexistent/id: an SSH private key file not found',
    ],
    [['--host=root@h', `--known-hosts=${knownHosts}`, '--bogus'], "Unknown option '--bogus'"],
    [['--env-file=/nonexistent/env'], '--env-file=/nonexistent/env: env file not found'],
    [['--host=root@h:99999', `--known-hosts=${knownHosts}`], 'not a number from 1 to 65535'],
  ])('refuses %j in one line', (argv, message) => {
    expect(() => loadProvisionSettings(argv, { HOME: dir })).toThrow(ConfigError);
    expect(() => loadProvisionSettings(argv, { HOME: dir })).toThrow(message);
  });

  it('refuses a bad line or value in the env file, naming the key and file', () => {
    expect(() => loadProvisionSettings([`--env-file=${envFile(['PROVISION_HOST root@h'])}`])).toThrow(/:1: expected KEY=value/);
    expect(() =>
      loadProvisionSettings([
        `--env-file=${envFile(['PROVISION_HOST=root@h', `PROVISION_KNOWN_HOSTS=${knownHosts}`, 'POSTAL_API_URL=ftp://x'])}`,
      ]),
    ).toThrow(/POSTAL_API_URL \(.*\): expected an http\(s\) URL/);
    expect(() =>
      loadProvisionSettings([
        `--env-file=${envFile(['PROVISION_HOST=root@h', `PROVISION_KNOWN_HOSTS=${knownHosts}`, 'PROVISION_ROOT=rel'])}`,
      ]),
    ).toThrow('PROVISION_ROOT: expected an absolute path');
  });

  it('reads the exec transport from --exec or PROVISION_EXEC, split as a shell would, with no host key to pin', () => {
    const s = loadProvisionSettings(['--host=root@127.0.0.10', '--exec=docker exec -i "postal server" /bin/bash -c'], {
      HOME: '/nonexistent',
    });
    expect(s).toMatchObject({
      exec: ['docker', 'exec', '-i', 'postal server', '/bin/bash', '-c'],
      knownHosts: '',
      target: { host: '127.0.0.10' },
    });
    const file = envFile(['PROVISION_HOST=root@127.0.0.10', "PROVISION_EXEC=docker-compose -p 'my project' exec -T postal"]);
    expect(loadProvisionSettings([`--env-file=${file}`], { HOME: '/nonexistent' }).exec).toEqual([
      'docker-compose',
      '-p',
      'my project',
      'exec',
      '-T',
      'postal',
    ]);
    // Without it, SSH as before.
    expect(loadProvisionSettings(['--host=root@h', `--known-hosts=${knownHosts}`])).not.toHaveProperty('exec');
  });

  it('refuses an exec transport given SSH settings too, or an exec command that cannot be split', () => {
    expect(() => loadProvisionSettings(['--host=root@h', '--exec=sh -c', `--known-hosts=${knownHosts}`])).toThrow(
      '--exec: the exec transport takes no SSH key or known_hosts (--known-hosts); give one transport',
    );
    expect(() => loadProvisionSettings(['--host=root@h', '--exec=sh -c', `--identity=${key}`])).toThrow('(--identity)');
    expect(() => loadProvisionSettings(['--host=root@h', "--exec=sh -c 'x"])).toThrow("--exec: an unclosed ' in");
    expect(() => loadProvisionSettings(['--host=root@h', '--exec=   '])).toThrow(
      '--exec: empty; expected a command that runs its last argument as a shell command on the server',
    );
    expect(() => loadProvisionSettings(['--exec=sh -c'])).toThrow('--host: the server is missing');
  });
});
