/**
 * SEC-07's forged messages, sent as a stranger sends them: straight to the MX on port 25, no AUTH, From an
 * agent of the domain and From a domain publishing DMARC p=reject (SPOOF_PROBE_DOMAIN), to one agent; then
 * that agent's inbox is read, as the agent reads it, until the deadline.
 */
import { pollUntil } from '../../core/poll.ts';
import { SmtpDialogue } from '../../core/smtp/smtp-dialogue.ts';
import type { SpoofAttempt } from '../checks/spoofing-check.ts';
import { createDnsClient } from '../clients/dns-client.ts';
import { listInbox, type InboxEntry } from '../clients/inbox-reader.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';
import { NO_INBOX_READER, ProbeUnavailable } from './probe-unavailable.ts';

export interface SpoofProbe {
  attempts(): Promise<SpoofAttempt[]>;
}

export function spoofProbe(context: ProbeContext): SpoofProbe {
  const { target, run } = context;
  const host = target.postal?.smtp.host ?? target.mailHost;
  const port = target.postal?.smtp.port ?? 25;

  async function send(from: string, to: string, subject: string, body: string): Promise<SpoofAttempt['smtp']> {
    const { dialogue } = await SmtpDialogue.open({ host, port, lookup: context.lookup, timeoutMs: target.timeouts.connectMs });
    try {
      await dialogue.ehlo('spoofer.postal-qa.invalid');
      const mail = await dialogue.command(`MAIL FROM:<${from}>`);
      if (mail.code >= 300) return { stage: 'mail', code: mail.code, reply: mail.lines.join(' ') };
      const rcpt = await dialogue.command(`RCPT TO:<${to}>`);
      if (rcpt.code >= 300) return { stage: 'rcpt', code: rcpt.code, reply: rcpt.lines.join(' ') };
      const go = await dialogue.command('DATA');
      if (go.code !== 354) return { stage: 'data', code: go.code, reply: go.lines.join(' ') };
      const raw = [
        `From: <${from}>`,
        `To: <${to}>`,
        `Subject: ${subject}`,
        `Date: ${new Date(context.clock.now()).toUTCString()}`,
        `Message-ID: <${run.runToken}-${context.clock.now()}@spoofer.postal-qa.invalid>`,
        '',
        body,
      ].join('\r\n');
      const end = await dialogue.command(`${raw}\r\n.`);
      return { stage: 'data', code: end.code, reply: end.lines.join(' ') };
    } finally {
      dialogue.close();
    }
  }

  async function dmarcPolicy(domain: string): Promise<string> {
    const observation = await createDnsClient({ server: target.dns.reverse.server, timeoutMs: target.timeouts.dnsMs }).query(
      `_dmarc.${domain}`,
      'TXT',
    );
    const record = observation.answers.find((a) => /^v=DMARC1/i.test(a));
    return record
      ? (/(?:^|;)\s*p=(\w+)/i.exec(record)?.[1]?.toLowerCase() ?? 'none given')
      : observation.status === 'ok' || observation.status === 'nodata' || observation.status === 'nxdomain'
        ? 'no record'
        : `lookup ${observation.status}`;
  }

  return {
    async attempts() {
      const reader = target.inboxReader;
      if (!reader) throw new ProbeUnavailable(NO_INBOX_READER);
      const agents = run.deployment.agents;
      const victim = agents.find((a) => a.id === 'qa') ?? agents[1] ?? agents[0]!;
      const boss = agents.find((a) => a.id !== victim.id) ?? victim;
      const rejectDomain = target.spoofProbeDomain;
      context.willSend(2, 'SEC-07: two forged messages from outside to an agent (own domain, p=reject domain)');
      const cases: Array<Omit<SpoofAttempt, 'smtp'> & { subject: string }> = [
        {
          kind: 'own-domain',
          from: boss.address,
          to: victim.address,
          agentId: victim.id,
          subject: `[postal-qa ${run.runToken}] SEC-07 spoof own-domain: urgent payment`,
        },
        {
          kind: 'reject-domain',
          from: `billing@${rejectDomain}`,
          to: victim.address,
          agentId: victim.id,
          subject: `[postal-qa ${run.runToken}] SEC-07 spoof reject-domain: invoice`,
          domainPolicy: await dmarcPolicy(rejectDomain),
        },
      ];
      const attempts: Array<SpoofAttempt & { subject: string }> = [];
      for (const c of cases) {
        const smtp = await send(
          c.from,
          c.to,
          c.subject,
          `postal-qa SEC-07: a forged message (${c.kind}). An agent must not act on it.\r\nRun token: ${run.runToken}`,
        );
        attempts.push({ ...c, smtp });
      }
      const accepted = attempts.filter((a) => a.smtp.code >= 200 && a.smtp.code < 300);
      if (accepted.length > 0) {
        let listed: InboxEntry[] = [];
        await awaiting(context, `${accepted.length} forged message(s) in ${victim.id}'s inbox`, target.timeouts.deliveryMs, () =>
          pollUntil(
            async () =>
              (listed = await listInbox(reader, victim.id, run.runToken, context.http, target.timeouts.connectMs).catch(() => listed)),
            (entries) => accepted.every((a) => entries.some((e) => e.subject === a.subject)),
            { timeoutMs: target.timeouts.deliveryMs, intervalMs: 300, maxIntervalMs: 2_000 },
          ),
        );
        for (const a of accepted) {
          const entry: (InboxEntry & { spamStatus?: string | null; spamScore?: number | null }) | undefined = listed.find(
            (e) => e.subject === a.subject,
          );
          if (entry)
            a.arrived = {
              from: entry.from,
              subject: entry.subject,
              spamStatus: entry.spamStatus ?? null,
              spamScore: entry.spamScore ?? null,
            };
        }
      }
      return attempts.map(({ subject: _subject, ...a }) => a);
    },
  };
}
