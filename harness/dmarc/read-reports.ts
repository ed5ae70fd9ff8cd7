/**
 * Report files → the reports to summarise, each refused one as one line, duplicates dropped by report id
 * (the same report reaches every rua address, and a reporter may send it twice). One bad file never costs
 * the others: each is unpacked, parsed and checked on its own.
 */
import type { AggregateReport } from './aggregate-report.ts';
import { parseAggregateReport, ReportRefused } from './parse-aggregate-report.ts';
import { DEFAULT_LIMITS, unpackReport, type UnpackLimits } from './unpack-report.ts';

export interface ReportFile {
  /** Where it came from, for the refusal line: "message 42 from noreply@… (\"Report Domain: …\")", a path. */
  origin: string;
  /** The attachment's or file's name. */
  name: string;
  bytes: Buffer;
}

export interface ReadReport extends AggregateReport {
  origin: string;
}

export interface ReadResult {
  reports: ReadReport[];
  /** One line per refused file or message: where, what, why. */
  refused: string[];
  /** Reports already read under the same reporter and report id. */
  duplicates: number;
}

export function isReportFor(reportDomain: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return reportDomain === d || reportDomain.endsWith(`.${d}`);
}

export function reportKey(report: Pick<AggregateReport, 'orgName' | 'reportId'>): string {
  return `${report.orgName.toLowerCase()}\u0000${report.reportId}`;
}

export async function readReports(
  files: ReportFile[],
  options: { domain: string; limits?: UnpackLimits; seen?: Set<string> },
): Promise<ReadResult> {
  const result: ReadResult = { reports: [], refused: [], duplicates: 0 };
  const seen = options.seen ?? new Set<string>();
  for (const file of files) {
    const where = `${file.origin}: ${file.name}`;
    try {
      const { xml } = await unpackReport(file.bytes, options.limits ?? DEFAULT_LIMITS);
      const report = parseAggregateReport(xml);
      if (!isReportFor(report.policyPublished.domain, options.domain)) {
        throw new ReportRefused(
          `is a report for ${report.policyPublished.domain} (from ${report.orgName}), not ${options.domain}: someone names this address as their rua`,
        );
      }
      const key = reportKey(report);
      if (seen.has(key)) {
        result.duplicates++;
        continue;
      }
      seen.add(key);
      result.reports.push({ ...report, origin: file.origin });
    } catch (error) {
      if (!(error instanceof ReportRefused)) throw error;
      result.refused.push(`${where} ${error.message}`);
    }
  }
  return result;
}

const REPORT_NAME = /\.(xml|xml\.gz|gz|zip)$/i;
const REPORT_TYPES = /^(application\/(gzip|x-gzip|zip|x-zip-compressed|xml)|text\/xml)$/i;

/** The report attachments of one e-mail (RFC 7489 §7.2.1.1: one, gzip or zip, named receiver!domain!begin!end). */
export async function reportFilesOfMessage(raw: Buffer, origin: string): Promise<{ files: ReportFile[]; refused?: string }> {
  // Loaded on the first report: only the worker that reads reports pays for it.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const label = `${origin} from ${mail.from?.value[0]?.address ?? 'an unknown sender'} ("${(mail.subject ?? '').slice(0, 80)}")`;
  const files = mail.attachments
    .filter((a) => REPORT_NAME.test(a.filename ?? '') || REPORT_TYPES.test(a.contentType))
    .map((a) => ({ origin: label, name: a.filename ?? `(unnamed ${a.contentType})`, bytes: a.content }));
  return files.length > 0
    ? { files }
    : { files, refused: `${label} has no report attachment (gzip, zip or XML): not a DMARC aggregate report` };
}
