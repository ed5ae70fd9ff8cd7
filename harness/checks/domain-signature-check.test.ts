import { describe, expect, it } from 'vitest';
import { checkDomainSignature } from './domain-signature-check.ts';

const base = { provider: 'Gmail', fromDomain: 'mailgoat.ai', expectedSelector: 'qpMdyI' };
const PUBLISH =
  'Publish the DKIM record Postal shows for mailgoat.ai at qpMdyI._domainkey.mailgoat.ai exactly as shown, then run Postal\'s DNS check for the domain (web UI: Domains → mailgoat.ai → Check my records; or `postal console`: Domain.find_by(name: "mailgoat.ai").check_dns). Postal signs with d=mailgoat.ai only while that check says OK, and never checks a new domain by itself';

describe('checkDomainSignature', () => {
  it("passes a verified signature with the domain's own selector, whatever the case", () => {
    const signatures = [
      { result: 'pass', domain: 'rp.mail.mailgoat.ai', selector: 'postal' },
      { result: 'pass', domain: 'MailGoat.AI', selector: 'QPMDYI' },
    ];
    expect(checkDomainSignature({ ...base, fromDomain: 'MAILGOAT.ai', signatures })).toEqual({
      outcome: 'pass',
      summary: "Gmail: signed with mailgoat.ai's own key (d=mailgoat.ai, s=qpMdyI)",
      expected: 'DKIM-Signature d=mailgoat.ai; s=qpMdyI, passing',
      observed: 'pass d=rp.mail.mailgoat.ai s=postal, pass d=MailGoat.AI s=QPMDYI',
      evidence: [{ label: 'DKIM signatures at Gmail', detail: signatures }],
    });
  });

  it("fails Postal's fallback signature even when it passes and aligns", () => {
    const verdict = checkDomainSignature({
      ...base,
      signatures: [
        { result: 'fail', domain: 'other.example', selector: 'x' },
        { result: 'pass', domain: 'rp.mail.mailgoat.ai', selector: 'postal' },
      ],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe("Gmail: signed by rp.mail.mailgoat.ai (s=postal), not by mailgoat.ai's own key (s=qpMdyI) — Postal is using its fallback key");
    expect(verdict.remediation).toBe(PUBLISH);
    expect(checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'rp.mail.mailgoat.ai' }] }).summary).toMatch(/^Gmail: signed by rp\.mail\.mailgoat\.ai \(s=\?\)/);
  });

  it('does not take a signature by the domain with another selector, or without one, as its own', () => {
    const verdict = checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'postal' }] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/^Gmail: signed by mailgoat\.ai \(s=postal\), not by/);
    const unnamed = checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai' }] });
    expect(unnamed.summary).toBe('Gmail: no DKIM signature by mailgoat.ai with selector qpMdyI');
    expect(unnamed.observed).toBe('fail d=mailgoat.ai s=?');
  });

  it('fails a failing own signature and a message with no signature', () => {
    const failing = checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai', selector: 'qpMdyI' }] });
    expect(failing.outcome).toBe('fail');
    expect(failing.summary).toBe('Gmail: the signature by mailgoat.ai (s=qpMdyI) does not verify (fail)');
    expect(failing.remediation).toBe(PUBLISH);
    const none = checkDomainSignature({ ...base, signatures: [] });
    expect(none.outcome).toBe('fail');
    expect(none.summary).toBe('Gmail: no DKIM signature by mailgoat.ai with selector qpMdyI');
    expect(none.observed).toBe('no DKIM signature');
  });
});
