import { describe, expect, it } from 'vitest';
import { checkMailHostIdentity, receivedShowsTls, type MailHostIdentityInput } from './mail-host-identity-check.ts';

const good: MailHostIdentityInput = {
  mailHost: 'mail.mailgoat.ai',
  ptrNames: ['mail.mailgoat.ai'],
  banner: 'mail.mailgoat.ai ESMTP Postal/ABC123',
  heloAnswer: 'mail.mailgoat.ai',
  hops: [
    { copy: 'Gmail by send/message', helo: 'mail.mailgoat.ai', tls: true, offered: true },
    { copy: 'Outlook by SMTP', helo: 'Mail.MailGoat.ai.', tls: true, offered: undefined },
  ],
};

describe('receivedShowsTls', () => {
  it('reads the TLS words providers write', () => {
    expect(receivedShowsTls('from mail.mailgoat.ai by mx.google.com with ESMTPS id x')).toBe(true);
    expect(receivedShowsTls('from x by y with ESMTPSA id z')).toBe(true);
    expect(receivedShowsTls('from x by y with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE)')).toBe(true);
    expect(receivedShowsTls('from x by y with ESMTP id z')).toBe(false);
    expect(receivedShowsTls('from x by y with SMTP id z')).toBe(false);
    expect(receivedShowsTls('from x by y id z')).toBeUndefined();
  });
});

describe('checkMailHostIdentity', () => {
  it('passes when every name is the mail host (case and a trailing dot aside) and every hop used TLS', () => {
    const verdict = checkMailHostIdentity(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('banner, HELO answer and outbound HELO name mail.mailgoat.ai; 2 hop(s) from Postal over TLS');
    expect(verdict.observed).toBe('banner mail.mailgoat.ai, HELO answer mail.mailgoat.ai, outbound HELO mail.mailgoat.ai, TLS yes/yes');
    // A greeting kept with its code reads the same.
    expect(
      checkMailHostIdentity({ ...good, banner: '220 mail.mailgoat.ai ESMTP Postal/X', heloAnswer: '250 mail.mailgoat.ai' }).outcome,
    ).toBe('pass');
  });

  it('fails a banner and HELO answer naming another host, pointing at postal.smtp_hostname', () => {
    const verdict = checkMailHostIdentity({ ...good, banner: 'postal.example.com ESMTP Postal/X', heloAnswer: 'postal.example.com' });
    expect(verdict.summary).toBe(
      "Postal's SMTP banner names postal.example.com, not the mail host mail.mailgoat.ai; Postal answers HELO as postal.example.com, not the mail host mail.mailgoat.ai",
    );
    expect(verdict.remediation).toBe(
      "Set postal.smtp_hostname: mail.mailgoat.ai in postal.yml (Postal's banner and HELO answer carry it), then restart smtp",
    );
    expect(checkMailHostIdentity({ ...good, banner: '' }).summary).toMatch(/banner names nothing/);
  });

  it('fails an outbound HELO of localhost, pointing at dns.helo_hostname', () => {
    const verdict = checkMailHostIdentity({ ...good, hops: [{ copy: 'Gmail by SMTP', helo: 'localhost', tls: true, offered: true }] });
    expect(verdict.summary).toBe('Postal greets Gmail as localhost (HELO), not the mail host mail.mailgoat.ai');
    expect(verdict.remediation).toMatch(/^Set dns\.helo_hostname: mail\.mailgoat\.ai in postal\.yml/);
  });

  it('fails a plain-text hop the provider offered TLS for; warns when it is unknown whether it offered; passes when it did not', () => {
    const plain = checkMailHostIdentity({
      ...good,
      hops: [{ copy: 'Gmail by SMTP', helo: 'mail.mailgoat.ai', tls: false, offered: true }],
    });
    expect(plain.outcome).toBe('fail');
    expect(plain.summary).toBe('Gmail by SMTP: the provider received it from Postal without TLS although it offers STARTTLS');
    expect(plain.remediation).toMatch(/Postal issue 1336/);
    const unknown = checkMailHostIdentity({ ...good, hops: [{ copy: 'Gmail by SMTP', helo: 'mail.mailgoat.ai', tls: false }] });
    expect(unknown.outcome).toBe('warn');
    expect(unknown.summary).toMatch(/whether it offers STARTTLS could not be asked/);
    expect(
      checkMailHostIdentity({ ...good, hops: [{ copy: 'Gmail by SMTP', helo: 'mail.mailgoat.ai', tls: false, offered: false }] }).outcome,
    ).toBe('pass');
    const silent = checkMailHostIdentity({ ...good, hops: [{ copy: 'Gmail by SMTP', helo: 'mail.mailgoat.ai' }] });
    expect(silent.outcome).toBe('warn');
    expect(silent.summary).toBe("Gmail by SMTP: the provider's Received line does not say whether the hop from Postal used TLS");
  });

  it('judges only what was observed', () => {
    expect(checkMailHostIdentity({ mailHost: 'mail.mailgoat.ai', ptrNames: [], hops: [] })).toMatchObject({
      outcome: 'pass',
      observed: 'banner ?, HELO answer ?, outbound HELO ?, TLS ?',
    });
  });
});
