/**
 * The DMARC aggregate reports of the domain as they arrived: from the agent inbox that receives each rua
 * address at the domain (its own agent, else the catch-all), from DMARC_REPORTS_IMAP instead when set,
 * and from DMARC_REPORTS_DIR besides; read, refused or deduplicated by harness/dmarc. Also each rua
 * address asked at its domain's MX whether it takes mail (RCPT TO, no DATA: nothing is sent).
 */
import { resolveMx } from 'node:dns/promises';
import { SmtpDialogue } from '../../core/smtp/smtp-dialogue.ts';
import { createResolver } from '../../core/dns/resolver.ts';
import { entriesFor, filesFromDir, filesFromImap, filesOfInboxEntry, type CollectedFiles } from '../clients/dmarc-report-sources.ts';
import { listWholeInbox } from '../clients/inbox-reader.ts';
import { readReports, type ReadResult } from '../dmarc/read-reports.ts';
import { awaiting, type ProbeContext } from './probe-context.ts';

import type { RuaAnswer } from '../checks/rua-check.ts';

export interface DmarcReportProbe {
  /** Where the reports were read from, for the evidence. */
  sources(): string[];
  /** Every report that arrived at the rua addresses (and the other sources), read; refusals one line each. */
  reports(rua: string[]): Promise<ReadResult>;
  /** Reads until `enough` says so or the target's report wait (DMARC_REPORTS_WAIT_S) passes. */
  reportsUntil(rua: string[], enough: (result: ReadResult) => boolean): Promise<ReadResult & { waitedMs: number }>;
  /** RCPT TO:<address> at the MX of its domain, MAIL FROM:<> as a report sender's bounce address would be. */
  acceptsMail(address: string): Promise<RuaAnswer>;
}

/** What an inbox listing read once keeps: a message's attachments do not change. */
type Cache = Map<string, CollectedFiles>;

export function dmarcReportProbe(context: ProbeContext): DmarcReportProbe {
  const { target, run } = context;
  const settings = target.dmarcReports ?? { waitMs: 0 };
  const domain = run.deployment.domain.toLowerCase();
  const cache: Cache = new Map();
  const agentFor = (address: string) =>
    run.deployment.agents.find((a) => a.address.toLowerCase() === address)?.id ?? run.deployment.catchAll;

  async function fromInbox(rua: string[]): Promise<CollectedFiles> {
    const out: CollectedFiles = { files: [], refused: [] };
    const local = rua.filter((a) => a.endsWith(`@${domain}`));
    if (!target.inboxReader || local.length === 0) return out;
    const postal = context.postal();
    const key = target.accounts[0]?.apiKey ?? '';
    for (const agentId of new Set(local.map(agentFor))) {
      const entries = entriesFor(await listWholeInbox(target.inboxReader, agentId, context.http, target.timeouts.connectMs), local);
      for (const entry of entries) {
        const id = `${agentId}/${entry.id}`;
        if (!cache.has(id)) cache.set(id, await filesOfInboxEntry(entry, postal, key));
        out.files.push(...cache.get(id)!.files);
        out.refused.push(...cache.get(id)!.refused);
      }
    }
    return out;
  }

  async function collect(rua: string[]): Promise<ReadResult> {
    const parts: CollectedFiles[] = [];
    const since = new Date(context.clock.now() - 8 * 86_400_000);
    if (settings.imap)
      parts.push(await filesFromImap(settings.imap, { since, ca: target.trustedCaPem, timeoutMs: target.timeouts.connectMs }));
    else parts.push(await fromInbox(rua));
    if (settings.dir) parts.push(await filesFromDir(settings.dir));
    const read = await readReports(
      parts.flatMap((p) => p.files),
      { domain },
    );
    return { ...read, refused: [...parts.flatMap((p) => p.refused), ...read.refused] };
  }

  return {
    sources() {
      return [
        settings.imap
          ? `IMAP ${settings.imap.user}@${settings.imap.host}:${settings.imap.port} ${settings.imap.mailbox}`
          : target.inboxReader
            ? `the agent inbox receiving the rua address (${target.inboxReader.kind === 'http' ? 'INBOX_LIST_URLS' : 'INBOX_LIST_COMMAND'}), attachments through Postal's messages/message`
            : '',
        settings.dir ? `the folder ${settings.dir}` : '',
      ].filter(Boolean);
    },
    reports: collect,
    async reportsUntil(rua, enough) {
      const { clock } = context;
      const started = clock.now();
      let last = await collect(rua);
      if (enough(last) || settings.waitMs <= 0) return { ...last, waitedMs: clock.now() - started };
      const deadline = started + settings.waitMs;
      await awaiting(context, "the DMARC aggregate reports of this run's mail", settings.waitMs, async () => {
        while (!enough(last) && clock.now() < deadline) {
          await clock.sleep(Math.min(1_000, Math.max(0, deadline - clock.now())));
          last = await collect(rua);
        }
      });
      return { ...last, waitedMs: clock.now() - started };
    },
    async acceptsMail(address) {
      const rcptDomain = address.slice(address.lastIndexOf('@') + 1);
      const resolver =
        target.hostResolver === 'system' ? undefined : createResolver(target.hostResolver, { timeoutMs: target.timeouts.dnsMs, tries: 2 });
      let hosts: string[];
      try {
        const mx = await (resolver ? resolver.resolveMx(rcptDomain) : resolveMx(rcptDomain));
        hosts = mx.sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENODATA') return { address, reply: `no MX for ${rcptDomain} (${code ?? (error as Error).message})` };
        hosts = [rcptDomain];
      }
      let last: RuaAnswer = { address, reply: `${rcptDomain} has no MX host` };
      for (const host of hosts) {
        // The deployment's own MX is reached where the target says its SMTP is (an SSH tunnel, the world).
        const own = host.toLowerCase() === target.mailHost.toLowerCase() && target.postal ? target.postal.smtp : { host, port: 25 };
        try {
          const { dialogue } = await SmtpDialogue.open({
            host: own.host,
            port: own.port,
            lookup: context.lookup,
            timeoutMs: target.timeouts.connectMs,
          });
          try {
            await dialogue.ehlo('rua-probe.postal-qa.invalid');
            const mail = await dialogue.command('MAIL FROM:<>');
            const rcpt = mail.code < 400 ? await dialogue.command(`RCPT TO:<${address}>`) : mail;
            await dialogue.command('RSET').catch(() => undefined);
            return { address, mx: host, code: rcpt.code, reply: rcpt.lines.join(' ') };
          } finally {
            dialogue.close();
          }
        } catch (error) {
          last = { address, mx: host, reply: `could not ask ${host}: ${(error as Error).message}` };
        }
      }
      return last;
    },
  };
}
