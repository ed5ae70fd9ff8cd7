import { describe, expect, it } from 'vitest';
import { checkMessageHeaders } from './message-headers-check.ts';

const run = (counts: Record<string, number>) => checkMessageHeaders({ copy: 'Outlook by SMTP', counts });

describe('checkMessageHeaders', () => {
  it('passes one From, one Date and one Message-ID, with exact texts', () => {
    expect(run({ from: 1, date: 1, 'message-id': 1, received: 3 })).toEqual({
      outcome: 'pass',
      summary: 'Outlook by SMTP: one From, one Date, one Message-ID',
      expected: 'From ×1, Date ×1, Message-ID ×1',
      observed: 'From ×1, Date ×1, Message-ID ×1',
      evidence: [{ label: 'header fields of Outlook by SMTP', detail: { from: 1, date: 1, messageId: 1 } }],
    });
  });

  it('fails a missing Message-ID, naming Postal adds none', () => {
    const verdict = run({ from: 1, date: 1 });
    expect(verdict.summary).toBe('Outlook by SMTP has no Message-ID');
    expect(verdict.remediation).toMatch(/Postal adds none \(postalserver\/postal issue 153\)/);
  });

  it('fails a missing or repeated From or Date, and a repeated Message-ID', () => {
    expect(run({ date: 1, 'message-id': 1 }).summary).toBe('Outlook by SMTP has 0 From headers; a message has exactly one');
    expect(run({ from: 2, date: 1, 'message-id': 1 }).summary).toBe('Outlook by SMTP has 2 From headers; a message has exactly one');
    expect(run({ from: 1, date: 2, 'message-id': 1 }).remediation).toMatch(/exactly one Date header/);
    expect(run({ from: 1, date: 1, 'message-id': 2 }).summary).toBe('Outlook by SMTP has 2 Message-ID headers');
    expect(run({ from: 1, date: 1, 'message-id': 2 }).remediation).toMatch(/Keep one Message-ID/);
  });
});
