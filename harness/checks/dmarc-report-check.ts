/**
 * FN-08 — what the receivers' DMARC aggregate reports say: the server's own mail aligned and passing at
 * every reporter, nobody outside the deployment sending as the domain in a way that reaches inboxes, and
 * every report that arrived read. Pure: the read reports and the refusals in, a verdict out.
 */
import type { AggregateReport } from '../dmarc/aggregate-report.ts';
import { fail, verdictFrom, warn, type Finding } from './findings.ts';
import { fullyPassing, summariseReports, type DmarcSummary, type SourceSummary } from './dmarc-summary.ts';
import type { Verdict } from './verdict.ts';

export interface DmarcReportCheckInput {
  domain: string;
  /** The deployment's sending addresses (the server's IP as the world sees it). */
  deploymentIps: string[];
  reports: AggregateReport[];
  /** One line per report file or message that could not be read. */
  refused: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const percent = (part: number, whole: number) => `${whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10}%`;

/** Where the server's own mail failed, per reporter: which identifier and how many messages. */
function serverFindings(input: DmarcReportCheckInput): Finding[] {
  const deployment = new Set(input.deploymentIps.map((ip) => ip.toLowerCase()));
  const failing = new Map<
    string,
    { ip: string; org: string; messages: number; spf: number; dkim: number; dmarc: number; detail: string[] }
  >();
  for (const report of input.reports) {
    for (const record of report.records) {
      if (!deployment.has(record.sourceIp) || fullyPassing(record)) continue;
      const key = `${record.sourceIp} ${report.orgName}`;
      const entry = failing.get(key) ?? { ip: record.sourceIp, org: report.orgName, messages: 0, spf: 0, dkim: 0, dmarc: 0, detail: [] };
      failing.set(key, entry);
      entry.messages += record.count;
      if (!record.alignment.spf) entry.spf += record.count;
      if (!record.alignment.dkim) entry.dkim += record.count;
      if (!record.alignment.dmarc) entry.dmarc += record.count;
      const spf = record.authResults.spf.map((s) => `spf=${s.result} (${s.domain})`);
      const dkim = record.authResults.dkim.map((d) => `dkim=${d.result} (d=${d.domain}${d.selector ? ` s=${d.selector}` : ''})`);
      entry.detail.push([...spf, ...(dkim.length ? dkim : ['no DKIM signature'])].join(', '));
    }
  }
  return [...failing.values()].map((f) => {
    const what = [
      f.dmarc ? `${f.dmarc} failed DMARC` : '',
      f.dkim ? `${f.dkim} not DKIM-aligned` : '',
      f.spf ? `${f.spf} not SPF-aligned` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const fixes = [
      f.dkim
        ? `DKIM: the domain's record must hold the key Postal signs with and Postal must sign as d=${input.domain} (see DNS-04 and FN-04)`
        : '',
      f.spf ? `SPF: the return-path domain must be under ${input.domain} and its SPF must authorise ${f.ip} (see DNS-03)` : '',
    ].filter(Boolean);
    return fail(
      `the server (${f.ip}) failed at ${f.org}: of its ${plural(f.messages, 'message')} there, ${what} — ${[...new Set(f.detail)].slice(0, 3).join('; ')}`,
      `The server's own mail must pass at every receiver. ${fixes.join('; ')}`,
    );
  });
}

function sourceFinding(source: SourceSummary, domain: string, serverIps: string): Finding | undefined {
  const seen = `${plural(source.messages, 'message')} as ${source.headerFrom.join(', ')} reported by ${source.reporters.join(', ')}`;
  switch (source.class) {
    case 'authorised-outside':
      return fail(
        `${source.ip} is not in the deployment (${serverIps}) but sends as ${domain} with SPF aligned and passing (${seen}): a forgotten sender, or an SPF record that authorises too much`,
        `If ${source.ip} is yours, it sends as ${domain} outside the deployment: move that mail to the server or accept it with a waiver; if it is not, remove the include: or ip4: that covers ${source.ip} from ${domain}'s SPF`,
      );
    case 'spoofed-delivered':
      return fail(
        `${source.ip} is not in the deployment (${serverIps}) and sent ${seen}; they failed DMARC and were delivered (disposition ${Object.keys(source.dispositions).join('/')}): spoofing, or a sender of yours nobody authorised`,
        `If ${source.ip} is yours, send its mail through the server (or authorise it in SPF and sign with ${domain}'s DKIM key); if not, it is spoofing that p=none lets through: once the server's own mail passes everywhere, publish p=quarantine, then p=reject`,
      );
    case 'spoofed-blocked':
      return warn(
        `${source.ip} is not in the deployment (${serverIps}) and sent ${seen}; they failed DMARC and the policy stopped them (${Object.keys(source.dispositions).join('/')}): spoofing`,
        `Nothing to change if ${source.ip} is not yours; if it is, send its mail through the server`,
      );
    default:
      return undefined;
  }
}

export function checkDmarcReports(input: DmarcReportCheckInput): { verdict: Verdict; summary: DmarcSummary } {
  const summary = summariseReports(input.reports, { domain: input.domain, deploymentIps: input.deploymentIps });
  const serverIps = input.deploymentIps.join(', ');
  const findings: Finding[] = [...serverFindings(input)];
  if (input.reports.length > 0 && summary.deploymentMessages === 0) {
    findings.push(
      warn(
        `${plural(input.reports.length, 'report')} from ${summary.reporters.map((r) => r.org).join(', ')} show no mail from the server (${serverIps}): it sends from another address, or these receivers got none of its mail`,
        `Check the address Postal sends from (POSTAL_SERVER_IP) is the one the receivers see`,
      ),
    );
  }
  for (const source of summary.sources.filter((s) => !s.inDeployment)) {
    const finding = sourceFinding(source, input.domain, serverIps);
    if (finding) findings.push(finding);
  }
  for (const line of input.refused) {
    findings.push(
      fail(
        `a report could not be read, so what its reporter saw is unknown — ${line}`,
        "Nothing was taken from it and every other report is summarised. Open that message at the rua address: a report for another domain means someone names your address as their rua; a malformed or hostile file is the reporter's fault (write to its sender). Delete the message once seen so the next run reads clean, or waive FN-08 until then",
      ),
    );
  }
  const forwarded = summary.sources.filter((s) => s.class === 'forwarded');
  const passSummary =
    `${plural(summary.reports, 'report')} from ${summary.reporters.map((r) => r.org).join(', ')}: the server (${serverIps}) aligned and passing in ${summary.deploymentPass} of ${plural(summary.deploymentMessages, 'message')} ` +
    `(${percent(summary.deploymentPass, summary.deploymentMessages)}); DMARC pass ${percent(summary.dmarcPass, summary.messages)} of all ${summary.messages}` +
    (forwarded.length ? `; forwarded by ${forwarded.map((s) => s.ip).join(', ')} (the domain's DKIM signature survived)` : '');
  const verdict = verdictFrom({
    findings,
    passSummary,
    expected: `every report read; the server (${serverIps}) SPF- and DKIM-aligned at every reporter; no source outside the deployment delivered as ${input.domain}`,
    observed: `${plural(summary.reports, 'report')}, ${plural(input.refused.length, 'refused file')}; server ${summary.deploymentPass}/${summary.deploymentMessages} passing; ${
      summary.sources
        .filter((s) => !s.inDeployment)
        .map((s) => `${s.ip} ${s.class}`)
        .join(', ') || 'no other source'
    }`,
    evidence: [
      { label: 'reporters', detail: summary.reporters },
      { label: 'sources', detail: summary.sources },
      ...(input.refused.length ? [{ label: 'refused reports', detail: input.refused }] : []),
    ],
  });
  return { verdict, summary };
}
