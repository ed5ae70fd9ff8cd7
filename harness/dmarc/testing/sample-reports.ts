/**
 * Aggregate reports in the shapes the big reporters send (written for these tests after the published
 * formats: Google's RFC 7489 report without a version, Yahoo's and Outlook's with <version>1.0</version>,
 * RFC 9990's namespaced one), with rows the tests choose.
 */
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';

export interface SampleRow {
  ip: string;
  count?: number;
  disposition?: string;
  dkim?: string;
  spf?: string;
  headerFrom?: string;
  envelopeFrom?: string;
  dkimResults?: Array<{ domain: string; selector?: string; result: string }>;
  spfResults?: Array<{ domain: string; result: string; scope?: string }>;
  reasons?: Array<{ type: string; comment?: string }>;
}

export interface SampleReport {
  style?: 'google' | 'yahoo' | 'rfc9990';
  org?: string;
  email?: string;
  reportId?: string;
  domain?: string;
  begin?: number;
  end?: number;
  p?: string;
  rows: SampleRow[];
}

function row(r: SampleRow, domain: string): string {
  const headerFrom = r.headerFrom ?? domain;
  const dkim = r.dkimResults ?? [{ domain, selector: 'postal-qpMdyI', result: r.dkim ?? 'pass' }];
  const spf = r.spfResults ?? [{ domain: r.envelopeFrom ?? `psrp.${domain}`, result: r.spf ?? 'pass', scope: 'mfrom' }];
  return [
    '  <record>',
    '    <row>',
    `      <source_ip>${r.ip}</source_ip>`,
    `      <count>${r.count ?? 1}</count>`,
    '      <policy_evaluated>',
    `        <disposition>${r.disposition ?? 'none'}</disposition>`,
    `        <dkim>${r.dkim ?? 'pass'}</dkim>`,
    `        <spf>${r.spf ?? 'pass'}</spf>`,
    ...(r.reasons ?? []).map((x) => `        <reason><type>${x.type}</type>${x.comment ? `<comment>${x.comment}</comment>` : ''}</reason>`),
    '      </policy_evaluated>',
    '    </row>',
    '    <identifiers>',
    ...(r.envelopeFrom ? [`      <envelope_from>${r.envelopeFrom}</envelope_from>`] : []),
    `      <header_from>${headerFrom}</header_from>`,
    '    </identifiers>',
    '    <auth_results>',
    ...dkim.map(
      (d) =>
        `      <dkim><domain>${d.domain}</domain>${d.selector ? `<selector>${d.selector}</selector>` : ''}<result>${d.result}</result></dkim>`,
    ),
    ...spf.map(
      (s) => `      <spf><domain>${s.domain}</domain>${s.scope ? `<scope>${s.scope}</scope>` : ''}<result>${s.result}</result></spf>`,
    ),
    '    </auth_results>',
    '  </record>',
  ].join('\n');
}

export function sampleReportXml(report: SampleReport): string {
  const style = report.style ?? 'google';
  const domain = report.domain ?? 'mailgoat.ai';
  const begin = report.begin ?? 1_767_225_600;
  const end = report.end ?? begin + 86_399;
  const org = report.org ?? { google: 'google.com', yahoo: 'Yahoo', rfc9990: 'Sample Reporter' }[style];
  const email =
    report.email ??
    { google: 'noreply-dmarc-support@google.com', yahoo: 'dmarchelp@yahooinc.com', rfc9990: 'reports@reporter.example' }[style];
  const open = style === 'rfc9990' ? '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">' : '<feedback>';
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    open,
    ...(style === 'google' ? [] : ['  <version>1.0</version>']),
    '  <report_metadata>',
    `    <org_name>${org}</org_name>`,
    `    <email>${email}</email>`,
    ...(style === 'google' ? ['    <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>'] : []),
    `    <report_id>${report.reportId ?? '12345678901234567890'}</report_id>`,
    `    <date_range><begin>${begin}</begin><end>${end}</end></date_range>`,
    ...(style === 'rfc9990' ? ['    <generator>Example Reporter 1.2</generator>'] : []),
    '  </report_metadata>',
    '  <policy_published>',
    `    <domain>${domain}</domain>`,
    '    <adkim>r</adkim>',
    '    <aspf>r</aspf>',
    `    <p>${report.p ?? 'none'}</p>`,
    `    <sp>${report.p ?? 'none'}</sp>`,
    ...(style === 'rfc9990'
      ? ['    <np>none</np>', '    <testing>n</testing>', '    <discovery_method>treewalk</discovery_method>']
      : ['    <pct>100</pct>']),
    '  </policy_published>',
    ...report.rows.map((r) => row(r, domain)),
    '</feedback>',
    '',
  ].join('\n');
}

export const gzipReport = (xml: string): Buffer => gzipSync(Buffer.from(xml));

export function zipReport(entries: Array<{ name: string; data: Buffer | string }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data), e.name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** The billion-laughs document: ten levels of ten entity references. */
export const XML_BOMB = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  '  <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
  ']>',
  '<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>',
].join('\n');
