import { describe, expect, it } from 'vitest';
import { checkOpenRelay, type RelayAttempt } from './open-relay-check.ts';

const refused = (to: string): RelayAttempt => ({ from: 'spammer@example.net', to, stage: 'rcpt', code: 530, reply: 'Authentication required' });
const at = (code: number, stage: RelayAttempt['stage'] = 'rcpt'): RelayAttempt => ({ ...refused('a@gmail.test'), stage, code, reply: 'reply' });
const outcomeFor = (code: number, stage: RelayAttempt['stage'] = 'rcpt') => checkOpenRelay({ attempts: [at(code, stage)] }).outcome;

const RELAY_FIX =
  'Postal relays only for authenticated clients and SMTP-IP credentials: remove any SMTP-IP credential that covers the tester (e.g. 0.0.0.0/0), and make sure no other MTA (Postfix, a proxy) answers on port 25';

describe('checkOpenRelay', () => {
  it('passes when every attempt is refused at RCPT with 5xx, with its evidence', () => {
    const verdict = checkOpenRelay({ attempts: [refused('victim@gmail.test'), { ...refused('victim@outlook.test'), code: 550, reply: 'relay denied token=hunter22' }] });
    expect(verdict).toEqual({
      outcome: 'pass',
      summary: '2 relay attempts refused at RCPT TO (530, 550)',
      expected: 'every unauthenticated outside → outside attempt refused at RCPT TO with 5xx',
      observed: 'RCPT 530, RCPT 550',
      evidence: [
        { label: 'relay spammer@example.net → victim@gmail.test', detail: { from: 'spammer@example.net', to: 'victim@gmail.test', stage: 'rcpt', code: 530, reply: 'Authentication required' } },
        // A reply is quoted scrubbed: whatever secret it echoes never reaches the report.
        { label: 'relay spammer@example.net → victim@outlook.test', detail: { from: 'spammer@example.net', to: 'victim@outlook.test', stage: 'rcpt', code: 550, reply: 'relay denied token=[masked:20d2fe5e]' } },
      ],
    });
  });

  it('says "attempt" for one and lists each reply code once', () => {
    expect(checkOpenRelay({ attempts: [refused('a@gmail.test')] }).summary).toBe('1 relay attempt refused at RCPT TO (530)');
    expect(checkOpenRelay({ attempts: [refused('a@gmail.test'), refused('b@gmail.test')] }).summary).toBe('2 relay attempts refused at RCPT TO (530)');
  });

  it('fails on an accepted relay, quoting the trimmed reply, with the exact fix', () => {
    const verdict = checkOpenRelay({ attempts: [refused('a@gmail.test'), { from: 'spammer@example.net', to: 'b@outlook.test', stage: 'data', code: 250, reply: ' OK queued \n' }] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('open relay: spammer@example.net → b@outlook.test was accepted at DATA (250 OK queued)');
    expect(verdict.remediation).toBe(RELAY_FIX);
    expect(verdict.observed).toBe('RCPT 530, DATA 250');
    expect(checkOpenRelay({ attempts: [{ ...at(250), reply: '' }] }).summary).toBe('open relay: spammer@example.net → a@gmail.test was accepted at RCPT (250)');
    // A reply the dialogue kept with its code says the code once ("250 OK", not "250 250 OK").
    expect(checkOpenRelay({ attempts: [{ ...at(250), reply: '250 OK' }] }).summary).toBe('open relay: spammer@example.net → a@gmail.test was accepted at RCPT (250 OK)');
  });

  it('draws the reply classes at 200, 400, 500 and 600', () => {
    expect([199, 200, 399, 400, 499, 500, 599, 600].map((code) => outcomeFor(code))).toEqual(['fail', 'fail', 'fail', 'warn', 'warn', 'pass', 'pass', 'fail']);
    expect([0, 199, 200, 399, 400, 499, 500, 599, 600, 999].map((code) => outcomeFor(code, 'data'))).toEqual(['fail', 'fail', 'fail', 'fail', 'warn', 'warn', 'warn', 'warn', 'fail', 'fail']);
  });

  it('fails on a reply code that is not SMTP (0, 999), saying so', () => {
    for (const [code, stage] of [[0, 'rcpt'], [199, 'rcpt'], [600, 'rcpt'], [999, 'rcpt'], [0, 'data'], [999, 'data']] as const) {
      const verdict = checkOpenRelay({ attempts: [at(code, stage)] });
      expect(verdict.outcome).toBe('fail');
      expect(verdict.summary).toBe(`spammer@example.net → a@gmail.test got a reply that is not SMTP (${code} reply)`);
      expect(verdict.remediation).toBe('Check what answers on port 25 (INF-02)');
    }
    expect(checkOpenRelay({ attempts: [at(200)] }).summary).toMatch(/^open relay: /);
    expect(checkOpenRelay({ attempts: [at(399)] }).summary).toMatch(/^open relay: /);
  });

  it('warns on a 4xx deferral, which a spammer can retry', () => {
    for (const code of [400, 451, 499]) {
      const verdict = checkOpenRelay({ attempts: [{ ...at(code), reply: 'try later' }] });
      expect(verdict.outcome).toBe('warn');
      expect(verdict.summary).toBe(`spammer@example.net → a@gmail.test was only deferred at RCPT (${code} try later); a retry might be relayed`);
      expect(verdict.remediation).toBe(`Make the server refuse relaying with a permanent 5xx at RCPT TO. ${RELAY_FIX}`);
    }
  });

  it('warns on a refusal only after DATA: the envelope went through', () => {
    for (const code of [500, 554, 599]) {
      const late = checkOpenRelay({ attempts: [{ ...at(code, 'data'), reply: 'rejected' }] });
      expect(late.outcome).toBe('warn');
      expect(late.summary).toBe(`spammer@example.net → a@gmail.test was accepted at RCPT and refused only after DATA (${code} rejected)`);
      expect(late.remediation).toBe(`Refuse relay recipients at RCPT TO, before any data is taken. ${RELAY_FIX}`);
    }
  });

  describe('a foreign domain taken as local (a Route for it), told from relaying', () => {
    const to = (address: string, code: number, from = 'spammer@example.net', stage: RelayAttempt['stage'] = 'rcpt'): RelayAttempt => ({ from, to: address, stage, code, reply: code < 400 ? '250 OK' : 'Authentication required' });
    const LOCAL_FIX =
      'Remove gmail.test from Postal (the domain, or the Route for relay@gmail.test or "*" on it): Postal accepts any address with a Route as incoming mail and hands it to that route\'s endpoint instead of gmail.test\'s real mailboxes; only the domains you own belong on the mail server';

    it('names the domain and the route when only that domain is accepted and another is refused with 5xx', () => {
      const verdict = checkOpenRelay({
        attempts: [to('relay@gmail.test', 250), to('relay@gmail.test', 250, 'team@mailgoat.ai'), to('p@unrouted.invalid', 530), to('p@unrouted.invalid', 530, 'team@mailgoat.ai')],
      });
      expect(verdict.outcome).toBe('fail');
      expect(verdict.summary).toBe(
        'spammer@example.net → relay@gmail.test was accepted at RCPT (250 OK) while p@unrouted.invalid was refused (530 Authentication required): the server takes gmail.test as one of its own domains (it does not relay for everyone, it keeps gmail.test\'s mail)',
      );
      expect(verdict.remediation).toBe(LOCAL_FIX);
      expect(`${verdict.summary} ${verdict.remediation}`).not.toMatch(/open relay|SMTP-IP/);
      expect(checkOpenRelay({ attempts: [to('relay@Gmail.Test', 299), to('p@unrouted.invalid', 500)] }).summary).toMatch(/takes gmail\.test as one of its own domains/);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 200), to('p@unrouted.invalid', 599)] }).summary).toMatch(/takes gmail\.test as one of its own/);
    });

    it('calls it relaying when the other domain is taken too, or not refused for good at RCPT', () => {
      const relay = /^open relay: spammer@example\.net → relay@gmail\.test was accepted/;
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250), to('p@unrouted.invalid', 250)] }).summary).toMatch(relay);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250), to('p@unrouted.invalid', 499)] }).summary).toMatch(relay);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250), to('p@unrouted.invalid', 600)] }).summary).toMatch(/^open relay: .*; spammer@example\.net → p@unrouted\.invalid got a reply that is not SMTP/);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250), to('p@unrouted.invalid', 554, undefined, 'data')] }).summary).toMatch(relay);
      // Not every attempt to the domain was taken at RCPT: it is not a route, say relaying.
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250), to('relay@gmail.test', 550, 'team@mailgoat.ai'), to('p@unrouted.invalid', 530)] }).summary).toMatch(relay);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 300), to('p@unrouted.invalid', 530)] }).summary).toMatch(/^open relay: /);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 199), to('p@unrouted.invalid', 530)] }).summary).toMatch(/not SMTP/);
      expect(checkOpenRelay({ attempts: [to('relay@gmail.test', 250, undefined, 'data'), to('p@unrouted.invalid', 530)] }).summary).toMatch(/^open relay: .* at DATA/);
    });
  });

  it('fails when nothing was tried', () => {
    expect(checkOpenRelay({ attempts: [] })).toEqual({
      outcome: 'fail',
      summary: 'no relay attempt was made',
      remediation: 'Try an unauthenticated relay (outside sender → outside recipient) and check again',
      expected: 'every unauthenticated outside → outside attempt refused at RCPT TO with 5xx',
      observed: 'no attempts',
      evidence: [],
    });
  });
});
