import { describe, expect, it } from 'vitest';
import { checkSpoofing, type SpoofAttempt } from './spoofing-check.ts';

const own = (over: Partial<SpoofAttempt> = {}): SpoofAttempt => ({
  kind: 'own-domain',
  from: 'ceo@mailgoat.ai',
  to: 'qa@mailgoat.ai',
  agentId: 'qa',
  smtp: { stage: 'data', code: 250, reply: 'OK' },
  ...over,
});
const reject = (over: Partial<SpoofAttempt> = {}): SpoofAttempt => ({
  ...own(),
  kind: 'reject-domain',
  from: 'billing@sender.test',
  domainPolicy: 'reject',
  ...over,
});
const run = (...attempts: SpoofAttempt[]) => checkSpoofing({ attempts });

describe('checkSpoofing', () => {
  it('passes forged mail that was refused, held, or reached the agent marked as spam — saying which', () => {
    const verdict = run(
      own({ arrived: { spamStatus: 'Spam', spamScore: 10.4 } }),
      reject({ smtp: { stage: 'rcpt', code: 550, reply: '5.7.1 DMARC' } }),
      own({ from: 'dev1@mailgoat.ai' }),
    );
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      "a message From ceo@mailgoat.ai (an agent of the domain) reached qa marked as spam by Postal (spam_status Spam, score 10.4); a message From billing@sender.test (DMARC p=reject) was refused at RCPT (550 5.7.1 DMARC); a message From dev1@mailgoat.ai (an agent of the domain) was accepted but never reached qa's inbox (held or dropped)",
    );
    expect(verdict.observed).toBe('own-domain: 250, arrived (Spam); reject-domain: 550, not arrived; own-domain: 250, not arrived');
  });

  it('fails own-domain mail that reached the agent unmarked, showing what the agent saw and the three remedies', () => {
    const verdict = run(own({ arrived: { from: 'ceo@mailgoat.ai', subject: 'pay', spamStatus: 'NotSpam', spamScore: 0.1 } }));
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'qa received a message From ceo@mailgoat.ai (an agent of the domain), sent from outside without authentication, unmarked (spam_status NotSpam, score 0.1): an agent acting on its mail would obey it',
    );
    expect(verdict.remediation).toMatch(/checks neither SPF nor DMARC.*\(1\) Enforce DMARC.*\(2\).*rspamd.*\(3\) have each agent refuse/);
    expect(verdict.evidence[0]).toEqual({
      label: 'spoof own-domain ceo@mailgoat.ai → qa@mailgoat.ai',
      detail: {
        smtp: { stage: 'data', reply: '250 OK' },
        agentSaw: { from: 'ceo@mailgoat.ai', subject: 'pay', spamStatus: 'NotSpam', spamScore: 0.1 },
      },
    });
  });

  it('fails p=reject mail that reached the agent with no verdict it can see, with the DMARC-policy remedy', () => {
    const verdict = run(reject({ arrived: { spamStatus: null } }));
    expect(verdict.summary).toMatch(/From billing@sender\.test \(DMARC p=reject\), .*unmarked \(spam_status not shown to the agent\)/);
    expect(verdict.remediation).toMatch(/does not apply the sender domain's DMARC policy/);
  });

  it('warns when the forged domain does not publish p=reject, and fails when nothing was sent', () => {
    const verdict = run(reject({ domainPolicy: 'none', smtp: { stage: 'rcpt', code: 530, reply: 'no' } }));
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/^sender\.test does not publish DMARC p=reject \(none\)/);
    expect(run().summary).toBe('no spoofed message was sent');
    expect(run(own({ smtp: { stage: 'mail', code: 0, reply: 'closed' } })).outcome).toBe('pass');
  });
});
