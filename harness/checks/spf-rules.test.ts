// The SPF check's lines: exactly 10 lookups, each broken-reference reason, temperror, the fix it
// names for each case, and its exact texts.
import { describe, expect, it } from 'vitest';
import type { DnsSnapshot } from './dns-observation.ts';
import { errorObs, nodataObs, okObs } from './fake-observations.ts';
import { checkSpf } from './spf-check.ts';

const IP = '91.98.35.3';
const base = { domain: 'MailGoat.ai.', ip: IP, expectedInclude: 'SPF.mailgoat.ai' };
const apex = (record: string, ...rest: DnsSnapshot): DnsSnapshot => [okObs('TXT', 'mailgoat.ai', [record]), ...rest];
const includeHost = (record = `v=spf1 ip4:${IP} ~all`) => okObs('TXT', 'spf.mailgoat.ai', [record]);
const BROKEN_FIX = (name: string, via: string) =>
  `Fix TXT ${name} (reached by ${via}) so it holds exactly one "v=spf1 …" record, or remove ${via} from the record that references it`;
const detail = (verdict: { evidence: { label: string; detail: unknown }[] }, label: string) =>
  verdict.evidence.find((e) => e.label.startsWith(label))?.detail;

describe('checkSpf lookup limit', () => {
  it('passes exactly 10 DNS-querying terms', async () => {
    const eight = Array.from({ length: 8 }, (_, i) => `a:h${i + 1}.example.net`).join(' ');
    const verdict = await checkSpf({
      ...base,
      snapshot: apex(
        'v=spf1 include:spf.mailgoat.ai include:big.example.net ~all',
        includeHost(),
        okObs('TXT', 'big.example.net', [`v=spf1 ${eight} ~all`]),
      ),
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(`SPF for mailgoat.ai passes for ${IP} (10/10 DNS-querying terms)`);
  });

  it('fails 11, naming every record with querying terms and the exact fix', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => `a:h${i + 1}.x`).join(' ');
    const verdict = await checkSpf({
      ...base,
      snapshot: apex('v=spf1 include:spf.mailgoat.ai include:big.x ~all', includeHost(), okObs('TXT', 'big.x', [`v=spf1 ${nine} ~all`])),
    });
    expect(verdict.summary).toBe('SPF for mailgoat.ai needs 11 DNS-querying terms, over the limit of 10 (permerror at receivers)');
    expect(verdict.remediation).toBe(
      `Cut the include/a/mx/ptr/exists/redirect terms to at most 10 — replace some with ip4:/ip6: ranges — in: mailgoat.ai (include:spf.mailgoat.ai include:big.x), big.x (${nine})`,
    );
  });
});

describe('checkSpf permerrors already explained', () => {
  it("explains too many lookups once, not again as mailauth's permerror", async () => {
    const hosts = Array.from({ length: 11 }, (_, i) => `h${i + 1}.x`);
    const verdict = await checkSpf({
      ...base,
      snapshot: apex(
        `v=spf1 ${hosts.map((h) => `a:${h}`).join(' ')} include:spf.mailgoat.ai ~all`,
        includeHost(),
        ...hosts.map((h) => okObs('A', h, ['192.0.2.1'])),
      ),
    });
    expect(detail(verdict, 'spf evaluation')).toMatchObject({ result: 'permerror' });
    expect(verdict.summary).toBe('SPF for mailgoat.ai needs 12 DNS-querying terms, over the limit of 10 (permerror at receivers)');
  });
});

describe('checkSpf broken references', () => {
  it('explains an include that cannot be resolved, and the temperror it causes', async () => {
    const verdict = await checkSpf({
      ...base,
      snapshot: apex('v=spf1 include:spf.mailgoat.ai ~all', errorObs('TXT', 'spf.mailgoat.ai', 'ETIMEOUT')),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'include:spf.mailgoat.ai could not be resolved (ETIMEOUT: no answer for TXT spf.mailgoat.ai from DNS server 127.0.0.53:53); SPF for mailgoat.ai could not be evaluated (temperror: error in processing during lookup of postmaster@mailgoat.ai: DNS timeout)',
    );
    expect(verdict.remediation).toBe(
      `${BROKEN_FIX('spf.mailgoat.ai', 'include:spf.mailgoat.ai')}; Make every name the SPF record references resolvable (see the record tree in the evidence), then re-run`,
    );
  });

  it('explains multiple records, a loop, an unobserved name and a nested-too-deep chain', async () => {
    const multiple = await checkSpf({
      ...base,
      snapshot: apex('v=spf1 include:spf.mailgoat.ai ~all', okObs('TXT', 'spf.mailgoat.ai', ['v=spf1 -all', 'v=spf1 ~all'])),
    });
    expect(multiple.summary).toBe('include:spf.mailgoat.ai has more than one SPF record');
    expect(multiple.remediation).toBe(BROKEN_FIX('spf.mailgoat.ai', 'include:spf.mailgoat.ai'));

    const loop = await checkSpf({
      ...base,
      snapshot: apex(`v=spf1 ip4:${IP} include:spf.mailgoat.ai ~all`, includeHost('v=spf1 include:mailgoat.ai ~all')),
    });
    expect(loop.summary).toBe('include:mailgoat.ai forms an include loop');

    const unseen = await checkSpf({ ...base, snapshot: apex(`v=spf1 include:spf.mailgoat.ai include:other.x ~all`, includeHost()) });
    expect(unseen.summary).toBe('include:other.x was not looked up');
    expect(unseen.remediation).toBe(BROKEN_FIX('other.x', 'include:other.x'));

    const chain = Array.from({ length: 12 }, (_, i) => okObs('TXT', `d${i + 1}.x`, [`v=spf1 redirect=d${i + 2}.x`]));
    const deep = await checkSpf({
      ...base,
      snapshot: apex(`v=spf1 ip4:${IP} include:spf.mailgoat.ai include:d1.x ~all`, includeHost(), ...chain),
    });
    expect(deep.summary).toBe(
      'SPF for mailgoat.ai needs 13 DNS-querying terms, over the limit of 10 (permerror at receivers); redirect=d12.x is nested too deep',
    );
  });

  it('tells an unrelated include without SPF from the expected one, which gets its record', async () => {
    const other = await checkSpf({
      ...base,
      snapshot: apex(`v=spf1 include:spf.mailgoat.ai include:other.x ~all`, includeHost(), nodataObs('TXT', 'other.x')),
    });
    expect(other.summary).toBe('include:other.x has no SPF record');
    expect(other.remediation).toBe(BROKEN_FIX('other.x', 'include:other.x'));
    const own = await checkSpf({ ...base, snapshot: apex('v=spf1 include:spf.mailgoat.ai ~all', nodataObs('TXT', 'spf.mailgoat.ai')) });
    expect(own.remediation).toBe(`Add TXT spf.mailgoat.ai "v=spf1 ip4:${IP} ~all"`);
    const multiple = await checkSpf({
      ...base,
      snapshot: apex('v=spf1 include:spf.mailgoat.ai ~all', okObs('TXT', 'spf.mailgoat.ai', ['v=spf1 -all', 'v=spf1 ~all'])),
    });
    expect(multiple.remediation).not.toMatch(/^Add TXT/);
  });
});

describe('checkSpf remediations', () => {
  it('names ip6: for an IPv6 sender', async () => {
    const verdict = await checkSpf({
      ...base,
      ip: '2001:db8::1',
      snapshot: apex('v=spf1 include:spf.mailgoat.ai ~all', includeHost('v=spf1 ~all')),
    });
    expect(verdict.summary).toBe('SPF for mailgoat.ai gives softfail for 2001:db8::1, not pass: receivers will not trust mail from it');
    expect(verdict.remediation).toBe('Set TXT spf.mailgoat.ai to "v=spf1 ip6:2001:db8::1 ~all"');
  });

  it('says to move the include when the include host already lists the IP (in any case)', async () => {
    const verdict = await checkSpf({
      ...base,
      snapshot: apex('v=spf1 -all include:spf.mailgoat.ai', includeHost(`v=spf1 IP4:${IP} ~all`)),
    });
    expect(verdict.summary).toBe(`SPF for mailgoat.ai gives fail for ${IP}, not pass: receivers will not trust mail from it`);
    expect(verdict.remediation).toBe(
      `TXT spf.mailgoat.ai already lists ip4:${IP}: move include:spf.mailgoat.ai in TXT mailgoat.ai before any term that matches first`,
    );
  });

  it('adds the include to the apex and the IP to the include host when both are missing', async () => {
    const verdict = await checkSpf({ ...base, snapshot: apex('v=spf1 include:other.x -all', okObs('TXT', 'other.x', ['v=spf1 -all'])) });
    expect(verdict.remediation).toBe(
      `Set TXT mailgoat.ai to "v=spf1 include:other.x include:spf.mailgoat.ai -all"; Add TXT spf.mailgoat.ai "v=spf1 ip4:${IP} ~all"`,
    );
  });

  it('reads the expected include in any case, and does not take include:<prefix> for it', async () => {
    expect((await checkSpf({ ...base, snapshot: apex('v=spf1 include:SPF.MailGoat.ai. ~all', includeHost()) })).outcome).toBe('pass');
    const prefixed = await checkSpf({
      ...base,
      snapshot: apex(`v=spf1 ip4:${IP} include:spf.mailgoat.ai.x ~all`, okObs('TXT', 'spf.mailgoat.ai.x', ['v=spf1 -all'])),
    });
    expect(prefixed.outcome).toBe('warn');
    expect(prefixed.summary).toBe(
      `SPF record of mailgoat.ai passes for ${IP} but does not include:spf.mailgoat.ai, which Postal's own domain check looks for`,
    );
    expect(prefixed.remediation).toBe(`Set TXT mailgoat.ai to "v=spf1 ip4:${IP} include:spf.mailgoat.ai.x include:spf.mailgoat.ai ~all"`);
    // "a:spf.mailgoat.ai" names the host but is no include.
    const aTerm = await checkSpf({
      ...base,
      snapshot: apex(`v=spf1 a:spf.mailgoat.ai ip4:${IP} ~all`, okObs('A', 'spf.mailgoat.ai', ['192.0.2.1'])),
    });
    expect(aTerm.outcome).toBe('warn');
  });

  it('rewrites an invalid record, quoting what is there now', async () => {
    const verdict = await checkSpf({ ...base, snapshot: apex('v=spf1 include:spf.mailgoat.ai foo:bar ~all', includeHost()) });
    expect(verdict.remediation).toBe(
      'Rewrite TXT mailgoat.ai as one valid record, e.g. "v=spf1 include:spf.mailgoat.ai ~all" (now "v=spf1 include:spf.mailgoat.ai foo:bar ~all")',
    );
    // Only mailauth's "<mta>: " prefix is cut from its comment.
    expect(verdict.summary).toBe(
      'SPF record of mailgoat.ai is invalid (mailauth permerror: permanent error in processing during lookup of postmaster@mailgoat.ai: Unknown mechanism foo)',
    );
  });

  it('explains two apex records once, not again as a permerror', async () => {
    const verdict = await checkSpf({
      ...base,
      snapshot: [okObs('TXT', 'mailgoat.ai', ['v=spf1 include:spf.mailgoat.ai ~all', `v=spf1 ip4:${IP} -all`]), includeHost()],
    });
    expect(verdict.summary).toBe('2 SPF records at mailgoat.ai: RFC 7208 makes that a permerror for every receiver');
    expect(verdict.remediation).toBe(
      'Delete all but one TXT starting "v=spf1" at mailgoat.ai, merging their terms into one, e.g. "v=spf1 include:spf.mailgoat.ai ~all"',
    );
    expect(verdict.observed).toBe(`"v=spf1 include:spf.mailgoat.ai ~all", "v=spf1 ip4:${IP} -all"`);
  });

  it('names +all with its exact fix', async () => {
    const verdict = await checkSpf({ ...base, snapshot: apex('v=spf1 include:spf.mailgoat.ai +all', includeHost()) });
    expect(verdict.summary).toBe('"+all" in the SPF record of mailgoat.ai authorises every host on the Internet to send as mailgoat.ai');
    expect(verdict.remediation).toBe('In TXT mailgoat.ai replace "+all" with "~all" (or "-all")');
  });
});

describe('checkSpf without a usable apex', () => {
  it('fails with exact texts when the apex TXT was never gathered, errored or has no SPF', async () => {
    expect(await checkSpf({ ...base, snapshot: [] })).toEqual({
      outcome: 'fail',
      summary: 'no TXT lookup of mailgoat.ai was recorded, so SPF cannot be judged',
      remediation: 'Gather TXT mailgoat.ai (gatherSpf) before checking',
      expected: `one TXT at mailgoat.ai "v=spf1 include:spf.mailgoat.ai ~all" (or equivalent) authorising ${IP}`,
      evidence: [],
    });
    const errored = await checkSpf({ ...base, snapshot: [errorObs('TXT', 'mailgoat.ai', 'EREFUSED')] });
    expect(errored.summary).toBe(
      'TXT mailgoat.ai could not be resolved by 127.0.0.53:53: EREFUSED: no answer for TXT mailgoat.ai from DNS server 127.0.0.53:53',
    );
    expect(errored.remediation).toBe('Make 127.0.0.53:53 answer TXT mailgoat.ai, then re-run');
    expect(errored.observed).toBe('error: EREFUSED: no answer for TXT mailgoat.ai from DNS server 127.0.0.53:53');
    const bare = await checkSpf({ ...base, snapshot: [{ name: 'mailgoat.ai', type: 'TXT', resolver: 'r', status: 'error', answers: [] }] });
    expect(bare.summary).toBe('TXT mailgoat.ai could not be resolved by r: query failed');
    const none = await checkSpf({ ...base, snapshot: [okObs('TXT', 'mailgoat.ai', ['google-site-verification=abc'])] });
    expect(none.summary).toBe('no SPF record (TXT starting "v=spf1") at mailgoat.ai: receivers get spf=none');
    expect(none.observed).toBe('"google-site-verification=abc"');
  });
});

describe('checkSpf evaluation', () => {
  it('evaluates the sender it is given, or postmaster@<helo> for an empty one', async () => {
    const snapshot = apex(
      'v=spf1 include:spf.mailgoat.ai ~all',
      includeHost(),
      okObs('TXT', 'mail.mailgoat.ai', [`v=spf1 ip4:${IP} -all`]),
    );
    const byHelo = await checkSpf({ ...base, sender: '', helo: 'mail.mailgoat.ai', snapshot });
    expect(detail(byHelo, 'spf evaluation')).toMatchObject({
      comment: `postal-qa: domain of postmaster@mail.mailgoat.ai designates ${IP} as permitted sender`,
    });
    const bySender = await checkSpf({ ...base, sender: 'ceo@mailgoat.ai', snapshot });
    expect(detail(bySender, 'spf evaluation')).toMatchObject({
      result: 'pass',
      comment: `postal-qa: domain of ceo@mailgoat.ai designates ${IP} as permitted sender`,
    });
    expect(detail(bySender, 'spf record tree')).toEqual({
      name: 'mailgoat.ai',
      via: 'apex',
      status: 'ok',
      record: 'v=spf1 include:spf.mailgoat.ai ~all',
      lookups: ['include:spf.mailgoat.ai'],
      children: [{ name: 'spf.mailgoat.ai', via: 'include:spf.mailgoat.ai', status: 'ok', record: `v=spf1 ip4:${IP} ~all`, lookups: [] }],
    });
    expect(detail(bySender, 'spf dns-querying terms')).toEqual({ count: 1, limit: 10, terms: ['mailgoat.ai: include:spf.mailgoat.ai'] });
    expect(bySender.evidence.map((e) => e.label)).toEqual([
      'TXT mailgoat.ai @ 127.0.0.53:53',
      'spf record tree',
      'spf dns-querying terms',
      'TXT spf.mailgoat.ai @ 127.0.0.53:53',
      `spf evaluation (mailauth) for ${IP}`,
    ]);
  });

  it('shows a broken node with its note in the record tree', async () => {
    const verdict = await checkSpf({
      ...base,
      snapshot: apex(
        `v=spf1 ip4:${IP} include:spf.mailgoat.ai include:two.x ~all`,
        includeHost(),
        okObs('TXT', 'two.x', ['v=spf1 -all', 'v=spf1 ~all']),
      ),
    });
    expect(detail(verdict, 'spf record tree')).toMatchObject({
      children: [
        expect.anything(),
        { name: 'two.x', via: 'include:two.x', status: 'multiple', lookups: [], note: 'v=spf1 -all | v=spf1 ~all' },
      ],
    });
  });
});
