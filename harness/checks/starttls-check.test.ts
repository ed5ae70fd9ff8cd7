import { describe, expect, it } from 'vitest';
import { checkStarttls, type StarttlsInput } from './starttls-check.ts';

const caps = ['mail.mailgoat.ai', 'SIZE 14680064', 'STARTTLS', 'AUTH CRAM-MD5 PLAIN LOGIN', 'ENHANCEDSTATUSCODES'];
const good: StarttlsInput = { host: 'mail.mailgoat.ai', ehloCapabilities: caps, handshake: { ok: true, protocol: 'TLSv1.3', authorized: true } };

describe('checkStarttls', () => {
  it('passes when offered and the handshake succeeds', () => {
    const verdict = checkStarttls(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('mail.mailgoat.ai offers STARTTLS and the handshake succeeds (TLSv1.3)');
  });

  it('fails when STARTTLS is not offered', () => {
    const verdict = checkStarttls({ ...good, ehloCapabilities: caps.filter((c) => c !== 'STARTTLS') });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.remediation).toMatch(/tls_enabled: true/);
  });

  it('fails when the handshake fails, is missing, or is too old', () => {
    expect(checkStarttls({ ...good, handshake: { ok: false, error: 'wrong version number' } }).summary).toMatch(/handshake fails: wrong version number/);
    expect(checkStarttls({ ...good, handshake: undefined }).outcome).toBe('fail');
    expect(checkStarttls({ ...good, handshake: { ok: true, protocol: 'TLSv1' } }).outcome).toBe('fail');
  });

  it('warns on an untrusted certificate', () => {
    expect(checkStarttls({ ...good, handshake: { ok: true, protocol: 'TLSv1.3', authorized: false } }).outcome).toBe('warn');
  });
});
