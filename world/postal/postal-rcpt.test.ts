import { describe, expect, it } from 'vitest';
import { postalAddressArgument, readPostalRcpt } from './postal-rcpt.ts';

// Postal 3.3.2 app/lib/smtp_server/client.rb `rcpt_to`: what each relay-test form becomes before the route lookup.
describe("Postal's reading of RCPT TO", () => {
  it.each([
    ['RCPT TO:<seed@gmail.test>', 'seed@gmail.test', 'seed', 'gmail.test'],
    ['rcpt to: seed@gmail.test', 'seed@gmail.test', 'seed', 'gmail.test'],
    ['RCPT TO:<seed%gmail.test@mailgoat.ai>', 'seed%gmail.test@mailgoat.ai', 'seed%gmail.test', 'mailgoat.ai'],
    ['RCPT TO:<seed@gmail.test@mailgoat.ai>', 'seed@gmail.test@mailgoat.ai', 'seed', 'gmail.test@mailgoat.ai'],
    ['RCPT TO:<"seed@gmail.test"@mailgoat.ai>', '"seed@gmail.test"@mailgoat.ai', '"seed', 'gmail.test"@mailgoat.ai'],
    ['RCPT TO:<gmail.test!seed@mailgoat.ai>', 'gmail.test!seed@mailgoat.ai', 'gmail.test!seed', 'mailgoat.ai'],
    ['RCPT TO:<qa+tag@mailgoat.ai>', 'qa+tag@mailgoat.ai', 'qa', 'mailgoat.ai'],
    ['RCPT TO:<+tag@mailgoat.ai>', '+tag@mailgoat.ai', '', 'mailgoat.ai'],
    ['RCPT TO:<x> <qa@mailgoat.ai> NOTIFY=NEVER', 'qa@mailgoat.ai', 'qa', 'mailgoat.ai'],
  ])('%s → %s (local part %s, domain %s)', (line, rcptTo, uname, domain) => {
    expect(readPostalRcpt(line)).toEqual({ kind: 'address', rcptTo, uname, domain });
  });

  it('gives a source route no local part at all (Ruby "".split("+", 2) is empty), so no route matches it', () => {
    expect(readPostalRcpt('RCPT TO:<@mailgoat.ai:seed@gmail.test>')).toEqual({
      kind: 'address',
      rcptTo: '@mailgoat.ai:seed@gmail.test',
      uname: undefined,
      domain: 'mailgoat.ai:seed@gmail.test',
    });
  });

  it('answers 501 for an empty address and for one without a domain', () => {
    expect(readPostalRcpt('RCPT TO:<>')).toEqual({ kind: 'reply', code: 501, message: 'RCPT TO should not be empty' });
    expect(readPostalRcpt('RCPT TO:<gmail.test!seed>')).toEqual({ kind: 'reply', code: 501, message: 'Invalid RCPT TO' });
    expect(readPostalRcpt('RCPT TO:<"seed%gmail.test">')).toEqual({ kind: 'reply', code: 501, message: 'Invalid RCPT TO' });
    expect(readPostalRcpt('RCPT TO:<seed@ >')).toEqual({ kind: 'reply', code: 501, message: 'Invalid RCPT TO' });
  });

  it('reads MAIL FROM the same way', () => {
    expect(postalAddressArgument('MAIL FROM: <a@b.test> SIZE=10', 'MAIL FROM')).toBe('a@b.test');
    expect(postalAddressArgument('MAIL FROM:<>', 'MAIL FROM')).toBe('');
  });
});
