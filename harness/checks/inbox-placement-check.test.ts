import { describe, expect, it } from 'vitest';
import { checkInboxPlacement } from './inbox-placement-check.ts';

describe('checkInboxPlacement', () => {
  it('passes when every provider shows the message in the Inbox', () => {
    const verdict = checkInboxPlacement([
      { provider: 'gmail.test', mailbox: 'INBOX' },
      { provider: 'outlook.test', mailbox: 'INBOX' },
    ]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('Inbox at gmail.test, outlook.test');
  });

  it('fails on Junk, naming the provider and pointing at FN-04/FN-05', () => {
    const verdict = checkInboxPlacement([
      { provider: 'gmail.test', mailbox: 'INBOX' },
      { provider: 'outlook.test', mailbox: 'Junk', spamScore: 6.1 },
    ]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('outlook.test put the message in Junk (spam score 6.1)');
    expect(verdict.remediation).toMatch(/FN-04 and FN-05/);
  });

  it('fails when the message is missing, or nothing was checked', () => {
    expect(checkInboxPlacement([{ provider: 'gmail.test', mailbox: 'missing' }]).summary).toMatch(/never reached gmail\.test/);
    expect(checkInboxPlacement([]).outcome).toBe('fail');
  });
});
