/**
 * A provider's DMARC aggregate reporting, as Google and Yahoo do it: every message it judged for a
 * domain that publishes DMARC is kept for the reporting period; when the period ends, one report per
 * domain is mailed to each rua address of that domain's record (an address at another domain only
 * when that domain authorises it: `<domain>._report._dmarc.<rua domain>`, RFC 7489 §7.1), through the
 * rua domain's MX, from the provider's own address.
 *
 * The world's period is seconds, not a day: the suite reads the reports of its own mail while it runs.
 * Faults add reports a real reporter has sent (a malformed file, a report for another domain).
 */
import type { promises as dns } from 'node:dns';
import MailComposer from 'nodemailer/lib/mail-composer';
import { gzipped, reportFileName, reportXml, zipped, type JudgedMessage, type PublishedPolicy } from './dmarc-report-xml.ts';

export type ReportStyle = 'google' | 'microsoft';

/** A report file a fault adds to every period's mail (sent as a message of its own). */
export type ExtraReport = (period: {
  org: string;
  begin: Date;
  end: Date;
  rua: string;
}) => Promise<{ policyDomain: string; fileName: string; contentType: string; bytes: Buffer }>;

/** How a report reaches a domain's MX (the world hands in its MTA relay: world/sender/mx-relay.ts). */
export type RelayMail = (
  domain: string,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  options: { resolver: dns.Resolver; localAddress: string; helo: string; ca: string; port?: number },
) => Promise<{ accepted: boolean; response: string }>;

export interface DmarcReporterOptions {
  relay: RelayMail;
  /** The reporting organisation (org_name), e.g. gmail.test. */
  org: string;
  style: ReportStyle;
  /** The address reports leave from, and the HELO. */
  localAddress: string;
  helo: string;
  resolver: dns.Resolver;
  ca: string;
  /** How long after the first message of a period the report goes out (default 2 s). */
  periodMs?: number;
  smtpPort?: number;
  onLog?: (line: string) => void;
}

export interface SentReport {
  policyDomain: string;
  rua: string;
  fileName: string;
  accepted: boolean;
  response: string;
}

export interface DmarcReporter {
  /** One judged message (only those with a DMARC record: a domain without one gets no report). */
  record(policy: PublishedPolicy, message: JudgedMessage): void;
  /** Adds a report file to every period from now on (fault injection). */
  addExtra(extra: ExtraReport): void;
  /** Sends what the current period holds now. */
  flush(): Promise<void>;
  sent(): SentReport[];
  stop(): Promise<void>;
}

const STYLE = {
  google: { from: (org: string) => `noreply-dmarc-support@${org}`, version: undefined, ext: 'zip', type: 'application/zip' },
  microsoft: { from: (org: string) => `dmarcreport@${org}`, version: '1.0', ext: 'xml.gz', type: 'application/gzip' },
} as const;

/** The mailto addresses of a DMARC record's rua=, without size limits. */
export function ruaAddresses(record: string): string[] {
  const rua = /(?:^|;)\s*rua\s*=\s*([^;]*)/i.exec(record)?.[1] ?? '';
  return rua
    .split(',')
    .map((u) => u.trim().replace(/![0-9]+[kmgt]?$/i, ''))
    .filter((u) => /^mailto:/i.test(u))
    .map((u) => u.slice('mailto:'.length).toLowerCase());
}

export function createDmarcReporter(options: DmarcReporterOptions): DmarcReporter {
  const style = STYLE[options.style];
  const log = options.onLog ?? (() => undefined);
  const periodMs = options.periodMs ?? 2_000;
  const extras: ExtraReport[] = [];
  const sent: SentReport[] = [];
  let period: { begin: Date; byDomain: Map<string, { policy: PublishedPolicy; messages: JudgedMessage[] }> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  let sequence = 0;
  let stopped = false;

  const txt = async (name: string): Promise<string[]> => {
    try {
      return (await options.resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch {
      return [];
    }
  };

  /** The rua addresses a report for `domain` may go to (external ones only when authorised). */
  async function destinations(domain: string): Promise<string[]> {
    const record = (await txt(`_dmarc.${domain}`)).find((r) => /^v=DMARC1/i.test(r.trim()));
    if (!record) return [];
    const out: string[] = [];
    for (const address of ruaAddresses(record)) {
      const ruaDomain = address.slice(address.lastIndexOf('@') + 1);
      const internal = ruaDomain === domain || ruaDomain.endsWith(`.${domain}`) || domain.endsWith(`.${ruaDomain}`);
      if (internal || (await txt(`${domain}._report._dmarc.${ruaDomain}`)).some((r) => /^v=DMARC1/i.test(r.trim()))) out.push(address);
      else
        log(
          `${options.org}: not reporting ${domain} to ${address}: ${ruaDomain} does not authorise it (${domain}._report._dmarc.${ruaDomain})`,
        );
    }
    return out;
  }

  async function mail(
    rua: string,
    file: { policyDomain: string; fileName: string; contentType: string; bytes: Buffer },
    reportId: string,
  ): Promise<void> {
    const from = style.from(options.org);
    const raw = await new MailComposer({
      from,
      to: rua,
      subject: `Report domain: ${file.policyDomain} Submitter: ${options.org} Report-ID: ${reportId}`,
      text: `This is an aggregate report from ${options.org}.`,
      attachments: [{ filename: file.fileName, content: file.bytes, contentType: file.contentType }],
    })
      .compile()
      .build();
    const ruaDomain = rua.slice(rua.lastIndexOf('@') + 1);
    const result = await options.relay(ruaDomain, { from, to: [rua] }, raw, {
      resolver: options.resolver,
      localAddress: options.localAddress,
      helo: options.helo,
      ca: options.ca,
      port: options.smtpPort,
    });
    sent.push({ policyDomain: file.policyDomain, rua, fileName: file.fileName, accepted: result.accepted, response: result.response });
    log(`${options.org}: DMARC report ${file.fileName} for ${file.policyDomain} → ${rua}: ${result.response}`);
  }

  async function send(closing: NonNullable<typeof period>, end: Date): Promise<void> {
    for (const [domain, { policy, messages }] of closing.byDomain) {
      const reportId = `${Math.floor(end.getTime() / 1000)}${String(++sequence).padStart(4, '0')}`;
      const xml = reportXml({
        org: options.org,
        email: style.from(options.org),
        reportId,
        begin: closing.begin,
        end,
        policy,
        messages,
        version: style.version,
      });
      const xmlName = reportFileName(options.org, domain, closing.begin, end, 'xml');
      const bytes = options.style === 'google' ? await zipped(xmlName, xml) : gzipped(xml);
      const file = {
        policyDomain: domain,
        fileName: reportFileName(options.org, domain, closing.begin, end, style.ext),
        contentType: style.type,
        bytes,
      };
      for (const rua of await destinations(domain)) {
        await mail(rua, file, reportId).catch((error: Error) =>
          log(`${options.org}: DMARC report for ${domain} → ${rua} failed: ${error.message}`),
        );
        for (const extra of extras) {
          const added = await extra({ org: options.org, begin: closing.begin, end, rua });
          await mail(rua, added, `${reportId}x`).catch((error: Error) =>
            log(`${options.org}: extra report → ${rua} failed: ${error.message}`),
          );
        }
      }
    }
  }

  function close(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const closing = period;
    period = undefined;
    if (closing)
      sending = sending
        .then(() => send(closing, new Date()))
        .catch((error: Error) => log(`${options.org}: DMARC reporting failed: ${error.message}`));
    return sending;
  }

  return {
    record(policy, message) {
      if (stopped) return;
      period ??= { begin: new Date(), byDomain: new Map() };
      const entry = period.byDomain.get(policy.domain) ?? { policy, messages: [] };
      entry.messages.push(message);
      period.byDomain.set(policy.domain, entry);
      timer ??= setTimeout(() => void close(), periodMs);
    },
    addExtra(extra) {
      extras.push(extra);
    },
    flush: close,
    sent: () => [...sent],
    async stop() {
      stopped = true;
      clearTimeout(timer);
      period = undefined;
      await sending;
    },
  };
}
