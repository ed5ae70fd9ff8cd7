import { describe, expect, it } from 'vitest';
import { checkSmtpAuth, type AuthReply, type SmtpAuthInput } from './smtp-auth-check.ts';

const refused = (attempt: string, tls: boolean, over: Partial<AuthReply> = {}): AuthReply => ({
  attempt,
  tls,
  code: 535,
  reply: 'Invalid credential',
  ...over,
});
const SOUND: SmtpAuthInput = {
  host: 'mail.mailgoat.ai',
  clearCapabilities: ['STARTTLS'],
  wrongPassword: [
    refused('AUTH PLAIN in clear text', false, { code: 538, reply: 'Encryption required' }),
    refused('AUTH PLAIN after STARTTLS', true),
    refused('AUTH LOGIN after STARTTLS', true),
  ],
  foreignFrom: {
    from: 'x@foreign-domain.invalid',
    auth: { code: 235, reply: 'Granted for mailgoat/production' },
    data: { code: 530, reply: 'From/Sender name is not valid' },
  },
};
const run = (over: Partial<SmtpAuthInput> = {}) => checkSmtpAuth({ ...SOUND, ...over });

describe('checkSmtpAuth', () => {
  it('passes a server that refuses wrong passwords with 535, keeps AUTH behind STARTTLS and refuses a foreign From', () => {
    const verdict = run();
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      '3 AUTH attempt(s) with a wrong password refused (538, 535), AUTH not offered before STARTTLS; From x@foreign-domain.invalid refused (530 From/Sender name is not valid)',
    );
    expect(verdict.observed).toBe(
      'AUTH PLAIN in clear text: 538, AUTH PLAIN after STARTTLS: 535, AUTH LOGIN after STARTTLS: 535; foreign From: 530',
    );
  });

  it('fails a wrong password that is granted: anyone can send', () => {
    const verdict = run({
      wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 235, reply: '235 Granted for mailgoat/production' })],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'mail.mailgoat.ai granted AUTH PLAIN after STARTTLS with a wrong password (235 Granted for mailgoat/production): anyone can send',
    );
    expect(verdict.remediation).toMatch(/Any password opens the server/);
  });

  it('warns, naming Postal 3.3.2 default and what to do, when AUTH is offered or answered before STARTTLS', () => {
    const offered = run({
      clearCapabilities: ['STARTTLS', 'AUTH CRAM-MD5 PLAIN LOGIN'],
      wrongPassword: [refused('AUTH PLAIN in clear text', false)],
    });
    expect(offered.outcome).toBe('warn');
    expect(offered.summary).toBe(
      'mail.mailgoat.ai offers AUTH before STARTTLS and checks a password sent in clear text (535 to a wrong one): a client that authenticates without STARTTLS sends its SMTP password readable to anyone on the path',
    );
    expect(offered.remediation).toMatch(/Postal 3\.3\.2 offers and accepts AUTH before STARTTLS by default .*smtpd_tls_auth_only = yes/);
    expect(run({ clearCapabilities: ['AUTH=PLAIN'] }).summary).toMatch(/offers AUTH before STARTTLS:/);
    expect(run({ wrongPassword: [refused('AUTH PLAIN in clear text', false)] }).summary).toMatch(
      /^mail\.mailgoat\.ai answers AUTH before STARTTLS and checks/,
    );
    expect(run({ clearCapabilities: ['AUTHX'] }).outcome).toBe('pass');
  });

  it('warns a deferral, fails a reply that is not SMTP', () => {
    expect(run({ wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 454, reply: 'try later' })] }).outcome).toBe('warn');
    expect(run({ wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 0, reply: 'closed' })] }).summary).toMatch(
      /something that is not SMTP \(0 closed\)/,
    );
    expect(run({ wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 600, reply: 'x' })] }).outcome).toBe('fail');
    expect(run({ wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 199, reply: 'x' })] }).outcome).toBe('fail');
    expect(run({ wrongPassword: [refused('AUTH PLAIN after STARTTLS', true, { code: 300, reply: 'x' })] }).outcome).toBe('pass');
  });

  it('fails when the SMTP credential may send From a foreign domain, naming use_for_any', () => {
    const verdict = run({ foreignFrom: { ...SOUND.foreignFrom!, data: { code: 250, reply: 'OK' } } });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      "the SMTP credential sent a message From x@foreign-domain.invalid, a domain the server does not own (250 OK): anyone holding it can send as any domain from this server's IP",
    );
    expect(verdict.remediation).toMatch(/use_for_any/);
  });

  it('warns when its own SMTP credential is refused, and says why the foreign From was not tried', () => {
    expect(run({ foreignFrom: { from: 'x@y.invalid', auth: { code: 535, reply: 'Invalid credential' } } }).summary).toMatch(
      /SMTP credential from the keys file was refused \(535 Invalid credential\)/,
    );
    const skipped = run({ foreignFrom: undefined, foreignFromSkipped: 'no "smtp <key>" line in POSTAL_API_KEYS_FILE' });
    expect(skipped.outcome).toBe('pass');
    expect(skipped.summary).toMatch(/sending From a foreign domain not tried: no "smtp <key>" line/);
    expect(skipped.evidence.at(-1)).toEqual({
      label: 'SMTP credential, foreign From',
      detail: { skipped: 'no "smtp <key>" line in POSTAL_API_KEYS_FILE' },
    });
  });

  it('fails when nothing was tried', () => {
    expect(run({ wrongPassword: [] }).summary).toBe('no AUTH attempt was made');
  });
});
