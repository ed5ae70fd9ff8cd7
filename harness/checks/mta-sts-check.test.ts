import { describe, expect, it } from 'vitest';
import type { DnsObservation } from './dns-observation.ts';
import { checkMtaSts, mxPatternMatches, parseMtaStsPolicy, type MtaStsInput } from './mta-sts-check.ts';

const txt = (answers: string[], status: DnsObservation['status'] = answers.length ? 'ok' : 'nxdomain'): DnsObservation => ({
  name: '_mta-sts.mailgoat.ai',
  type: 'TXT',
  resolver: 'ns1',
  status,
  answers,
});
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mail.mailgoat.ai\r\nmax_age: 604800\r\n';
const URL = 'https://mta-sts.mailgoat.ai/.well-known/mta-sts.txt';
const input = (over: Partial<MtaStsInput> = {}): MtaStsInput => ({
  domain: 'mailgoat.ai',
  txt: txt(['v=STSv1; id=20261206']),
  mxHosts: ['mail.mailgoat.ai'],
  policy: { url: URL, status: 200, body: POLICY },
  ...over,
});

describe('checkMtaSts', () => {
  it('passes a published policy that lists every MX', () => {
    const verdict = checkMtaSts(input());
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('MTA-STS published for mailgoat.ai: mode enforce, mx mail.mailgoat.ai, max_age 604800');
  });

  it('warns when nothing is published (advisory), with how to publish', () => {
    const verdict = checkMtaSts(input({ txt: txt([]), policy: undefined }));
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/^no MTA-STS policy is published for mailgoat\.ai/);
    expect(verdict.remediation).toMatch(/mode: testing.*id=<yyyymmddNN>/);
    expect(checkMtaSts(input({ txt: txt(['v=spf1 -all']), policy: undefined })).outcome).toBe('warn');
    expect(checkMtaSts(input({ txt: { ...txt([]), status: 'error', error: 'timeout' }, policy: undefined })).summary).toMatch(
      /could not be read: timeout/,
    );
  });

  it('fails a published policy that does not list the MX in enforce mode, and only warns in testing mode', () => {
    const enforce = checkMtaSts(input({ policy: { url: URL, status: 200, body: POLICY.replace('mail.mailgoat.ai', 'mx.old.example') } }));
    expect(enforce.outcome).toBe('fail');
    expect(enforce.summary).toBe(
      'the MTA-STS policy of mailgoat.ai is in enforce mode but does not list its MX mail.mailgoat.ai (it lists mx.old.example): senders that honour MTA-STS refuse to deliver',
    );
    const testing = checkMtaSts(
      input({
        policy: { url: URL, status: 200, body: POLICY.replace('mail.mailgoat.ai', 'mx.old.example').replace('enforce', 'testing') },
      }),
    );
    expect(testing.outcome).toBe('warn');
  });

  it('fails a policy that cannot be fetched or is malformed, and a TXT record without an id or twice', () => {
    expect(checkMtaSts(input({ policy: { url: URL, status: 404, body: 'Not Found' } })).summary).toBe(
      `MTA-STS is published for mailgoat.ai but its policy cannot be fetched from ${URL}: HTTP 404`,
    );
    expect(checkMtaSts(input({ policy: { url: URL, error: 'CERT_HAS_EXPIRED' } })).summary).toMatch(
      /cannot be fetched .*: CERT_HAS_EXPIRED$/,
    );
    expect(
      checkMtaSts(input({ policy: { url: URL, status: 200, body: 'mode: enforce\nmx: mail.mailgoat.ai\nmax_age: x\n' } })).summary,
    ).toBe(`the MTA-STS policy at ${URL} is malformed: version is missing, not STSv1; max_age is missing or not 0–31557600`);
    expect(checkMtaSts(input({ policy: { url: URL, status: 200, body: POLICY.replace('enforce', 'strict') } })).summary).toMatch(
      /malformed: mode is strict/,
    );
    expect(checkMtaSts(input({ txt: txt(['v=STSv1;']) })).summary).toMatch(/has no valid id=/);
    expect(checkMtaSts(input({ txt: txt(['v=STSv1; id=1', 'v=STSv1; id=2']) })).summary).toBe(
      '2 MTA-STS records at _mta-sts.mailgoat.ai: senders ignore them all',
    );
  });

  it('warns mode none and a short max_age', () => {
    expect(checkMtaSts(input({ policy: { url: URL, status: 200, body: POLICY.replace('enforce', 'none') } })).summary).toMatch(
      /"mode: none" \(withdrawn\)/,
    );
    expect(checkMtaSts(input({ policy: { url: URL, status: 200, body: POLICY.replace('604800', '3600') } })).summary).toBe(
      'the MTA-STS max_age is 3600 s: RFC 8461 advises weeks (604800 or more)',
    );
  });

  it('reads policies and matches mx patterns as RFC 8461 does', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmx: A.example\nmx: *.b.example\nmax_age: 10\n')).toEqual({
      version: 'STSv1',
      mx: ['a.example', '*.b.example'],
      maxAge: 10,
    });
    expect(mxPatternMatches('*.mailgoat.ai', 'mail.mailgoat.ai')).toBe(true);
    expect(mxPatternMatches('*.mailgoat.ai', 'a.mail.mailgoat.ai')).toBe(false);
    expect(mxPatternMatches('*.mailgoat.ai', 'mailgoat.ai')).toBe(false);
    expect(mxPatternMatches('mail.mailgoat.ai.', 'MAIL.mailgoat.ai')).toBe(true);
  });
});
