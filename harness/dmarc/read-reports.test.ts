import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseAggregateReport, ReportRefused, maxNesting } from './parse-aggregate-report.ts';
import { readReports, reportFilesOfMessage } from './read-reports.ts';
import { gzipReport, sampleReportXml, XML_BOMB, zipReport } from './testing/sample-reports.ts';
import { sniffFormat, unpackReport } from './unpack-report.ts';

const SERVER = '91.98.35.3';
const google = sampleReportXml({ style: 'google', reportId: 'g-1', rows: [{ ip: SERVER, count: 12 }] });
const yahoo = sampleReportXml({
  style: 'yahoo',
  reportId: 'y-1',
  rows: [
    { ip: SERVER, count: 3 },
    { ip: '203.0.113.9', dkim: 'fail', spf: 'fail', headerFrom: 'mailgoat.ai' },
  ],
});
const file = (name: string, bytes: Buffer | string, origin = 'test') => ({
  origin,
  name,
  bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes),
});
const read = (files: ReturnType<typeof file>[], limits?: { maxFileBytes: number; maxXmlBytes: number }) =>
  readReports(files, { domain: 'mailgoat.ai', limits });

describe('parseAggregateReport', () => {
  it("reads Google's report (no <version>) field by field, as parsedmarc names them", () => {
    const report = parseAggregateReport(google);
    expect(report).toMatchObject({
      xmlSchema: 'draft',
      orgName: 'google.com',
      orgEmail: 'noreply-dmarc-support@google.com',
      extraContactInfo: 'https://support.google.com/a/answer/2466580',
      reportId: 'g-1',
      begin: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T23:59:59.000Z',
      errors: [],
      policyPublished: { domain: 'mailgoat.ai', adkim: 'r', aspf: 'r', p: 'none', sp: 'none', pct: '100' },
    });
    expect(report.records).toEqual([
      {
        sourceIp: SERVER,
        count: 12,
        policyEvaluated: { disposition: 'none', dkim: 'pass', spf: 'pass', reasons: [] },
        alignment: { spf: true, dkim: true, dmarc: true },
        identifiers: { headerFrom: 'mailgoat.ai', envelopeFrom: 'psrp.mailgoat.ai' },
        authResults: {
          dkim: [{ domain: 'mailgoat.ai', selector: 'postal-qpMdyI', result: 'pass' }],
          spf: [{ domain: 'psrp.mailgoat.ai', scope: 'mfrom', result: 'pass' }],
        },
      },
    ]);
  });

  it('reads an RFC 9990 report: its namespace, generator, np, testing and discovery_method', () => {
    const report = parseAggregateReport(sampleReportXml({ style: 'rfc9990', rows: [{ ip: '2001:db8::1', disposition: 'pass' }] }));
    expect(report).toMatchObject({ xmlSchema: '1.0', xmlNamespace: 'urn:ietf:params:xml:ns:dmarc-2.0', generator: 'Example Reporter 1.2' });
    expect(report.policyPublished).toMatchObject({ np: 'none', testing: 'n', discoveryMethod: 'treewalk' });
    expect(report.records[0]).toMatchObject({ sourceIp: '2001:db8::1', policyEvaluated: { disposition: 'pass' } });
  });

  it('reads several records, upper-case result words, reasons and a missing envelope_from (backfilled from SPF)', () => {
    const xml = sampleReportXml({
      rows: [
        { ip: SERVER, dkim: 'Pass', spf: 'PASS' },
        {
          ip: '198.51.100.7',
          dkim: 'fail',
          spf: 'fail',
          reasons: [{ type: 'forwarded', comment: 'list' }],
          spfResults: [{ domain: 'lists.example', result: 'softfail' }],
        },
      ],
    });
    const [first, second] = parseAggregateReport(xml).records;
    expect(first!.policyEvaluated).toMatchObject({ dkim: 'pass', spf: 'pass' });
    expect(second).toMatchObject({
      alignment: { spf: false, dkim: false, dmarc: false },
      policyEvaluated: { reasons: [{ type: 'forwarded', comment: 'list' }] },
      identifiers: { envelopeFrom: 'lists.example' },
      authResults: { spf: [{ domain: 'lists.example', scope: 'mfrom', result: 'softfail' }] },
    });
  });

  it('derives DMARC alignment from either identifier', () => {
    const records = parseAggregateReport(
      sampleReportXml({
        rows: [
          { ip: '192.0.2.1', dkim: 'fail', spf: 'pass' },
          { ip: '192.0.2.2', dkim: 'pass', spf: 'fail' },
        ],
      }),
    ).records;
    expect(records.map((r) => r.alignment)).toEqual([
      { spf: true, dkim: false, dmarc: true },
      { spf: false, dkim: true, dmarc: true },
    ]);
  });

  it('reads what reporters leave empty: an SPF result without a domain is skipped, an empty reason type is "none", empty auth_results is none', () => {
    const emptySpf = parseAggregateReport(google.replace('<spf><domain>psrp.mailgoat.ai</domain>', '<spf><domain></domain>'));
    expect(emptySpf.records[0]!.authResults.spf).toEqual([]);
    expect(emptySpf.records[0]!.identifiers.envelopeFrom).toBeUndefined();
    const emptyReason = parseAggregateReport(sampleReportXml({ rows: [{ ip: SERVER, reasons: [{ type: '' }] }] }));
    expect(emptyReason.records[0]!.policyEvaluated.reasons).toEqual([{ type: 'none' }]);
    const emptyAuth = parseAggregateReport(google.replace(/<auth_results>[\s\S]*<\/auth_results>/, '<auth_results></auth_results>'));
    expect(emptyAuth.records[0]!.authResults).toEqual({ dkim: [], spf: [] });
  });

  it("drops XML Schema tags a reporter left open (IKEA's, parsedmarc issue 18)", () => {
    const ikea = google.replace(
      '<feedback>',
      '<feedback><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://dmarc.org/dmarc-xml/0.1">',
    );
    expect(parseAggregateReport(ikea).orgName).toBe('google.com');
  });

  it('keeps a report id without angle brackets or what follows an @', () => {
    expect(parseAggregateReport(sampleReportXml({ reportId: '&lt;abc.123@reporter.example&gt;', rows: [{ ip: SERVER }] })).reportId).toBe(
      'abc.123',
    );
  });

  it.each([
    ['an XML bomb (DOCTYPE with nested entities)', XML_BOMB, /DOCTYPE\/ENTITY .*billion laughs/],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><feedback>&e;</feedback>',
      /DOCTYPE\/ENTITY/,
    ],
    ['truncated XML', google.slice(0, google.length / 2), /not well-formed XML/],
    ['another root element', '<?xml version="1.0"?><report><x>1</x></report>', /root element <report>, not <feedback>/],
    ['a record without a source IP', google.replace(`<source_ip>${SERVER}</source_ip>`, ''), /feedback\.record\.0\.row\.source_ip/],
    ['a source IP that is not one', google.replace(SERVER, 'not-an-ip'), /source_ip: expected an IPv4 or IPv6 address/],
    ['a negative count', google.replace('<count>12</count>', '<count>-1</count>'), /count: expected a whole number/],
    ['no date range', google.replace(/<date_range>.*<\/date_range>/, ''), /date_range/],
    ['no record', google.replace(/<record>[\s\S]*<\/record>/, ''), /feedback\.record/],
    [
      'neither org_name nor email',
      google.replace(/<org_name>.*<\/org_name>/, '').replace(/<email>.*<\/email>/, ''),
      /neither org_name nor email/,
    ],
    ['elements nested 40 deep', `<feedback>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</feedback>`, /nests elements more than 32 deep/],
  ])('refuses %s in one line', (_what, xml, why) => {
    let error: unknown;
    try {
      parseAggregateReport(xml);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReportRefused);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).not.toContain('\n');
  });

  it('counts nesting without the parser', () => {
    expect(maxNesting('<a><b/><c><d></d></c></a>')).toBe(3);
    expect(maxNesting('<?xml version="1.0"?><!-- x --><a x="1/"></a>')).toBe(1);
  });
});

describe('unpackReport', () => {
  it('tells gzip, zip and XML apart by their first bytes', async () => {
    expect(sniffFormat(gzipReport(google))).toBe('gzip');
    expect(sniffFormat(await zipReport([{ name: 'r.xml', data: google }]))).toBe('zip');
    expect(sniffFormat(Buffer.from(`\uFEFF  ${google}`))).toBe('xml');
    expect(sniffFormat(Buffer.from('%PDF-1.4'))).toBeUndefined();
  });

  it('unpacks each to the same XML', async () => {
    for (const bytes of [
      gzipReport(google),
      await zipReport([{ name: 'google.com!mailgoat.ai!1!2.xml', data: google }]),
      Buffer.from(google),
    ]) {
      expect((await unpackReport(bytes)).xml).toBe(google);
    }
  });

  it('takes the .xml entry of a zip that holds other files too', async () => {
    const zip = await zipReport([
      { name: 'readme.txt', data: 'hello' },
      { name: 'report.xml', data: google },
    ]);
    expect((await unpackReport(zip)).xml).toBe(google);
  });

  const limits = { maxFileBytes: 64 * 1024, maxXmlBytes: 256 * 1024 };
  it.each([
    ['a gzip bomb', () => Promise.resolve(gzipSync(Buffer.alloc(4 * 1024 * 1024, 32))), /unpacks to more than 0\.25 MB \(a gzip bomb/],
    [
      'a zip bomb',
      () => zipReport([{ name: 'bomb.xml', data: Buffer.alloc(4 * 1024 * 1024, 32) }]),
      /over the 0\.25 MB limit \(a zip bomb/,
    ],
    [
      'a huge file',
      () => Promise.resolve(Buffer.from(`<feedback>${' '.repeat(100 * 1024)}</feedback>`)),
      /is 0\.10 MB, over the 0\.06 MB a report file may be/,
    ],
    ['a broken gzip', () => Promise.resolve(gzipReport(google).subarray(0, 40)), /broken gzip file/],
    ['a broken zip', async () => (await zipReport([{ name: 'r.xml', data: google }])).subarray(0, 60), /broken zip file/],
    ['a zip without XML', () => zipReport([{ name: 'r.txt', data: 'x' }]), /without an \.xml entry/],
    ['a PDF', () => Promise.resolve(Buffer.from('%PDF-1.4 …')), /neither gzip, zip nor XML/],
  ])('refuses %s in one line', async (_what, make, why) => {
    const error = await unpackReport(await make(), limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportRefused);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).not.toContain('\n');
  });

  it('keeps a report with a stray invalid byte, replaced (parsedmarc decodes so too)', async () => {
    const bytes = Buffer.concat([Buffer.from(google.replace('https://support', 'https://supp')), Buffer.from([0x91])]);
    expect((await unpackReport(bytes)).xml.endsWith('\uFFFD')).toBe(true);
  });

  it('stops a zip entry that lies about its size at the limit', async () => {
    // yauzl compares the bytes it inflates with the header; either way the entry never fills memory.
    const zip = await zipReport([{ name: 'r.xml', data: Buffer.alloc(1024 * 1024, 32) }]);
    const error = await unpackReport(zip, { maxFileBytes: 1024 * 1024, maxXmlBytes: 100 * 1024 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/over the 0\.10 MB limit|unpacks to more than/);
  });

  it('refuses a 60 MB gzip bomb at the default limit without running out of memory', async () => {
    const error = await unpackReport(gzipSync(Buffer.alloc(60 * 1024 * 1024, 32))).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/unpacks to more than 40 MB/);
  });
});

describe('readReports', () => {
  it('reads every good file, refuses each bad one in one line, and loses nothing else', async () => {
    const result = await read([
      file('google.zip', await zipReport([{ name: 'google.com!mailgoat.ai!1!2.xml', data: google }])),
      file('bomb.xml', XML_BOMB, 'message 7'),
      file('yahoo.xml.gz', gzipReport(yahoo)),
      file('foreign.xml', sampleReportXml({ domain: 'example.org', reportId: 'f-1', rows: [{ ip: SERVER }] }), 'message 9'),
    ]);
    expect(result.reports.map((r) => `${r.orgName}/${r.reportId}`)).toEqual(['google.com/g-1', 'Yahoo/y-1']);
    expect(result.refused).toEqual([
      expect.stringMatching(/^message 7: bomb\.xml declares a DOCTYPE/),
      'message 9: foreign.xml is a report for example.org (from google.com), not mailgoat.ai: someone names this address as their rua',
    ]);
  });

  it('keeps reports for subdomains of the domain', async () => {
    const result = await read([file('sub.xml', sampleReportXml({ domain: 'agents.mailgoat.ai', rows: [{ ip: SERVER }] }))]);
    expect(result.reports).toHaveLength(1);
    expect((await read([file('x.xml', sampleReportXml({ domain: 'notmailgoat.ai', rows: [{ ip: SERVER }] }))])).refused[0]).toContain(
      'report for notmailgoat.ai',
    );
  });

  it('drops a report it already read (same reporter, same id), also across calls', async () => {
    const seen = new Set<string>();
    const once = await readReports([file('a.xml', google), file('b.xml.gz', gzipReport(google))], { domain: 'mailgoat.ai', seen });
    expect(once).toMatchObject({ duplicates: 1, refused: [] });
    expect(once.reports).toHaveLength(1);
    const again = await readReports([file('c.xml', google)], { domain: 'mailgoat.ai', seen });
    expect(again).toMatchObject({ reports: [], duplicates: 1 });
  });
});

describe('reportFilesOfMessage', () => {
  const message = (attachment: string) =>
    Buffer.from(
      [
        'From: noreply-dmarc-support@google.com',
        'To: dmarc@mailgoat.ai',
        'Subject: Report domain: mailgoat.ai Submitter: google.com Report-ID: 123',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'This is an aggregate report from google.com.',
        '--b',
        attachment,
        '--b--',
        '',
      ].join('\r\n'),
    );

  it("finds a Google-style zip attachment and names the message's sender and subject", async () => {
    const zip = (await zipReport([{ name: 'r.xml', data: google }])).toString('base64');
    const { files, refused } = await reportFilesOfMessage(
      message(
        `Content-Type: application/zip; name="google.com!mailgoat.ai!1!2.zip"\r\nContent-Disposition: attachment; filename="google.com!mailgoat.ai!1!2.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${zip}`,
      ),
      'message 5',
    );
    expect(refused).toBeUndefined();
    expect(files).toHaveLength(1);
    expect(files[0]!.origin).toBe(
      'message 5 from noreply-dmarc-support@google.com ("Report domain: mailgoat.ai Submitter: google.com Report-ID: 123")',
    );
    expect(files[0]!.name).toBe('google.com!mailgoat.ai!1!2.zip');
    expect((await unpackReport(files[0]!.bytes)).xml).toBe(google);
  });

  it('says so, in one line, when a message has no report attachment', async () => {
    const { files, refused } = await reportFilesOfMessage(message('Content-Type: text/plain\r\n\r\nhello'), 'message 6');
    expect(files).toEqual([]);
    expect(refused).toMatch(/^message 6 from noreply-dmarc-support@google\.com .* has no report attachment/);
  });
});
