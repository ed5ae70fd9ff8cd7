/**
 * The aggregate report a mailbox provider writes (RFC 7489 Appendix C), from what it judged: rows
 * grouped by source IP and identical results, with counts, in the XML the big reporters send, and
 * the file they attach — Google's .zip, Yahoo's and Outlook's .xml.gz. Written with fast-xml-parser's
 * builder (the harness reads with its parser and its own schema).
 */
import { gzipSync } from 'node:zlib';
import { XMLBuilder } from 'fast-xml-parser';
import yazl from 'yazl';

/** One message as the provider's DMARC evaluation saw it. */
export interface JudgedMessage {
  sourceIp: string;
  headerFrom: string;
  envelopeFrom: string;
  envelopeTo: string;
  disposition: 'none' | 'quarantine' | 'reject';
  dkimAligned: boolean;
  spfAligned: boolean;
  dkim: Array<{ domain: string; selector: string; result: string }>;
  spf: { domain: string; scope: 'mfrom' | 'helo'; result: string };
}

export interface PublishedPolicy {
  domain: string;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  p: string;
  sp: string;
  pct: number;
}

export interface ReportInput {
  org: string;
  email: string;
  reportId: string;
  begin: Date;
  end: Date;
  policy: PublishedPolicy;
  messages: JudgedMessage[];
  /** Google writes no <version>; Yahoo and Outlook write 1.0. */
  version?: string;
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: true });
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Identical messages share a row, as every reporter counts them. */
function rows(messages: JudgedMessage[]): Array<{ message: JudgedMessage; count: number }> {
  const byKey = new Map<string, { message: JudgedMessage; count: number }>();
  for (const m of messages) {
    const key = JSON.stringify(m);
    const row = byKey.get(key) ?? { message: m, count: 0 };
    row.count++;
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

export function reportXml(input: ReportInput): string {
  const feedback = {
    ...(input.version ? { version: input.version } : {}),
    report_metadata: {
      org_name: input.org,
      email: input.email,
      report_id: input.reportId,
      date_range: { begin: seconds(input.begin), end: seconds(input.end) },
    },
    policy_published: {
      domain: input.policy.domain,
      adkim: input.policy.adkim,
      aspf: input.policy.aspf,
      p: input.policy.p,
      sp: input.policy.sp,
      pct: input.policy.pct,
    },
    record: rows(input.messages).map(({ message: m, count }) => ({
      row: {
        source_ip: m.sourceIp,
        count,
        policy_evaluated: { disposition: m.disposition, dkim: m.dkimAligned ? 'pass' : 'fail', spf: m.spfAligned ? 'pass' : 'fail' },
      },
      identifiers: { envelope_to: m.envelopeTo, envelope_from: m.envelopeFrom, header_from: m.headerFrom },
      auth_results: { dkim: m.dkim, spf: m.spf },
    })),
  };
  return `<?xml version="1.0" encoding="UTF-8" ?>\n${builder.build({ feedback })}`;
}

/** The attachment file name every big reporter uses: receiver!policy-domain!begin!end.<ext>. */
export function reportFileName(org: string, domain: string, begin: Date, end: Date, ext: string): string {
  return `${org}!${domain}!${seconds(begin)}!${seconds(end)}.${ext}`;
}

export const gzipped = (xml: string): Buffer => gzipSync(Buffer.from(xml));

export function zipped(entryName: string, xml: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(xml), entryName);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
