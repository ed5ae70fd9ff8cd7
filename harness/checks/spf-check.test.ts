import { describe, expect, it } from 'vitest';
import type { DnsSnapshot } from './dns-observation.ts';
import { errorObs, nodataObs, nxObs, okObs } from './fake-observations.ts';
import { checkSpf } from './spf-check.ts';

const IP = '91.98.35.3';
const base = { domain: 'mailgoat.ai', ip: IP, expectedInclude: 'spf.mailgoat.ai' };

/** The MailGoat zone as it should be: apex a/mx/include, the include host naming the server's IP. */
function goodSnapshot(apex = 'v=spf1 a mx include:spf.mailgoat.ai ~all', include = 'v=spf1 ip4:91.98.35.3 ~all'): DnsSnapshot {
  return [
    okObs('TXT', 'mailgoat.ai', [apex, 'google-site-verification=abc']),
    okObs('A', 'mailgoat.ai', ['91.98.35.10']),
    okObs('MX', 'mailgoat.ai', ['10 mail.mailgoat.ai']),
    okObs('A', 'mail.mailgoat.ai', ['91.98.35.10']),
    okObs('TXT', 'spf.mailgoat.ai', [include]),
  ];
}

function detail(verdict: { evidence: { label: string; detail: unknown }[] }, label: string): unknown {
  return verdict.evidence.find((e) => e.label.startsWith(label))?.detail;
}

describe('checkSpf', () => {
  it('passes for the MailGoat record, with mailauth evaluation and the lookup count in evidence', async () => {
    const verdict = await checkSpf({ ...base, snapshot: goodSnapshot() });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.remediation).toBeUndefined();
    expect(detail(verdict, 'spf dns-querying terms')).toMatchObject({ count: 3, limit: 10 });
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'pass' });
    expect(detail(verdict, 'TXT mailgoat.ai')).toMatchObject({ name: 'mailgoat.ai', type: 'TXT', resolver: '127.0.0.53:53' });
  });

  it('fails when the include host does not list the IP, naming the record to set', async () => {
    const verdict = await checkSpf({
      ...base,
      snapshot: goodSnapshot('v=spf1 include:spf.mailgoat.ai ~all', 'v=spf1 ~all'),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/softfail for 91\.98\.35\.3/);
    expect(verdict.remediation).toBe('Set TXT spf.mailgoat.ai to "v=spf1 ip4:91.98.35.3 ~all"');
  });

  it('names remediationIp (production) while evaluating another IP (embedded world)', async () => {
    const verdict = await checkSpf({
      ...base,
      ip: '127.0.0.10',
      remediationIp: IP,
      snapshot: goodSnapshot('v=spf1 include:spf.mailgoat.ai -all', 'v=spf1 ip4:10.0.0.1 -all'),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/ fail for 127\.0\.0\.10/);
    expect(verdict.remediation).toBe('Set TXT spf.mailgoat.ai to "v=spf1 ip4:10.0.0.1 ip4:91.98.35.3 -all"');
  });

  it('fails when the IP is not authorised and the include is missing too: both records named', async () => {
    const snapshot = goodSnapshot('v=spf1 mx ~all');
    const verdict = await checkSpf({ ...base, snapshot: snapshot.filter((o) => o.name !== 'spf.mailgoat.ai') });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.remediation).toContain('Set TXT mailgoat.ai to "v=spf1 mx include:spf.mailgoat.ai ~all"');
    expect(verdict.remediation).toContain('Add TXT spf.mailgoat.ai "v=spf1 ip4:91.98.35.3 ~all"');
  });

  it('fails on two SPF records at the apex', async () => {
    const snapshot = goodSnapshot();
    snapshot[0] = okObs('TXT', 'mailgoat.ai', ['v=spf1 include:spf.mailgoat.ai ~all', 'v=spf1 ip4:91.98.35.3 -all']);
    const verdict = await checkSpf({ ...base, snapshot });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/2 SPF records at mailgoat\.ai/);
    expect(verdict.remediation).toMatch(/Delete all but one TXT starting "v=spf1" at mailgoat\.ai/);
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'permerror' });
  });

  it('fails on 11 DNS-querying terms even when the IP matches before the 11th (static count)', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => `a:h${i + 1}.example.net`).join(' ');
    const snapshot: DnsSnapshot = [
      okObs('TXT', 'mailgoat.ai', ['v=spf1 ip4:91.98.35.3 include:spf.mailgoat.ai include:big.example.net ~all']),
      okObs('TXT', 'spf.mailgoat.ai', ['v=spf1 ip4:91.98.35.3 ~all']),
      okObs('TXT', 'big.example.net', [`v=spf1 ${nine} ~all`]),
    ];
    const verdict = await checkSpf({ ...base, snapshot });
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'pass' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/11 DNS-querying terms, over the limit of 10/);
    expect(detail(verdict, 'spf dns-querying terms')).toMatchObject({ count: 11 });
    expect(verdict.remediation).toMatch(/big\.example\.net \(a:h1\.example\.net/);
  });

  it('fails on too many lookups that mailauth itself rejects (permerror)', async () => {
    const hosts = Array.from({ length: 11 }, (_, i) => `h${i + 1}.example.net`);
    const snapshot: DnsSnapshot = [
      okObs('TXT', 'mailgoat.ai', [`v=spf1 ${hosts.map((h) => `a:${h}`).join(' ')} include:spf.mailgoat.ai ~all`]),
      okObs('TXT', 'spf.mailgoat.ai', ['v=spf1 ip4:91.98.35.3 ~all']),
      ...hosts.map((h) => okObs('A', h, ['192.0.2.1'])),
    ];
    const verdict = await checkSpf({ ...base, snapshot });
    expect(verdict.outcome).toBe('fail');
    expect(detail(verdict, 'spf dns-querying terms')).toMatchObject({ count: 12 });
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'permerror' });
  });

  it('fails on +all, which authorises the world, even though mailauth says pass', async () => {
    const verdict = await checkSpf({ ...base, snapshot: goodSnapshot('v=spf1 include:spf.mailgoat.ai +all') });
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'pass' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/"\+all" in the SPF record of mailgoat\.ai authorises every host/);
    expect(verdict.remediation).toContain('In TXT mailgoat.ai replace "+all" with "~all"');
  });

  it('fails on a bare "all" (implicit +) inside an included record', async () => {
    const verdict = await checkSpf({ ...base, snapshot: goodSnapshot(undefined, 'v=spf1 ip4:91.98.35.3 all') });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/"all" in the SPF record of spf\.mailgoat\.ai/);
  });

  it('fails when there is no SPF record at all', async () => {
    const snapshot: DnsSnapshot = [okObs('TXT', 'mailgoat.ai', ['google-site-verification=abc'])];
    const verdict = await checkSpf({ ...base, snapshot });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/no SPF record/);
    expect(verdict.remediation).toBe('Add TXT mailgoat.ai "v=spf1 include:spf.mailgoat.ai ~all"');

    for (const apex of [nxObs('TXT', 'mailgoat.ai'), nodataObs('TXT', 'mailgoat.ai')]) {
      expect((await checkSpf({ ...base, snapshot: [apex] })).outcome).toBe('fail');
    }
  });

  it('fails when the apex TXT was never gathered or the resolver errored', async () => {
    expect((await checkSpf({ ...base, snapshot: [] })).outcome).toBe('fail');
    const verdict = await checkSpf({ ...base, snapshot: [errorObs('TXT', 'mailgoat.ai')] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/ETIMEOUT/);
  });

  it('fails on invalid syntax (mailauth permerror)', async () => {
    const verdict = await checkSpf({ ...base, snapshot: goodSnapshot('v=spf1 include:spf.mailgoat.ai foo:bar ~all') });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/invalid \(mailauth permerror: .*Unknown mechanism foo/);
    expect(verdict.remediation).toMatch(/^Rewrite TXT mailgoat\.ai as one valid record/);
  });

  it('fails when the included host has no SPF record', async () => {
    const snapshot = goodSnapshot('v=spf1 include:spf.mailgoat.ai ~all');
    snapshot[4] = nxObs('TXT', 'spf.mailgoat.ai');
    const verdict = await checkSpf({ ...base, snapshot });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/include:spf\.mailgoat\.ai has no SPF record/);
    expect(verdict.remediation).toContain('Add TXT spf.mailgoat.ai "v=spf1 ip4:91.98.35.3 ~all"');
  });

  it('warns when the record passes but does not include the expected host', async () => {
    const verdict = await checkSpf({ ...base, snapshot: goodSnapshot('v=spf1 ip4:91.98.35.3 ~all') });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.remediation).toBe('Set TXT mailgoat.ai to "v=spf1 ip4:91.98.35.3 include:spf.mailgoat.ai ~all"');
  });
});
