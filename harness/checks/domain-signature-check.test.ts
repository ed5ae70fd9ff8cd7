import { describe, expect, it } from 'vitest';
import { checkDomainSignature } from './domain-signature-check.ts';

const base = { provider: 'Gmail', fromDomain: 'mailgoat.ai', expectedSelector: 'qpMdyI' };

describe('checkDomainSignature', () => {
  it("passes a verified signature with the domain's own selector", () => {
    expect(checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'qpMdyI' }] }).outcome).toBe('pass');
  });

  it("fails Postal's fallback signature even when it passes and aligns", () => {
    const verdict = checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'rp.mail.mailgoat.ai', selector: 'postal' }] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('fallback key');
    expect(verdict.remediation).toContain('qpMdyI._domainkey.mailgoat.ai');
  });

  it('fails a failing own signature and a message with no signature', () => {
    expect(checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai', selector: 'qpMdyI' }] }).outcome).toBe('fail');
    expect(checkDomainSignature({ ...base, signatures: [] }).outcome).toBe('fail');
  });
});
