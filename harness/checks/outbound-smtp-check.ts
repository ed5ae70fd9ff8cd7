/**
 * INF-07 — the server can open SMTP connections to the big providers' MX hosts on port 25 (the plan's
 * first risk: Hetzner and most clouds block outgoing 25 on new accounts). Asked from the server itself
 * (over SSH live), because the harness's own network says nothing about the server's: each provider's
 * preferred MX must greet with 220.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface OutboundAttempt {
  /** The provider's domain (gmail.com). */
  domain: string;
  /** Its preferred MX host and the address tried; absent when DNS gave none. */
  mx?: string;
  ip?: string;
  /** What the command run on the server printed first, and how it ended. */
  firstLine?: string;
  exitCode?: number;
  /** DNS or command failure, in words. */
  error?: string;
}

const GREETING = /^220[ -]/;
/** Any SMTP reply: the connection was made, so egress is open, whatever the receiver thinks of the sender. */
const SMTP_REPLY = /^[2-5]\d\d[ -]/;

export function checkOutboundSmtp(attempts: OutboundAttempt[]): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  if (attempts.length === 0)
    findings.push(
      fail('no provider MX was tried', 'Name the providers to try (OUTBOUND_SMTP_DOMAINS, default gmail.com,outlook.com,yahoo.com)'),
    );
  for (const a of attempts) {
    if (!a.mx || !a.ip) {
      findings.push(
        fail(
          `${a.domain}: no MX address to try (${a.error ?? 'no MX record'})`,
          `Check that the harness's resolver answers MX for ${a.domain}, then re-run`,
        ),
      );
      continue;
    }
    if (a.exitCode === 0 && a.firstLine && GREETING.test(a.firstLine)) continue;
    if (a.exitCode === 0 && a.firstLine && SMTP_REPLY.test(a.firstLine)) {
      findings.push(
        warn(
          `port 25 to ${a.domain}'s MX ${a.mx} is open, but it refused this server at connect: "${a.firstLine}"`,
          `The path is open; the receiver turns the server away — usually its IP's reputation: see DNS-08 (blocklists) and the provider's postmaster pages.`,
        ),
      );
      continue;
    }
    const heard = a.firstLine
      ? `heard "${a.firstLine}"`
      : (a.error ?? `the command exited ${a.exitCode ?? 'abnormally'} with nothing printed`);
    findings.push(
      fail(
        `the server cannot open SMTP to ${a.domain}'s MX ${a.mx} (${a.ip}:25): ${heard}`,
        `Outgoing port 25 is blocked or filtered on the server's network: on Hetzner it is blocked on new accounts until you request an unblock (Cloud Console → Limits → "request change", granted once the first invoice is paid); elsewhere open egress tcp/25 in the provider's firewall and in ufw (\`ufw allow out 25/tcp\`). Until then Postal queues every external message and retries.`,
      ),
    );
  }
  const reached = attempts.filter((a) => a.exitCode === 0 && a.firstLine && SMTP_REPLY.test(a.firstLine));
  return verdictFrom({
    findings,
    passSummary: `the server reaches ${reached.map((a) => `${a.domain} (${a.mx})`).join(', ')} on port 25`,
    expected: "a 220 greeting from each provider's preferred MX, on a connection from the server",
    observed:
      attempts.map((a) => `${a.domain} ${a.mx ?? '?'} ${a.ip ?? ''}: ${a.firstLine ?? a.error ?? `exit ${a.exitCode}`}`).join('; ') ||
      'nothing tried',
    evidence: attempts.map((a) => ({ label: `outbound ${a.domain}`, detail: { ...a } })),
  });
}
