import { describe, expect, it } from 'vitest';
import { checkOutboundSmtp, type OutboundAttempt } from './outbound-smtp-check.ts';

const greeted = (domain: string): OutboundAttempt => ({
  domain,
  mx: `mx.${domain}`,
  ip: '142.250.1.27',
  firstLine: `220 mx.${domain} ESMTP ready`,
  exitCode: 0,
});

describe('INF-07 outbound port 25', () => {
  it('passes when every provider MX greets a connection from the server', () => {
    const verdict = checkOutboundSmtp([greeted('gmail.com'), greeted('outlook.com')]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('the server reaches gmail.com (mx.gmail.com), outlook.com (mx.outlook.com) on port 25');
  });

  it('fails a dropped connection with the provider-unblock remediation', () => {
    const verdict = checkOutboundSmtp([
      greeted('gmail.com'),
      {
        domain: 'outlook.com',
        mx: 'mx.outlook.com',
        ip: '52.101.1.1',
        exitCode: 22,
        error: 'connect to 52.101.1.1:25: connection timed out',
      },
    ]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      "the server cannot open SMTP to outlook.com's MX mx.outlook.com (52.101.1.1:25): connect to 52.101.1.1:25: connection timed out",
    );
    expect(verdict.remediation).toMatch(/Hetzner .* request an unblock/);
  });

  it('fails what is not a greeting, a failing command, a missing MX, and nothing tried', () => {
    expect(checkOutboundSmtp([{ ...greeted('gmail.com'), firstLine: 'SSH-2.0-OpenSSH_9.2' }]).outcome).toBe('fail');
    expect(checkOutboundSmtp([{ ...greeted('gmail.com'), firstLine: '' }]).outcome).toBe('fail');
    expect(checkOutboundSmtp([{ ...greeted('gmail.com'), exitCode: 1 }]).outcome).toBe('fail');
    expect(checkOutboundSmtp([{ ...greeted('gmail.com'), firstLine: undefined, exitCode: 255 }]).summary).toMatch(
      /exited 255 with nothing printed/,
    );
    expect(checkOutboundSmtp([{ domain: 'yahoo.com', error: 'NXDOMAIN' }]).summary).toBe('yahoo.com: no MX address to try (NXDOMAIN)');
    expect(checkOutboundSmtp([]).outcome).toBe('fail');
  });

  it('warns, not fails, when the path is open but the receiver refuses the server at connect (a reputation matter, DNS-08)', () => {
    const verdict = checkOutboundSmtp([
      greeted('gmail.com'),
      { ...greeted('outlook.com'), firstLine: '554 5.7.1 Service unavailable; Client host [91.98.35.3] blocked using Spamhaus' },
    ]);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      'port 25 to outlook.com\'s MX mx.outlook.com is open, but it refused this server at connect: "554 5.7.1 Service unavailable; Client host [91.98.35.3] blocked using Spamhaus"',
    );
    expect(verdict.remediation).toMatch(/DNS-08/);
  });
});
