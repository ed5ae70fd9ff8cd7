import { describe, expect, it } from 'vitest';
import { relayedAddress, type RelayForm } from './relay-faults.ts';

const own = (d: string): boolean => ['mailgoat.ai', 'mail.mailgoat.ai', '[127.0.0.10]'].includes(d.toLowerCase().replace(/\.$/, ''));
const ALL: RelayForm[] = ['percent-hack', 'source-route', 'bang-path', 'quoted-local-part', 'double-at'];

describe('relay holes', () => {
  it.each([
    ['seed%gmail.test@mailgoat.ai', 'percent-hack', 'seed@gmail.test'],
    ['seed%gmail.test@mail.mailgoat.ai', 'percent-hack', 'seed@gmail.test'],
    ['seed%gmail.test@[127.0.0.10]', 'percent-hack', 'seed@gmail.test'],
    ['@mailgoat.ai:seed@gmail.test', 'source-route', 'seed@gmail.test'],
    ['@[127.0.0.10]:seed@gmail.test', 'source-route', 'seed@gmail.test'],
    ['gmail.test!seed@mailgoat.ai', 'bang-path', 'seed@gmail.test'],
    ['gmail.test!seed', 'bang-path', 'seed@gmail.test'],
    ['"seed@gmail.test"@mailgoat.ai', 'quoted-local-part', 'seed@gmail.test'],
    ['"seed@gmail.test"', 'quoted-local-part', 'seed@gmail.test'],
    ['seed@gmail.test@mailgoat.ai', 'double-at', 'seed@gmail.test'],
  ] as const)('%s: a %s hole relays it to %s, no other hole does', (rcptTo, form, to) => {
    expect(relayedAddress(rcptTo, [form], own)).toBe(to);
    expect(
      relayedAddress(
        rcptTo,
        ALL.filter((f) => f !== form),
        own,
      ),
    ).toBeUndefined();
  });

  it('relays nothing that stays on the own domain, nor a plain foreign address', () => {
    expect(relayedAddress('qa%mailgoat.ai@mailgoat.ai', ALL, own)).toBeUndefined();
    expect(relayedAddress('qa@mailgoat.ai', ALL, own)).toBeUndefined();
    expect(relayedAddress('seed@gmail.test', ALL, own)).toBeUndefined();
    expect(relayedAddress('seed%gmail.test@other.test', ALL, own)).toBeUndefined();
  });
});
