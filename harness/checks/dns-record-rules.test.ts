// A, MX and PTR checks: exact findings and fixes for each case, and the evidence they keep.
import { describe, expect, it } from 'vitest';
import { checkA } from './a-record-check.ts';
import { errorObs, nodataObs, nxObs, okObs } from './fake-observations.ts';
import { checkMx } from './mx-check.ts';
import { checkPtr } from './ptr-check.ts';

const IP = '91.98.35.3';
const HOST = 'mail.mailgoat.ai';

describe('checkA', () => {
  const a = (answers: string[], over: { remediationIp?: string } = {}) =>
    checkA({ host: 'Mail.MailGoat.ai.', observation: okObs('A', HOST, answers), expectedIp: IP, ...over });

  it('passes with exact texts and evidence', () => {
    expect(a([IP])).toEqual({
      outcome: 'pass',
      summary: `A ${HOST} ${IP}`,
      expected: `A ${HOST} ${IP}`,
      observed: IP,
      evidence: [
        { label: `A ${HOST} @ 127.0.0.53:53`, detail: { name: HOST, type: 'A', resolver: '127.0.0.53:53', status: 'ok', answers: [IP] } },
      ],
    });
  });

  it('fails a missing or wrong address, naming the remediation IP', () => {
    const wrong = a(['10.0.0.1', '10.0.0.2'], { remediationIp: '203.0.113.9' });
    expect(wrong.summary).toBe(`${HOST} resolves to 10.0.0.1, 10.0.0.2, not ${IP}`);
    expect(wrong.remediation).toBe(`Set A ${HOST} to 203.0.113.9 (replacing 10.0.0.1, 10.0.0.2)`);
    const none = checkA({ host: HOST, observation: nodataObs('A', HOST), expectedIp: IP });
    expect(none.summary).toBe(`${HOST} has no A record`);
    expect(none.remediation).toBe(`Add A ${HOST} ${IP}`);
    expect(checkA({ host: HOST, observation: okObs('A', HOST, []), expectedIp: IP }).summary).toBe(`${HOST} has no A record`);
  });

  it('warns on each extra address', () => {
    const verdict = a(['10.0.0.1', IP, '10.0.0.2']);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      `${HOST} also resolves to 10.0.0.1: some clients will reach that address instead of ${IP}; ${HOST} also resolves to 10.0.0.2: some clients will reach that address instead of ${IP}`,
    );
    expect(verdict.remediation).toBe(`Remove A ${HOST} 10.0.0.1; Remove A ${HOST} 10.0.0.2`);
  });

  it('fails an observation of another name or type, and a resolver error', () => {
    const other = checkA({ host: HOST, observation: okObs('A', 'x.mailgoat.ai', [IP]), expectedIp: IP });
    expect(other.summary).toBe(`the observation is A x.mailgoat.ai, not A ${HOST}`);
    expect(other.remediation).toBe(`Look up A ${HOST} and check that`);
    expect(checkA({ host: HOST, observation: okObs('AAAA', HOST, ['::1']), expectedIp: IP }).outcome).toBe('fail');
    const err = checkA({ host: HOST, observation: errorObs('A', HOST), expectedIp: IP });
    expect(err.summary).toBe(
      `A ${HOST} could not be resolved by 127.0.0.53:53: ETIMEOUT: no answer for A ${HOST} from DNS server 127.0.0.53:53`,
    );
    expect(err.remediation).toBe(
      `Make 127.0.0.53:53 answer A ${HOST} (check the server is up and authoritative zones are loaded), then re-run`,
    );
  });
});

describe('checkMx', () => {
  const expected = [{ priority: 10, host: 'Mail.MailGoat.ai.' }];
  const mx = (answers: string[]) => checkMx({ domain: 'mailgoat.ai', observation: okObs('MX', 'mailgoat.ai', answers), expected });

  it('passes with exact texts', () => {
    expect(mx(['10 mail.mailgoat.ai.'])).toMatchObject({
      outcome: 'pass',
      summary: 'MX mailgoat.ai: 10 mail.mailgoat.ai',
      expected: 'MX mailgoat.ai 10 mail.mailgoat.ai',
      observed: '10 mail.mailgoat.ai.',
    });
    expect(
      checkMx({
        domain: 'mailgoat.ai',
        observation: okObs('MX', 'mailgoat.ai', ['10 a.x', '20 b.x']),
        expected: [
          { priority: 10, host: 'a.x' },
          { priority: 20, host: 'b.x' },
        ],
      }).expected,
    ).toBe('MX mailgoat.ai 10 a.x, MX mailgoat.ai 20 b.x');
  });

  it('fails a missing host and a wrong priority, with exact fixes', () => {
    const missing = checkMx({ domain: 'mailgoat.ai', observation: nxObs('MX', 'mailgoat.ai'), expected });
    expect(missing.summary).toBe(`${HOST} is not an MX of mailgoat.ai: mail for mailgoat.ai does not reach it`);
    expect(missing.remediation).toBe(`Add MX mailgoat.ai 10 ${HOST}`);
    const priority = mx([`20 ${HOST}`, `30 ${HOST}`]);
    expect(priority.summary).toBe(`MX mailgoat.ai → ${HOST} has priority 20/30, expected 10`);
    expect(priority.remediation).toBe(`Change MX mailgoat.ai 20/30 ${HOST} to MX mailgoat.ai 10 ${HOST}`);
    expect(mx([`20 ${HOST}`, `10 ${HOST}`]).outcome).toBe('pass');
  });

  it('warns on an MX the deployment does not know', () => {
    const verdict = mx([`10 ${HOST}`, '5 other.example']);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      'MX mailgoat.ai also lists other.example (priority 5), which the deployment does not know: some mail may go there',
    );
    expect(verdict.remediation).toBe('Remove MX mailgoat.ai 5 other.example (or add it to dns.mx in the deployment file)');
  });

  it('fails an observation of another name or type, and a resolver error', () => {
    const other = checkMx({ domain: 'mailgoat.ai', observation: okObs('MX', 'x.ai', []), expected });
    expect(other.summary).toBe('the observation is MX x.ai, not MX mailgoat.ai');
    expect(other.remediation).toBe('Look up MX mailgoat.ai and check that');
    expect(checkMx({ domain: 'mailgoat.ai', observation: okObs('TXT', 'mailgoat.ai', []), expected }).outcome).toBe('fail');
    expect(checkMx({ domain: 'mailgoat.ai', observation: errorObs('MX', 'mailgoat.ai'), expected }).summary).toMatch(
      /^MX mailgoat\.ai could not be resolved/,
    );
  });
});

describe('checkPtr', () => {
  const REV = '3.35.98.91.in-addr.arpa';
  const base = {
    ip: IP,
    ptrObservation: okObs('PTR', REV, ['Mail.MailGoat.ai.']),
    forwardObservations: [okObs('A', HOST, [IP])],
    expectedHost: HOST,
  };
  const ASK = `Ask the hosting provider to set the PTR of ${IP} to ${HOST}`;

  it('passes with exact texts and evidence', () => {
    expect(checkPtr({ ...base, heloHost: 'MAIL.mailgoat.ai' })).toEqual({
      outcome: 'pass',
      summary: `${IP} ↔ ${HOST} (forward-confirmed)`,
      expected: `PTR ${IP} → ${HOST}, A ${HOST} ${IP}, HELO ${HOST}`,
      observed: 'Mail.MailGoat.ai.',
      evidence: [
        {
          label: `PTR ${REV} @ 127.0.0.53:53`,
          detail: { name: REV, type: 'PTR', resolver: '127.0.0.53:53', status: 'ok', answers: ['Mail.MailGoat.ai.'] },
        },
        { label: `A ${HOST} @ 127.0.0.53:53`, detail: { name: HOST, type: 'A', resolver: '127.0.0.53:53', status: 'ok', answers: [IP] } },
        { label: 'helo', detail: { helo: HOST, ptr: HOST } },
      ],
    });
    expect(checkPtr(base).expected).toBe(`PTR ${IP} → ${HOST}, A ${HOST} ${IP}`);
  });

  it('fails no PTR, several PTR names, and the wrong one, with exact fixes', () => {
    const none = checkPtr({ ...base, ptrObservation: nxObs('PTR', REV) });
    expect(none.summary).toBe(`${IP} has no PTR record: many receivers refuse or junk mail from it`);
    expect(none.remediation).toBe(ASK);
    expect(checkPtr({ ...base, ptrObservation: okObs('PTR', REV, []), remediationIp: '203.0.113.9' }).remediation).toBe(
      `Ask the hosting provider to set the PTR of 203.0.113.9 to ${HOST}`,
    );
    const several = checkPtr({ ...base, ptrObservation: okObs('PTR', REV, [HOST, 'other.example']) });
    expect(several.summary).toBe(`${IP} has 2 PTR names (${HOST}, other.example); it must have exactly one`);
    expect(several.remediation).toBe(`${ASK}, and remove the others`);
    const wrong = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['static.example']),
      forwardObservations: [okObs('A', 'static.example', [IP])],
    });
    expect(wrong.summary).toBe(`the PTR of ${IP} is static.example, not ${HOST}`);
    expect(wrong.remediation).toBe(ASK);
  });

  it('fails when the PTR name is not forward-confirmed, saying what it resolves to', () => {
    const unseen = checkPtr({ ...base, forwardObservations: [] });
    expect(unseen.summary).toBe(`no A lookup of ${HOST} was observed, so the PTR cannot be forward-confirmed`);
    expect(unseen.remediation).toBe(`Look up A ${HOST} and check again`);
    const elsewhere = checkPtr({
      ...base,
      forwardObservations: [okObs('A', HOST, ['10.0.0.1', '10.0.0.2'])],
      remediationIp: '203.0.113.9',
    });
    expect(elsewhere.summary).toBe(
      `the PTR name ${HOST} resolves to 10.0.0.1, 10.0.0.2, not back to ${IP}: reverse DNS is not forward-confirmed`,
    );
    expect(elsewhere.remediation).toBe(`Add A ${HOST} 203.0.113.9`);
    expect(checkPtr({ ...base, forwardObservations: [nxObs('A', HOST)] }).summary).toBe(
      `the PTR name ${HOST} does not resolve, not back to ${IP}: reverse DNS is not forward-confirmed`,
    );
    expect(checkPtr({ ...base, forwardObservations: [errorObs('A', HOST)] }).summary).toMatch(
      /^A mail\.mailgoat\.ai could not be resolved by /,
    );
  });

  it('warns when HELO names another host', () => {
    const verdict = checkPtr({ ...base, heloHost: 'postal.example.' });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(`the server says HELO postal.example but ${IP} reverses to ${HOST}`);
    expect(verdict.remediation).toBe(`Set Postal's dns.helo_hostname to ${HOST} (and the PTR of ${IP} to ${HOST})`);
  });

  it('fails a lookup that is not PTR, and a resolver error', () => {
    const other = checkPtr({ ...base, ptrObservation: okObs('A', HOST, [IP]) });
    expect(other.summary).toBe(`the observation is A ${HOST}, not a PTR lookup of ${IP}`);
    expect(other.remediation).toBe(`Look up PTR of ${IP} and check that`);
    expect(checkPtr({ ...base, ptrObservation: errorObs('PTR', REV) }).summary).toMatch(
      /^PTR 3\.35\.98\.91\.in-addr\.arpa could not be resolved/,
    );
  });
});
