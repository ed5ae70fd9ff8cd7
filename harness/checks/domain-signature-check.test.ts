import { describe, expect, it } from 'vitest';
import { checkDomainSignature } from './domain-signature-check.ts';

const base = { provider: 'Gmail', fromDomain: 'mailgoat.ai', expectedSelector: 'postal-YsUd4X', dkimIdentifier: 'postal' };
const PUBLISH =
  'Publish the DKIM record Postal shows for mailgoat.ai at postal-YsUd4X._domainkey.mailgoat.ai exactly as shown (postal-dns-records.txt), then run Postal\'s DNS check for the domain (npm run provision -- --phase=2; web UI: Domains → mailgoat.ai → Check my records; or `postal console`: Domain.find_by(name: "mailgoat.ai").check_dns). Postal signs with d=mailgoat.ai only while that check says OK, and never checks a new domain by itself';
const FALLBACK = { result: 'pass', domain: 'rp.mail.mailgoat.ai', selector: 'postal' };

describe('checkDomainSignature', () => {
  it("passes a verified signature with Postal's selector for the domain, whatever the case", () => {
    const signatures = [FALLBACK, { result: 'pass', domain: 'MailGoat.AI', selector: 'POSTAL-YSUD4X' }];
    expect(checkDomainSignature({ ...base, fromDomain: 'MAILGOAT.ai', signatures })).toEqual({
      outcome: 'pass',
      summary: "Gmail: signed with mailgoat.ai's own key (d=mailgoat.ai, s=POSTAL-YSUD4X)",
      expected: 'DKIM-Signature d=mailgoat.ai; s=postal-YsUd4X, passing',
      observed: 'pass d=rp.mail.mailgoat.ai s=postal, pass d=MailGoat.AI s=POSTAL-YSUD4X',
      evidence: [{ label: 'DKIM signatures at Gmail', detail: signatures }],
    });
  });

  it("without Postal's selector, takes any selector of Postal's form by the domain as its own — and says it was not learnt", () => {
    const { expectedSelector: _none, ...unlearnt } = base;
    const verdict = checkDomainSignature({
      ...unlearnt,
      signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'postal-Ab3x9Q' }],
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      "Gmail: signed with mailgoat.ai's own key (d=mailgoat.ai, s=postal-Ab3x9Q) (Postal's selector was not learnt — no postal-state.json — so any selector of Postal's form counts)",
    );
    expect(verdict.expected).toBe('DKIM-Signature d=mailgoat.ai; s=postal-…, passing');
    // Not Postal's form: a bare selector, one of another identifier, one of five or seven characters, a digit at the edge.
    for (const selector of [
      'Ab3x9Q',
      'mail-Ab3x9Q',
      'postal-Ab3x9',
      'postal-Ab3x9Qz',
      'postal-1b3x9Q',
      'postal-Ab3x91',
      'xpostal-Ab3x9Q',
    ]) {
      const other = checkDomainSignature({ ...unlearnt, signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector }] });
      expect(other.outcome, selector).toBe('fail');
      expect(other.summary).toBe('Gmail: no DKIM signature by mailgoat.ai with selector postal-…');
    }
    // Another identifier is honoured (postal.yml dns.dkim_identifier), its dots taken literally.
    expect(
      checkDomainSignature({
        ...unlearnt,
        dkimIdentifier: 'mg.x',
        signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'mg.x-Ab3x9Q' }],
      }).outcome,
    ).toBe('pass');
    expect(
      checkDomainSignature({
        ...unlearnt,
        dkimIdentifier: 'mg.x',
        signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'mgax-Ab3x9Q' }],
      }).outcome,
    ).toBe('fail');
  });

  it("fails Postal's fallback signature even when it passes and aligns", () => {
    const verdict = checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'other.example', selector: 'x' }, FALLBACK] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      "Gmail: signed by rp.mail.mailgoat.ai (s=postal), not by mailgoat.ai's own key (s=postal-YsUd4X) — Postal is using its fallback key",
    );
    expect(verdict.remediation).toBe(PUBLISH);
    expect(checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'rp.mail.mailgoat.ai' }] }).summary).toMatch(
      /^Gmail: signed by rp\.mail\.mailgoat\.ai \(s=\?\)/,
    );
  });

  it("a passing signature by the domain under another of Postal's selectors names a stale state file, not the fallback key", () => {
    const verdict = checkDomainSignature({
      ...base,
      signatures: [FALLBACK, { result: 'pass', domain: 'mailgoat.ai', selector: 'postal-Qq9w8E' }],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      "Gmail: signed by mailgoat.ai with s=postal-Qq9w8E, but Postal's state names s=postal-YsUd4X: the postal-state.json the suite read is not this Postal's (stale, or another server's)",
    );
    expect(verdict.remediation).toMatch(/^Run npm run provision again/);
    // Failing, or not of Postal's form: not a stale state — the domain's own signature is missing.
    expect(
      checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai', selector: 'postal-Qq9w8E' }] }).summary,
    ).toBe('Gmail: no DKIM signature by mailgoat.ai with selector postal-YsUd4X');
    expect(checkDomainSignature({ ...base, signatures: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'postal' }] }).summary).toBe(
      'Gmail: no DKIM signature by mailgoat.ai with selector postal-YsUd4X',
    );
  });

  it("does not take another domain's signature under Postal's selector as the domain's own", () => {
    const verdict = checkDomainSignature({
      ...base,
      signatures: [{ result: 'pass', domain: 'rp.mail.mailgoat.ai', selector: 'postal-YsUd4X' }],
    });
    expect(verdict.summary).toBe(
      "Gmail: signed by rp.mail.mailgoat.ai (s=postal-YsUd4X), not by mailgoat.ai's own key (s=postal-YsUd4X) — Postal is using its fallback key",
    );
    const { expectedSelector: _none, ...unlearnt } = base;
    expect(
      checkDomainSignature({ ...unlearnt, signatures: [{ result: 'pass', domain: 'other.example', selector: 'postal-Ab3x9Q' }] }).outcome,
    ).toBe('fail');
  });

  it('does not take a signature by the domain without a selector as its own', () => {
    const unnamed = checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai' }] });
    expect(unnamed.summary).toBe('Gmail: no DKIM signature by mailgoat.ai with selector postal-YsUd4X');
    expect(unnamed.observed).toBe('fail d=mailgoat.ai s=?');
  });

  it('fails a failing own signature and a message with no signature', () => {
    const failing = checkDomainSignature({ ...base, signatures: [{ result: 'fail', domain: 'mailgoat.ai', selector: 'postal-YsUd4X' }] });
    expect(failing.outcome).toBe('fail');
    expect(failing.summary).toBe('Gmail: the signature by mailgoat.ai (s=postal-YsUd4X) does not verify (fail)');
    expect(failing.remediation).toBe(PUBLISH);
    const none = checkDomainSignature({ ...base, signatures: [] });
    expect(none.outcome).toBe('fail');
    expect(none.summary).toBe('Gmail: no DKIM signature by mailgoat.ai with selector postal-YsUd4X');
    expect(none.observed).toBe('no DKIM signature');
  });
});
