/**
 * SEC-07 — mail that lies about its sender, as the agents meet it. A stranger connects to the MX without
 * authentication and sends (a) From an agent of the domain, (b) From a domain publishing DMARC p=reject.
 * Postal 3.3.2 checks neither SPF nor DMARC on incoming mail: only its inspection can mark such a message.
 * Arriving in an agent's inbox without a mark the agent can act on (Postal's spam verdict) is a FAIL — an
 * agent that acts on what it reads would obey the forged CEO.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import { smtpReply } from './open-relay-check.ts';
import type { Verdict } from './verdict.ts';

export interface SpoofAttempt {
  kind: 'own-domain' | 'reject-domain';
  from: string;
  to: string;
  agentId: string;
  /** the SMTP answer that ended the attempt (the end of DATA when it was accepted) */
  smtp: { stage: 'mail' | 'rcpt' | 'data'; code: number; reply: string };
  /** what the agent's inbox listed, when the message arrived */
  arrived?: { from?: string; subject?: string; spamStatus?: string | null; spamScore?: number | null };
  /** the forged domain's DMARC policy as published (reject-domain only), e.g. "reject", "none", "no record" */
  domainPolicy?: string;
}

const REMEDY =
  "Postal 3.3.2 checks neither SPF nor DMARC on incoming mail (its inspection only scores spam), so a stranger's mail From your own agents reaches them. (1) Enforce DMARC on the domain (p=quarantine, then p=reject) once FN-04 proves every message aligns; (2) make Postal's inspection mark what fails DMARC: enable rspamd in postal.yml (rspamd.enabled) and weight DMARC_POLICY_REJECT / QUARANTINE and an own-domain rule above the server's spam threshold, with the routes' spam mode Quarantine or Fail; (3) have each agent refuse mail From its own domain that Postal marked or that did not come through Postal's API";
const REJECT_REMEDY =
  "Postal 3.3.2 does not apply the sender domain's DMARC policy to incoming mail: make its inspection do it — rspamd (rspamd.enabled in postal.yml) with DMARC_POLICY_REJECT weighted above the server's spam threshold — and set the routes' spam mode to Quarantine or Fail so such mail never reaches an agent unmarked";

export function checkSpoofing(input: { attempts: SpoofAttempt[] }): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const notes: string[] = [];
  if (input.attempts.length === 0)
    findings.push(
      fail('no spoofed message was sent', 'Send one From an agent of the domain and one From a p=reject domain, and check again'),
    );
  for (const a of input.attempts) {
    const what =
      a.kind === 'own-domain'
        ? `a message From ${a.from} (an agent of the domain)`
        : `a message From ${a.from} (DMARC p=${a.domainPolicy ?? '?'})`;
    if (a.kind === 'reject-domain' && a.domainPolicy !== 'reject') {
      findings.push(
        warn(
          `${a.from.split('@')[1]} does not publish DMARC p=reject (${a.domainPolicy ?? 'unknown'}), so the p=reject case was not tested`,
          'Set SPOOF_PROBE_DOMAIN to a domain that publishes v=DMARC1; p=reject',
        ),
      );
    }
    if (a.smtp.code >= 400 || a.smtp.code < 200) {
      notes.push(`${what} was refused at ${a.smtp.stage.toUpperCase()} (${smtpReply(a.smtp.code, a.smtp.reply)})`);
    } else if (!a.arrived) {
      notes.push(`${what} was accepted but never reached ${a.agentId}'s inbox (held or dropped)`);
    } else if (a.arrived.spamStatus === 'Spam') {
      notes.push(
        `${what} reached ${a.agentId} marked as spam by Postal (spam_status Spam${a.arrived.spamScore != null ? `, score ${a.arrived.spamScore}` : ''})`,
      );
    } else {
      const saw = `spam_status ${a.arrived.spamStatus ?? 'not shown to the agent'}${a.arrived.spamScore != null ? `, score ${a.arrived.spamScore}` : ''}`;
      findings.push(
        fail(
          `${a.agentId} received ${what}, sent from outside without authentication, unmarked (${saw}): an agent acting on its mail would obey it`,
          a.kind === 'own-domain' ? REMEDY : REJECT_REMEDY,
        ),
      );
    }
  }
  return verdictFrom({
    findings,
    passSummary: notes.join('; '),
    expected: 'forged own-domain and p=reject-domain mail refused, held, or marked as spam before an agent reads it',
    observed: input.attempts
      .map((a) => `${a.kind}: ${a.smtp.code}${a.arrived ? `, arrived (${a.arrived.spamStatus ?? 'no verdict shown'})` : ', not arrived'}`)
      .join('; '),
    evidence: input.attempts.map((a) => ({
      label: `spoof ${a.kind} ${a.from} → ${a.to}`,
      detail: {
        smtp: { stage: a.smtp.stage, reply: smtpReply(a.smtp.code, a.smtp.reply) },
        ...(a.domainPolicy ? { domainPolicy: a.domainPolicy } : {}),
        agentSaw: a.arrived ?? null,
      },
    })),
  });
}
