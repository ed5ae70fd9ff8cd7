/**
 * DMARC aggregate reports → what they say about the domain's mail: per reporting organisation, per
 * source IP and per day — volume, SPF/DKIM results and alignment, DMARC, the disposition applied — with
 * every source outside the deployment classified. Pure: reports in, summary out.
 */
import type { AggregateRecord, AggregateReport } from '../dmarc/aggregate-report.ts';

/**
 * What a source outside the deployment is, from its worst record:
 * authorised-outside — SPF aligned and passing: the domain's SPF lets it send (a forgotten sender, or SPF too wide);
 * spoofed-delivered — DMARC failed and the receiver delivered it anyway (p=none): spoofing, or an unauthorised sender of yours;
 * spoofed-blocked — DMARC failed and the policy quarantined or rejected it;
 * forwarded — only the domain's DKIM signature survived (SPF failed), or the receiver says forwarded/mailing list.
 */
export type SourceClass = 'deployment' | 'authorised-outside' | 'spoofed-delivered' | 'spoofed-blocked' | 'forwarded';

export interface SourceSummary {
  ip: string;
  inDeployment: boolean;
  class: SourceClass;
  messages: number;
  reporters: string[];
  headerFrom: string[];
  envelopeFrom: string[];
  dkimDomains: string[];
  /** Messages by the SPF result the reporter recorded (auth_results), e.g. { pass: 3, softfail: 1 }. */
  spf: Record<string, number>;
  /** Messages by the best DKIM result of each record (pass when any signature passed). */
  dkim: Record<string, number>;
  spfAligned: number;
  dkimAligned: number;
  dmarcPass: number;
  dispositions: Record<string, number>;
}

export interface ReporterSummary {
  org: string;
  email?: string;
  reports: number;
  messages: number;
  dmarcPass: number;
  spfAligned: number;
  dkimAligned: number;
  dispositions: Record<string, number>;
  sources: number;
  begin: string;
  end: string;
}

export interface DaySummary {
  /** The UTC day a report period began, YYYY-MM-DD. */
  day: string;
  messages: number;
  dmarcPass: number;
  deploymentMessages: number;
  deploymentPass: number;
}

export interface DmarcSummary {
  domain: string;
  deploymentIps: string[];
  reports: number;
  /** The earliest begin and latest end of the reports' periods. */
  begin?: string;
  end?: string;
  messages: number;
  dmarcPass: number;
  /** dmarcPass / messages (0 when there are none). */
  passRate: number;
  deploymentMessages: number;
  /** Messages from the deployment with SPF and DKIM both aligned and passing. */
  deploymentPass: number;
  deploymentPassRate: number;
  reporters: ReporterSummary[];
  sources: SourceSummary[];
  days: DaySummary[];
}

const FORWARDING_REASONS = new Set(['forwarded', 'mailing_list', 'trusted_forwarder', 'local_policy']);
const DELIVERED = new Set(['none', 'pass']);
/** Worst first: a source is what its worst record makes it. */
const CLASS_ORDER: SourceClass[] = ['authorised-outside', 'spoofed-delivered', 'spoofed-blocked', 'forwarded'];

export function recordClass(record: AggregateRecord): Exclude<SourceClass, 'deployment'> {
  if (record.alignment.spf) return 'authorised-outside';
  if (record.alignment.dkim || record.policyEvaluated.reasons.some((r) => FORWARDING_REASONS.has(r.type))) return 'forwarded';
  return DELIVERED.has(record.policyEvaluated.disposition) ? 'spoofed-delivered' : 'spoofed-blocked';
}

/** The record passed everything a deployment's own mail must: SPF and DKIM aligned and passing. */
export const fullyPassing = (record: AggregateRecord): boolean => record.alignment.spf && record.alignment.dkim;

const add = (counts: Record<string, number>, key: string, n: number) => {
  counts[key] = (counts[key] ?? 0) + n;
};
const pushNew = (list: string[], value: string | undefined) => {
  if (value && !list.includes(value)) list.push(value);
};
const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const bestDkim = (record: AggregateRecord) =>
  record.authResults.dkim.some((d) => d.result === 'pass') ? 'pass' : (record.authResults.dkim[0]?.result ?? 'none');

type SourceTally = SourceSummary & { classes: Set<SourceClass> };
type ReporterTally = ReporterSummary & { ips: Set<string> };

/** One record's messages, counted into its source, its reporter, its day and the whole summary. */
function tallyRecord(
  record: AggregateRecord,
  orgName: string,
  deployment: Set<string>,
  {
    summary,
    sources,
    reporter,
    day,
  }: { summary: DmarcSummary; sources: Map<string, SourceTally>; reporter: ReporterTally; day: DaySummary },
): void {
  const n = record.count;
  const inDeployment = deployment.has(record.sourceIp);
  const source = sources.get(record.sourceIp) ?? {
    ip: record.sourceIp,
    inDeployment,
    class: 'deployment' as SourceClass,
    messages: 0,
    reporters: [],
    headerFrom: [],
    envelopeFrom: [],
    dkimDomains: [],
    spf: {},
    dkim: {},
    spfAligned: 0,
    dkimAligned: 0,
    dmarcPass: 0,
    dispositions: {},
    classes: new Set<SourceClass>(),
  };
  sources.set(record.sourceIp, source);
  source.messages += n;
  pushNew(source.reporters, orgName);
  pushNew(source.headerFrom, record.identifiers.headerFrom);
  pushNew(source.envelopeFrom, record.identifiers.envelopeFrom);
  record.authResults.dkim.forEach((d) => pushNew(source.dkimDomains, d.domain));
  add(source.spf, record.authResults.spf[0]?.result ?? 'none', n);
  add(source.dkim, bestDkim(record), n);
  add(source.dispositions, record.policyEvaluated.disposition, n);
  add(reporter.dispositions, record.policyEvaluated.disposition, n);
  if (!inDeployment) source.classes.add(recordClass(record));
  reporter.ips.add(record.sourceIp);

  const spf = record.alignment.spf ? n : 0;
  const dkim = record.alignment.dkim ? n : 0;
  const dmarc = record.alignment.dmarc ? n : 0;
  source.spfAligned += spf;
  source.dkimAligned += dkim;
  source.dmarcPass += dmarc;
  reporter.messages += n;
  reporter.spfAligned += spf;
  reporter.dkimAligned += dkim;
  reporter.dmarcPass += dmarc;
  summary.messages += n;
  summary.dmarcPass += dmarc;
  day.messages += n;
  day.dmarcPass += dmarc;
  if (inDeployment) {
    const passing = fullyPassing(record) ? n : 0;
    summary.deploymentMessages += n;
    summary.deploymentPass += passing;
    day.deploymentMessages += n;
    day.deploymentPass += passing;
  }
}

export function summariseReports(reports: AggregateReport[], options: { domain: string; deploymentIps: string[] }): DmarcSummary {
  const deployment = new Set(options.deploymentIps.map((ip) => ip.toLowerCase()));
  const sources = new Map<string, SourceTally>();
  const reporters = new Map<string, ReporterTally>();
  const days = new Map<string, DaySummary>();
  const summary: DmarcSummary = {
    domain: options.domain,
    deploymentIps: [...deployment],
    reports: reports.length,
    messages: 0,
    dmarcPass: 0,
    passRate: 0,
    deploymentMessages: 0,
    deploymentPass: 0,
    deploymentPassRate: 0,
    reporters: [],
    sources: [],
    days: [],
  };

  for (const report of reports) {
    if (!summary.begin || report.begin < summary.begin) summary.begin = report.begin;
    if (!summary.end || report.end > summary.end) summary.end = report.end;
    const orgKey = report.orgName.toLowerCase();
    const reporter = reporters.get(orgKey) ?? {
      org: report.orgName,
      ...(report.orgEmail ? { email: report.orgEmail } : {}),
      reports: 0,
      messages: 0,
      dmarcPass: 0,
      spfAligned: 0,
      dkimAligned: 0,
      dispositions: {},
      sources: 0,
      begin: report.begin,
      end: report.end,
      ips: new Set<string>(),
    };
    reporters.set(orgKey, reporter);
    reporter.reports++;
    if (report.begin < reporter.begin) reporter.begin = report.begin;
    if (report.end > reporter.end) reporter.end = report.end;
    const dayKey = report.begin.slice(0, 10);
    const day = days.get(dayKey) ?? { day: dayKey, messages: 0, dmarcPass: 0, deploymentMessages: 0, deploymentPass: 0 };
    days.set(dayKey, day);

    for (const record of report.records) tallyRecord(record, report.orgName, deployment, { summary, sources, reporter, day });
  }

  summary.passRate = rate(summary.dmarcPass, summary.messages);
  summary.deploymentPassRate = rate(summary.deploymentPass, summary.deploymentMessages);
  summary.reporters = [...reporters.values()]
    .map(({ ips, ...r }) => ({ ...r, sources: ips.size }))
    .sort((a, b) => b.messages - a.messages || a.org.localeCompare(b.org));
  summary.sources = [...sources.values()]
    .map(({ classes, ...s }) => ({ ...s, class: s.inDeployment ? 'deployment' : CLASS_ORDER.find((c) => classes.has(c))! }))
    .sort((a, b) => Number(b.inDeployment) - Number(a.inDeployment) || b.messages - a.messages || a.ip.localeCompare(b.ip));
  summary.days = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  return summary;
}
