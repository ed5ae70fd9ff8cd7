import { describe, expect, it } from 'vitest';
import type { AggregateRecord, AggregateReport } from '../dmarc/aggregate-report.ts';
import { checkDmarcReports } from './dmarc-report-check.ts';
import { recordClass, summariseReports } from './dmarc-summary.ts';

const SERVER = '91.98.35.3';
const DOMAIN = 'mailgoat.ai';

function record(
  ip: string,
  over: Partial<{
    count: number;
    spf: boolean;
    dkim: boolean;
    disposition: string;
    reasons: string[];
    headerFrom: string;
    spfResult: string;
    dkimResult: string;
    noDkim: boolean;
  }> = {},
): AggregateRecord {
  const spf = over.spf ?? true;
  const dkim = over.dkim ?? true;
  return {
    sourceIp: ip,
    count: over.count ?? 1,
    policyEvaluated: {
      disposition: over.disposition ?? 'none',
      dkim: dkim ? 'pass' : 'fail',
      spf: spf ? 'pass' : 'fail',
      reasons: (over.reasons ?? []).map((type) => ({ type })),
    },
    alignment: { spf, dkim, dmarc: spf || dkim },
    identifiers: { headerFrom: over.headerFrom ?? DOMAIN, envelopeFrom: `psrp.${DOMAIN}` },
    authResults: {
      dkim: over.noDkim ? [] : [{ domain: DOMAIN, selector: 'postal-qpMdyI', result: over.dkimResult ?? (dkim ? 'pass' : 'fail') }],
      spf: [{ domain: `psrp.${DOMAIN}`, scope: 'mfrom', result: over.spfResult ?? (spf ? 'pass' : 'softfail') }],
    },
  };
}

function report(org: string, records: AggregateRecord[], over: Partial<AggregateReport> = {}): AggregateReport {
  return {
    xmlSchema: 'draft',
    orgName: org,
    orgEmail: `dmarc@${org}`,
    reportId: `${org}-1`,
    begin: '2026-01-01T00:00:00.000Z',
    end: '2026-01-01T23:59:59.000Z',
    errors: [],
    policyPublished: { domain: DOMAIN, adkim: 'r', aspf: 'r', p: 'none', sp: 'none' },
    records,
    ...over,
  };
}

const check = (reports: AggregateReport[], refused: string[] = []) =>
  checkDmarcReports({ domain: DOMAIN, deploymentIps: [SERVER], reports, refused });

describe('summariseReports', () => {
  it('counts per reporter, per source and per day, weighting every record by its count', () => {
    const s = summariseReports(
      [
        report('google.com', [record(SERVER, { count: 10 }), record('203.0.113.9', { count: 2, spf: false, dkim: false })]),
        report('Yahoo', [record(SERVER, { count: 4, spf: false })], {
          begin: '2026-01-02T00:00:00.000Z',
          end: '2026-01-02T23:59:59.000Z',
          reportId: 'y',
        }),
      ],
      { domain: DOMAIN, deploymentIps: [SERVER] },
    );
    expect(s).toMatchObject({
      reports: 2,
      messages: 16,
      dmarcPass: 14,
      deploymentMessages: 14,
      deploymentPass: 10,
      begin: '2026-01-01T00:00:00.000Z',
      end: '2026-01-02T23:59:59.000Z',
    });
    expect(s.passRate).toBeCloseTo(14 / 16);
    expect(s.deploymentPassRate).toBeCloseTo(10 / 14);
    expect(s.reporters).toEqual([
      {
        org: 'google.com',
        email: 'dmarc@google.com',
        reports: 1,
        messages: 12,
        dmarcPass: 10,
        spfAligned: 10,
        dkimAligned: 10,
        dispositions: { none: 12 },
        sources: 2,
        begin: '2026-01-01T00:00:00.000Z',
        end: '2026-01-01T23:59:59.000Z',
      },
      {
        org: 'Yahoo',
        email: 'dmarc@Yahoo',
        reports: 1,
        messages: 4,
        dmarcPass: 4,
        spfAligned: 0,
        dkimAligned: 4,
        dispositions: { none: 4 },
        sources: 1,
        begin: '2026-01-02T00:00:00.000Z',
        end: '2026-01-02T23:59:59.000Z',
      },
    ]);
    expect(s.sources[0]).toEqual({
      ip: SERVER,
      inDeployment: true,
      class: 'deployment',
      messages: 14,
      reporters: ['google.com', 'Yahoo'],
      headerFrom: [DOMAIN],
      envelopeFrom: [`psrp.${DOMAIN}`],
      dkimDomains: [DOMAIN],
      spf: { pass: 10, softfail: 4 },
      dkim: { pass: 14 },
      spfAligned: 10,
      dkimAligned: 14,
      dmarcPass: 14,
      dispositions: { none: 14 },
    });
    expect(s.sources[1]).toMatchObject({
      ip: '203.0.113.9',
      inDeployment: false,
      class: 'spoofed-delivered',
      messages: 2,
      dmarcPass: 0,
      spf: { softfail: 2 },
      dkim: { fail: 2 },
    });
    expect(s.days).toEqual([
      { day: '2026-01-01', messages: 12, dmarcPass: 10, deploymentMessages: 10, deploymentPass: 10 },
      { day: '2026-01-02', messages: 4, dmarcPass: 4, deploymentMessages: 4, deploymentPass: 0 },
    ]);
  });

  it("widens a reporter's period over all its reports and counts its sources once", () => {
    const s = summariseReports(
      [
        report('google.com', [record(SERVER)], { begin: '2026-01-02T00:00:00.000Z', end: '2026-01-02T23:59:59.000Z' }),
        report('google.com', [record(SERVER), record('198.51.100.1', { spf: false })], {
          reportId: 'g2',
          begin: '2026-01-01T00:00:00.000Z',
          end: '2026-01-03T00:00:00.000Z',
        }),
      ],
      { domain: DOMAIN, deploymentIps: [SERVER] },
    );
    expect(s.reporters[0]).toMatchObject({
      reports: 2,
      messages: 3,
      sources: 2,
      begin: '2026-01-01T00:00:00.000Z',
      end: '2026-01-03T00:00:00.000Z',
    });
  });

  it('orders reporters by volume then name, sources deployment first, then by volume then address', () => {
    const s = summariseReports(
      [
        report('b.example', [record('192.0.2.2', { spf: false, dkim: false }), record('192.0.2.1', { spf: false, dkim: false })]),
        report('a.example', [record('192.0.2.3', { count: 5, spf: false, dkim: false }), record(SERVER)], { reportId: 'a' }),
      ],
      { domain: DOMAIN, deploymentIps: [SERVER] },
    );
    expect(s.reporters.map((r) => r.org)).toEqual(['a.example', 'b.example']);
    expect(s.sources.map((x) => x.ip)).toEqual([SERVER, '192.0.2.3', '192.0.2.1', '192.0.2.2']);
  });

  it('has a zero pass rate, not NaN, without messages', () => {
    expect(summariseReports([], { domain: DOMAIN, deploymentIps: [SERVER] })).toMatchObject({
      passRate: 0,
      deploymentPassRate: 0,
      reports: 0,
      sources: [],
    });
  });

  it('takes the best DKIM result of a record and "none" without one', () => {
    const r = record('192.0.2.9', { dkim: false, noDkim: true, spf: false });
    const two = {
      ...record('192.0.2.8'),
      authResults: {
        dkim: [
          { domain: 'x.example', result: 'fail' },
          { domain: DOMAIN, result: 'pass' },
        ],
        spf: [],
      },
    };
    const s = summariseReports([report('r', [r, two])], { domain: DOMAIN, deploymentIps: [] });
    expect(s.sources.find((x) => x.ip === '192.0.2.9')).toMatchObject({ dkim: { none: 1 }, dkimDomains: [] });
    expect(s.sources.find((x) => x.ip === '192.0.2.8')).toMatchObject({
      dkim: { pass: 1 },
      spf: { none: 1 },
      dkimDomains: ['x.example', DOMAIN],
    });
  });
});

describe('recordClass', () => {
  it.each([
    [{ spf: true, dkim: false }, 'authorised-outside'],
    [{ spf: true, dkim: true }, 'authorised-outside'],
    [{ spf: false, dkim: true }, 'forwarded'],
    [{ spf: false, dkim: false, reasons: ['forwarded'] }, 'forwarded'],
    [{ spf: false, dkim: false, reasons: ['mailing_list'] }, 'forwarded'],
    [{ spf: false, dkim: false, reasons: ['trusted_forwarder'] }, 'forwarded'],
    [{ spf: false, dkim: false, reasons: ['local_policy'] }, 'forwarded'],
    [{ spf: false, dkim: false, reasons: ['sampled_out'] }, 'spoofed-delivered'],
    [{ spf: false, dkim: false }, 'spoofed-delivered'],
    [{ spf: false, dkim: false, disposition: 'pass' }, 'spoofed-delivered'],
    [{ spf: false, dkim: false, disposition: 'quarantine' }, 'spoofed-blocked'],
    [{ spf: false, dkim: false, disposition: 'reject' }, 'spoofed-blocked'],
  ] as const)('%o is %s', (over, expected) => {
    expect(recordClass(record('192.0.2.1', { ...over, reasons: [...('reasons' in over ? over.reasons : [])] }))).toBe(expected);
  });

  it('gives a source the class of its worst record', () => {
    const s = summariseReports(
      [
        report('r', [
          record('192.0.2.1', { spf: false, dkim: true }),
          record('192.0.2.1', { spf: false, dkim: false, disposition: 'reject' }),
        ]),
      ],
      { domain: DOMAIN, deploymentIps: [] },
    );
    expect(s.sources[0]!.class).toBe('spoofed-blocked');
    const worse = summariseReports(
      [
        report('r', [
          record('192.0.2.1', { spf: false, dkim: false, disposition: 'reject' }),
          record('192.0.2.1', { spf: false, dkim: false }),
        ]),
      ],
      { domain: DOMAIN, deploymentIps: [] },
    );
    expect(worse.sources[0]!.class).toBe('spoofed-delivered');
    const worst = summariseReports([report('r', [record('192.0.2.1', { spf: false, dkim: false }), record('192.0.2.1', { spf: true })])], {
      domain: DOMAIN,
      deploymentIps: [],
    });
    expect(worst.sources[0]!.class).toBe('authorised-outside');
  });
});

describe('checkDmarcReports', () => {
  it('passes when the server is aligned everywhere, saying who reported and what forwarded', () => {
    const { verdict } = check([
      report('google.com', [record(SERVER, { count: 3 }), record('198.51.100.4', { spf: false })]),
      report('Yahoo', [record(SERVER)], { reportId: 'y' }),
    ]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      "2 reports from google.com, Yahoo: the server (91.98.35.3) aligned and passing in 4 of 4 messages (100%); DMARC pass 100% of all 5; forwarded by 198.51.100.4 (the domain's DKIM signature survived)",
    );
    expect(verdict.observed).toBe('2 reports, 0 refused files; server 4/4 passing; 198.51.100.4 forwarded');
    expect(verdict.expected).toBe(
      'every report read; the server (91.98.35.3) SPF- and DKIM-aligned at every reporter; no source outside the deployment delivered as mailgoat.ai',
    );
  });

  it('says "1 report" and leaves out forwarding when there is none', () => {
    const { verdict } = check([report('google.com', [record(SERVER)])]);
    expect(verdict.summary).toBe(
      '1 report from google.com: the server (91.98.35.3) aligned and passing in 1 of 1 message (100%); DMARC pass 100% of all 1',
    );
    expect(verdict.observed).toBe('1 report, 0 refused files; server 1/1 passing; no other source');
  });

  it('fails when the server is not DKIM-aligned at a reporter, naming what failed and pointing at DNS-04/FN-04', () => {
    const { verdict } = check([report('google.com', [record(SERVER, { count: 2, dkim: false }), record(SERVER)])]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'the server (91.98.35.3) failed at google.com: of its 2 messages there, 2 not DKIM-aligned — spf=pass (psrp.mailgoat.ai), dkim=fail (d=mailgoat.ai s=postal-qpMdyI)',
    );
    expect(verdict.remediation).toBe(
      "The server's own mail must pass at every receiver. DKIM: the domain's record must hold the key Postal signs with and Postal must sign as d=mailgoat.ai (see DNS-04 and FN-04)",
    );
  });

  it('fails when the server fails SPF and DMARC, per reporter', () => {
    const { verdict } = check([
      report('Yahoo', [record(SERVER, { spf: false, dkim: false, noDkim: true })]),
      report('google.com', [record(SERVER, { spf: false })], { reportId: 'g' }),
    ]);
    expect(verdict.summary).toBe(
      'the server (91.98.35.3) failed at Yahoo: of its 1 message there, 1 failed DMARC, 1 not DKIM-aligned, 1 not SPF-aligned — spf=softfail (psrp.mailgoat.ai), no DKIM signature; ' +
        'the server (91.98.35.3) failed at google.com: of its 1 message there, 1 not SPF-aligned — spf=softfail (psrp.mailgoat.ai), dkim=pass (d=mailgoat.ai s=postal-qpMdyI)',
    );
    expect(verdict.remediation).toContain(
      'SPF: the return-path domain must be under mailgoat.ai and its SPF must authorise 91.98.35.3 (see DNS-03)',
    );
    expect(verdict.remediation).toContain('DKIM: the domain');
  });

  it('fails a source outside the deployment that SPF lets send as the domain', () => {
    const { verdict } = check([report('google.com', [record(SERVER), record('203.0.113.50', { count: 7, dkim: false })])]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      '203.0.113.50 is not in the deployment (91.98.35.3) but sends as mailgoat.ai with SPF aligned and passing (7 messages as mailgoat.ai reported by google.com): a forgotten sender, or an SPF record that authorises too much',
    );
    expect(verdict.remediation).toContain("remove the include: or ip4: that covers 203.0.113.50 from mailgoat.ai's SPF");
  });

  it('fails spoofed mail that was delivered, and only warns when the policy stopped it', () => {
    const delivered = check([
      report('google.com', [record(SERVER), record('203.0.113.66', { spf: false, dkim: false, headerFrom: 'ceo.mailgoat.ai' })]),
    ]).verdict;
    expect(delivered.outcome).toBe('fail');
    expect(delivered.summary).toBe(
      '203.0.113.66 is not in the deployment (91.98.35.3) and sent 1 message as ceo.mailgoat.ai reported by google.com; they failed DMARC and were delivered (disposition none): spoofing, or a sender of yours nobody authorised',
    );
    expect(delivered.remediation).toContain('publish p=quarantine, then p=reject');
    const blocked = check([
      report('google.com', [record(SERVER), record('203.0.113.66', { spf: false, dkim: false, disposition: 'reject' })]),
    ]).verdict;
    expect(blocked.outcome).toBe('warn');
    expect(blocked.summary).toBe(
      '203.0.113.66 is not in the deployment (91.98.35.3) and sent 1 message as mailgoat.ai reported by google.com; they failed DMARC and the policy stopped them (reject): spoofing',
    );
    expect(blocked.remediation).toBe('Nothing to change if 203.0.113.66 is not yours; if it is, send its mail through the server');
  });

  it('warns when the reports show no mail from the server at all', () => {
    const { verdict } = check([report('google.com', [record('198.51.100.4', { spf: false })])]);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      '1 report from google.com show no mail from the server (91.98.35.3): it sends from another address, or these receivers got none of its mail',
    );
  });

  it('fails for each refused report, one line each, and keeps summarising the rest', () => {
    const { verdict, summary } = check(
      [report('google.com', [record(SERVER)])],
      ['message 9: x.xml declares a DOCTYPE', 'message 10: y.xml is a report for example.org'],
    );
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'a report could not be read, so what its reporter saw is unknown — message 9: x.xml declares a DOCTYPE; a report could not be read, so what its reporter saw is unknown — message 10: y.xml is a report for example.org',
    );
    expect(verdict.remediation).toMatch(/^Nothing was taken from it and every other report is summarised/);
    expect(verdict.evidence.find((e) => e.label === 'refused reports')?.detail).toEqual([
      'message 9: x.xml declares a DOCTYPE',
      'message 10: y.xml is a report for example.org',
    ]);
    expect(summary.reports).toBe(1);
    expect(verdict.observed).toBe('1 report, 2 refused files; server 1/1 passing; no other source');
  });

  it('shows reporters and sources as evidence', () => {
    const { verdict } = check([report('google.com', [record(SERVER)])]);
    expect(verdict.evidence.map((e) => e.label)).toEqual(['reporters', 'sources']);
  });

  it('joins every reporter, identity, disposition and forwarder it names, and knows the server by any of its addresses in any case', () => {
    const v6 = '2001:db8::25';
    const reports = [
      report('google.com', [
        record(v6),
        record('198.51.100.4', { spf: false }),
        record('198.51.100.5', { spf: false }),
        record('203.0.113.7', { spf: false, dkim: false, disposition: 'quarantine' }),
      ]),
      report(
        'Yahoo',
        [record(SERVER), record('203.0.113.7', { spf: false, dkim: false, disposition: 'reject', headerFrom: 'x.mailgoat.ai' })],
        { reportId: 'y' },
      ),
    ];
    const { verdict, summary } = checkDmarcReports({ domain: DOMAIN, deploymentIps: [SERVER, '2001:DB8::25'], reports, refused: [] });
    expect(summary.deploymentMessages).toBe(2);
    expect(verdict.summary).toBe(
      '203.0.113.7 is not in the deployment (91.98.35.3, 2001:DB8::25) and sent 2 messages as mailgoat.ai, x.mailgoat.ai reported by google.com, Yahoo; they failed DMARC and the policy stopped them (quarantine/reject): spoofing',
    );
    expect(verdict.observed).toBe(
      '2 reports, 0 refused files; server 2/2 passing; 203.0.113.7 spoofed-blocked, 198.51.100.4 forwarded, 198.51.100.5 forwarded',
    );
  });

  it('names forwarders and delivered dispositions joined', () => {
    const { verdict } = check([
      report('google.com', [record(SERVER), record('198.51.100.4', { spf: false }), record('198.51.100.5', { spf: false })]),
    ]);
    expect(verdict.summary).toContain('; forwarded by 198.51.100.4, 198.51.100.5 (the domain');
    const spoofed = check([
      report('google.com', [
        record(SERVER),
        record('203.0.113.9', { spf: false, dkim: false }),
        record('203.0.113.9', { spf: false, dkim: false, disposition: 'pass' }),
      ]),
    ]).verdict;
    expect(spoofed.summary).toContain('were delivered (disposition none/pass)');
  });

  it('shows at most three distinct failures of the server, a signature without a selector, and both fixes', () => {
    const failing = ['a', 'b', 'c', 'd'].map((d) => ({
      ...record(SERVER, { spf: false, dkim: false }),
      authResults: { dkim: [{ domain: `${d}.example`, result: 'fail' }], spf: [] },
    }));
    const { verdict } = check([report('google.com', failing)]);
    expect(verdict.summary).toBe(
      'the server (91.98.35.3) failed at google.com: of its 4 messages there, 4 failed DMARC, 4 not DKIM-aligned, 4 not SPF-aligned — dkim=fail (d=a.example); dkim=fail (d=b.example); dkim=fail (d=c.example)',
    );
    expect(verdict.remediation).toBe(
      "The server's own mail must pass at every receiver. DKIM: the domain's record must hold the key Postal signs with and Postal must sign as d=mailgoat.ai (see DNS-04 and FN-04); SPF: the return-path domain must be under mailgoat.ai and its SPF must authorise 91.98.35.3 (see DNS-03)",
    );
  });

  it('without any report passes on nothing to say (the control skips before), at 0% not NaN, and warns of no server mail only when reports exist', () => {
    const { verdict } = check([]);
    expect(verdict).toMatchObject({
      outcome: 'pass',
      summary: '0 reports from : the server (91.98.35.3) aligned and passing in 0 of 0 messages (0%); DMARC pass 0% of all 0',
    });
    const refusedOnly = check([], ['x']).verdict;
    expect(refusedOnly.summary).not.toContain('show no mail');
  });

  it('reports show no mail from the server: names every reporter and what to check', () => {
    const { verdict } = check([
      report('google.com', [record('198.51.100.4', { spf: false })]),
      report('Yahoo', [record('198.51.100.4', { spf: false })], { reportId: 'y' }),
    ]);
    expect(verdict.summary).toBe(
      '2 reports from google.com, Yahoo show no mail from the server (91.98.35.3): it sends from another address, or these receivers got none of its mail',
    );
    expect(verdict.remediation).toBe('Check the address Postal sends from (POSTAL_SERVER_IP) is the one the receivers see');
  });
});
