import { describe, expect, it } from 'vitest';
import type { DnsObservation } from './dns-observation.ts';
import { checkCaa } from './caa-check.ts';

const obs = (name: string, answers: string[], status: DnsObservation['status'] = answers.length ? 'ok' : 'nodata'): DnsObservation => ({
  name,
  type: 'CAA',
  resolver: 'ns1',
  status,
  answers,
});
const run = (...observations: DnsObservation[]) => checkCaa({ host: 'postal.mailgoat.ai', observations });

describe('checkCaa', () => {
  it('passes CAA naming a CA, found at the host or a parent', () => {
    const verdict = run(
      obs('postal.mailgoat.ai', []),
      obs('mailgoat.ai', ['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@mailgoat.ai"']),
    );
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('CAA at mailgoat.ai: issue letsencrypt.org');
    expect(run(obs('postal.mailgoat.ai', ['0 iodef "mailto:a@b.example"'])).summary).toBe(
      'CAA at postal.mailgoat.ai: no issue tag (any CA)',
    );
  });

  it('warns when there is none, and when it could not be read', () => {
    const none = run(obs('postal.mailgoat.ai', []), obs('mailgoat.ai', [], 'nxdomain'));
    expect(none.outcome).toBe('warn');
    expect(none.summary).toBe('no CAA record for postal.mailgoat.ai or its parents: any CA may issue a certificate for it');
    expect(none.remediation).toMatch(/^Publish CAA at mailgoat\.ai .*letsencrypt\.org/);
    expect(run({ ...obs('postal.mailgoat.ai', []), status: 'error', error: 'timeout' }).summary).toMatch(/could not be read: timeout/);
  });

  it('fails records that let no CA issue: issue ";" alone, or an unknown critical tag', () => {
    const none = run(obs('mailgoat.ai', ['0 issue ";"']));
    expect(none.outcome).toBe('fail');
    expect(none.summary).toMatch(/^the CAA records at mailgoat\.ai allow no CA to issue \(issue ";"\): the next automatic renewal/);
    expect(run(obs('mailgoat.ai', ['0 issue ";"', '0 issue "letsencrypt.org"'])).outcome).toBe('pass');
    expect(run(obs('mailgoat.ai', ['128 tbs "x"', '0 issue "letsencrypt.org"'])).summary).toMatch(/critical tag no CA knows \(tbs\)/);
    expect(run(obs('mailgoat.ai', ['0 tbs "x"', '0 issue "letsencrypt.org"'])).outcome).toBe('pass');
  });
});
