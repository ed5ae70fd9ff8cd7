// The shared readers: tag lists, Authentication-Results headers, the replay resolver's shapes and
// errors, DNS names, and the findings → verdict helpers.
import { describe, expect, it } from 'vitest';
import { dkimDomainOf, parseAuthenticationResults } from './authentication-results-header.ts';
import { findObservation, normaliseName } from './dns-observation.ts';
import { errorObs, nodataObs, nxObs, okObs } from './fake-observations.ts';
import { describeObservation, fail, observationEvidence, resolverErrorFinding, verdictFrom, warn } from './findings.ts';
import { answerFromObservation, dnsError, isDnsRecordType, parseMxAnswer, RECORD_TYPES, replayResolver } from './replay-resolver.ts';
import { parseTagList } from './tag-list.ts';

describe('parseTagList', () => {
  it('reads tags, lower-casing names and trimming values, keeping the first of a repeat', () => {
    expect(parseTagList(' V=DKIM1 ; k = rsa;p=a=b; K=dsa ;')).toEqual({
      tags: [
        { name: 'v', value: 'DKIM1' },
        { name: 'k', value: 'rsa' },
        { name: 'p', value: 'a=b' },
        { name: 'k', value: 'dsa' },
      ],
      byName: new Map([
        ['v', 'DKIM1'],
        ['k', 'rsa'],
        ['p', 'a=b'],
      ]),
      problems: ['tag "k" appears more than once'],
    });
  });

  it('reports an empty tag (not a trailing one), a segment without "=", and bad names', () => {
    expect(parseTagList('a=1;;b=2; ;').problems).toEqual(['empty tag (";;")', 'empty tag (";;")']);
    expect(parseTagList('a=1;').problems).toEqual([]);
    expect(parseTagList('junk; =x; 1a=2; a-b=3; a_1=4').problems).toEqual([
      '"junk" is not a tag=value pair',
      '"" is not a valid tag name',
      '"1a" is not a valid tag name',
      '"a-b" is not a valid tag name',
    ]);
    expect(parseTagList('x a=1').problems).toEqual(['"x a" is not a valid tag name']);
    expect(parseTagList('').tags).toEqual([]);
  });
});

describe('parseAuthenticationResults', () => {
  it('reads escapes in quotes and comments, folded lines, and unquotes values', () => {
    const parsed = parseAuthenticationResults(
      'Authentication-Results : mx.test (c\\) still comment; x=y);\r\n\tspf=pass reason="a \\"b\\" c" smtp.mailfrom="x@y.test" ;dkim="FAIL" header.d=a.test bad =x noeq',
    );
    expect(parsed).toEqual({
      authservId: 'mx.test',
      results: [
        { method: 'spf', result: 'pass', reason: 'a "b" c', properties: { 'smtp.mailfrom': 'x@y.test' } },
        { method: 'dkim', result: 'fail', properties: { 'header.d': 'a.test', bad: 'x' } },
      ],
    });
  });

  it('keeps a ")" outside any comment, and parentheses inside quotes', () => {
    const parsed = parseAuthenticationResults('mx.test; spf=pass reason="(not a comment)" x=a) y=b');
    expect(parsed.results[0]).toEqual({ method: 'spf', result: 'pass', reason: '(not a comment)', properties: { x: 'a)', y: 'b' } });
    expect(parseAuthenticationResults('mx.test; spf=pass (c (nested) c) x=1').results[0]?.properties).toEqual({ x: '1' });
    expect(parseAuthenticationResults('mx.test; spf=pass reason="\\\\"').results[0]?.reason).toBe('\\');
    expect(parseAuthenticationResults('mx.test; spf=pass reason="').results[0]?.reason).toBe('"');
  });

  it('skips what is not method=result, and reads an empty header', () => {
    expect(parseAuthenticationResults('mx.test; none; =pass; spf; a.b=c').results).toEqual([]);
    expect(parseAuthenticationResults('   ')).toEqual({ authservId: '', results: [] });
    expect(parseAuthenticationResults('mx.test 1; iprev=pass').authservId).toBe('mx.test');
  });

  it('finds the DKIM domain in header.d, else in header.i', () => {
    const entry = (properties: Record<string, string>) => ({ method: 'dkim', result: 'pass', properties });
    expect(dkimDomainOf(entry({ 'header.d': 'A.test', 'header.i': '@b.test' }))).toBe('a.test');
    expect(dkimDomainOf(entry({ 'header.i': 'user@Sub.B.test' }))).toBe('sub.b.test');
    expect(dkimDomainOf(entry({ 'header.i': 'B.test' }))).toBe('b.test');
    expect(dkimDomainOf(entry({ 'header.i': 'user@' }))).toBeUndefined();
    expect(dkimDomainOf(entry({}))).toBeUndefined();
  });
});

describe('replay resolver', () => {
  it('parses MX answers, and keeps an unreadable one as a name', () => {
    expect(parseMxAnswer(' 10  Mail.X. ')).toEqual({ priority: 10, exchange: 'mail.x' });
    expect(parseMxAnswer('mail.x')).toEqual({ priority: Number.NaN, exchange: 'mail.x' });
    expect(parseMxAnswer('10 a b')).toEqual({ priority: Number.NaN, exchange: '10 a b' });
  });

  it("makes errors like node's resolver", () => {
    expect(dnsError('ENOTFOUND', 'x.test', 'TXT')).toMatchObject({
      message: 'queryTxt ENOTFOUND x.test',
      code: 'ENOTFOUND',
      hostname: 'x.test',
      syscall: 'queryTxt',
    });
    expect(dnsError('ENODATA', 'x.test', 'SRV', 'custom')).toMatchObject({ message: 'custom', syscall: 'querySRV' });
    expect(RECORD_TYPES.map((t) => dnsError('E', 'n', t).syscall)).toEqual([
      'queryA',
      'queryAaaa',
      'queryMx',
      'queryTxt',
      'queryCname',
      'queryPtr',
      'queryNs',
    ]);
    expect([isDnsRecordType('MX'), isDnsRecordType('SRV'), isDnsRecordType('mx')]).toEqual([true, false, false]);
  });

  it('turns each status into an answer or the matching error', () => {
    expect(answerFromObservation(okObs('PTR', 'r', ['a.x', 'b.x']))).toEqual(['a.x', 'b.x']);
    expect(() => answerFromObservation(okObs('A', 'a.x', []))).toThrow('queryA ENODATA a.x');
    expect(() => answerFromObservation(nxObs('A', 'a.x'))).toThrow('queryA ENOTFOUND a.x');
    expect(() => answerFromObservation(nodataObs('MX', 'a.x'))).toThrow('queryMx ENODATA a.x');
    expect(() => answerFromObservation(errorObs('TXT', 'a.x', 'EREFUSED'))).toThrow(
      'EREFUSED: no answer for TXT a.x from DNS server 127.0.0.53:53',
    );
    const bare = { name: 'a.x', type: 'TXT' as const, resolver: 'r', status: 'error' as const, answers: [] };
    expect(() => answerFromObservation(bare)).toThrow('queryTxt ESERVFAIL a.x');
    expect(() => answerFromObservation({ ...bare, error: 'EAB failed, ENOTIMP' })).toThrow(expect.objectContaining({ code: 'ENOTIMP' }));
    expect(() => answerFromObservation({ ...bare, error: 'xETIMEOUT' })).toThrow(expect.objectContaining({ code: 'ESERVFAIL' }));
  });

  it('answers the last observation of a repeated question, and ENOTFOUND for a name only known as NXDOMAIN', async () => {
    const resolve = replayResolver([okObs('A', 'a.x', ['1.1.1.1']), okObs('A', 'a.x', ['2.2.2.2']), nxObs('A', 'gone.x')]);
    expect(await resolve('a.x', 'a')).toEqual(['2.2.2.2']);
    await expect(resolve('gone.x', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND', hostname: 'gone.x', syscall: 'queryTxt' });
    await expect(resolve('A.X.', 'MX')).rejects.toMatchObject({ code: 'ENODATA', hostname: 'a.x' });
  });
});

describe('DNS names', () => {
  it('normalises case, space and one trailing dot, and finds by type and name', () => {
    expect(normaliseName('  Mail.X.  ')).toBe('mail.x');
    expect(normaliseName('x..')).toBe('x.');
    const snapshot = [okObs('A', 'Mail.X.', ['1']), okObs('TXT', 'mail.x', ['t'])];
    expect(findObservation(snapshot, 'MAIL.x', 'TXT')?.answers).toEqual(['t']);
    expect(findObservation(snapshot, 'mail.x', 'A')?.answers).toEqual(['1']);
    expect(findObservation(snapshot, 'mail.x', 'MX')).toBeUndefined();
  });
});

describe('findings helpers', () => {
  it('orders fails before warns, de-duplicates remediations and drops empty ones', () => {
    expect(
      verdictFrom({
        findings: [warn('w1', 'fix w'), fail('f1', 'fix f'), fail('f2', ''), warn('w2', 'fix w')],
        passSummary: 'ok',
        expected: 'e',
        observed: 'o',
        evidence: [],
      }),
    ).toEqual({ outcome: 'fail', summary: 'f1; f2; w1; w2', expected: 'e', observed: 'o', evidence: [], remediation: 'fix f; fix w' });
    expect(verdictFrom({ findings: [warn('w', 'x')], passSummary: 'ok', evidence: [] })).toEqual({
      outcome: 'warn',
      summary: 'w',
      evidence: [],
      remediation: 'x',
    });
    expect(verdictFrom({ findings: [], passSummary: 'ok', evidence: [] })).toEqual({ outcome: 'pass', summary: 'ok', evidence: [] });
  });

  it('describes observations in one line', () => {
    expect(describeObservation(okObs('TXT', 'x', ['a', 'b']))).toBe('"a", "b"');
    expect(describeObservation(okObs('A', 'x', ['1', '2']))).toBe('1, 2');
    expect(describeObservation(nxObs('A', 'x'))).toBe('NXDOMAIN (x does not exist)');
    expect(describeObservation(nodataObs('MX', 'x'))).toBe('no MX records at x');
    expect(describeObservation(errorObs('A', 'x', 'EREFUSED'))).toBe('error: EREFUSED: no answer for A x from DNS server 127.0.0.53:53');
    expect(describeObservation({ name: 'x', type: 'A', resolver: 'r', status: 'error', answers: [] })).toBe('error: query failed');
  });

  it('shows the question, resolver and answer as evidence, and a resolver error as a finding', () => {
    expect(observationEvidence(errorObs('A', 'x', 'E1', 'r'))).toEqual({
      label: 'A x @ r',
      detail: { name: 'x', type: 'A', resolver: 'r', status: 'error', answers: [], error: 'E1: no answer for A x from DNS server r' },
    });
    expect(resolverErrorFinding({ name: 'x', type: 'MX', resolver: 'r', status: 'error', answers: [] })).toEqual({
      outcome: 'fail',
      summary: 'MX x could not be resolved by r: query failed',
      remediation: 'Make r answer MX x (check the server is up and authoritative zones are loaded), then re-run',
    });
  });
});
