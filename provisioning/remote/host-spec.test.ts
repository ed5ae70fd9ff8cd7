import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { formatHostSpec, parseHostSpec } from './host-spec.ts';

describe('parseHostSpec', () => {
  it.each([
    ['root@91.98.35.3', { user: 'root', host: '91.98.35.3', port: 22 }],
    ['deploy@mail.mailgoat.ai:2222', { user: 'deploy', host: 'mail.mailgoat.ai', port: 2222 }],
    ['root@127.0.12.10:2222', { user: 'root', host: '127.0.12.10', port: 2222 }],
  ])('%s', (text, spec) => {
    expect(parseHostSpec(text, '--host')).toEqual(spec);
    expect(formatHostSpec(spec)).toBe(text);
  });

  it.each([
    ['91.98.35.3', 'no user@'],
    ['root@host:0', 'not a number from 1 to 65535'],
    ['root@host:70000', 'not a number from 1 to 65535'],
    ['root@host:ssh', 'not a number from 1 to 65535'],
    ['root@bad_host!', 'is not a host name or IP address'],
    ['r o@host', 'is not a user name'],
  ])('refuses %s in one line naming the flag', (text, why) => {
    expect(() => parseHostSpec(text, '--host')).toThrow(ConfigError);
    expect(() => parseHostSpec(text, '--host')).toThrow(why);
    try {
      parseHostSpec(text, '--host');
    } catch (error) {
      expect((error as Error).message.startsWith('--host: expected user@host[:port]')).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
