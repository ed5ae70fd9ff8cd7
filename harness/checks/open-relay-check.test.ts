import { describe, expect, it } from 'vitest';
import { checkOpenRelay, type RelayAttempt } from './open-relay-check.ts';

const refused = (to: string): RelayAttempt => ({ from: 'spammer@example.net', to, stage: 'rcpt', code: 530, reply: 'Authentication required' });

describe('checkOpenRelay', () => {
  it('passes when every attempt is refused at RCPT with 5xx', () => {
    const verdict = checkOpenRelay({ attempts: [refused('victim@gmail.test'), refused('victim@outlook.test')] });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('2 relay attempts refused at RCPT TO (530)');
  });

  it('fails on an accepted relay', () => {
    const verdict = checkOpenRelay({ attempts: [refused('a@gmail.test'), { from: 'spammer@example.net', to: 'b@outlook.test', stage: 'data', code: 250, reply: 'OK queued' }] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('open relay: spammer@example.net → b@outlook.test was accepted at DATA (250 OK queued)');
    expect(verdict.remediation).toMatch(/SMTP-IP credential/);
    expect(checkOpenRelay({ attempts: [{ ...refused('a@gmail.test'), code: 250, reply: 'OK' }] }).outcome).toBe('fail');
  });

  it('warns on a 4xx deferral and on a refusal only after DATA', () => {
    expect(checkOpenRelay({ attempts: [{ ...refused('a@gmail.test'), code: 451, reply: 'try later' }] }).outcome).toBe('warn');
    const late = checkOpenRelay({ attempts: [{ ...refused('a@gmail.test'), stage: 'data', code: 554, reply: 'rejected' }] });
    expect(late.outcome).toBe('warn');
    expect(late.summary).toMatch(/refused only after DATA/);
  });

  it('fails when nothing was tried', () => {
    expect(checkOpenRelay({ attempts: [] }).outcome).toBe('fail');
  });
});
