import { describe, expect, it } from 'vitest';
import { dkimDomainOf, parseAuthenticationResults } from './authentication-results-header.ts';

describe('parseAuthenticationResults', () => {
  it('reads a Gmail-style header with comments, folding and several dkim results', () => {
    const parsed = parseAuthenticationResults(
      'Authentication-Results: mx.gmail.test;\r\n' +
        '       dkim=pass header.i=@mailgoat.ai header.s=qpMdyI header.b=AbC123;\r\n' +
        '       dkim=pass header.i=@rp.postal.example header.s=postal header.b=XyZ;\r\n' +
        '       spf=pass (gmail.test: domain of abc@psrp.mailgoat.ai designates 91.98.35.3 as permitted sender; really) smtp.mailfrom=abc@psrp.mailgoat.ai;\r\n' +
        '       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=mailgoat.ai',
    );
    expect(parsed.authservId).toBe('mx.gmail.test');
    expect(parsed.results.map((r) => `${r.method}=${r.result}`)).toEqual(['dkim=pass', 'dkim=pass', 'spf=pass', 'dmarc=pass']);
    expect(parsed.results[2]?.properties['smtp.mailfrom']).toBe('abc@psrp.mailgoat.ai');
    expect(parsed.results[3]?.properties['header.from']).toBe('mailgoat.ai');
    expect(parsed.results.map((r) => (r.method === 'dkim' ? dkimDomainOf(r) : undefined))).toEqual([
      'mailgoat.ai',
      'rp.postal.example',
      undefined,
      undefined,
    ]);
  });

  it('reads mailauth-style headers, nested comments, spaces around "=", quoted reasons, versions', () => {
    const parsed = parseAuthenticationResults(
      'outlook.test 1; spf = softfail (outlook.test: (nested; comment) transitioning) smtp.mailfrom=x@y.test; dkim/1=fail reason="signature; verification failed" header.d=Y.test header.s=s1; dmarc=fail header.from=y.test',
    );
    expect(parsed.authservId).toBe('outlook.test');
    expect(parsed.results).toEqual([
      { method: 'spf', result: 'softfail', properties: { 'smtp.mailfrom': 'x@y.test' } },
      { method: 'dkim', result: 'fail', reason: 'signature; verification failed', properties: { 'header.d': 'Y.test', 'header.s': 's1' } },
      { method: 'dmarc', result: 'fail', properties: { 'header.from': 'y.test' } },
    ]);
    expect(dkimDomainOf(parsed.results[1]!)).toBe('y.test');
  });

  it('gives no results for "none" or garbage', () => {
    expect(parseAuthenticationResults('mx.example; none').results).toEqual([]);
    expect(parseAuthenticationResults('').results).toEqual([]);
  });
});
