import { describe, expect, it } from 'vitest';
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';
import { decideFiling } from './provider-decision.ts';
import { spamHeaders, receivedHeader, normaliseHeaderBlock } from './trace-headers.ts';

const spam = (score: number, rules: SpamVerdict['rules'] = []): SpamVerdict => ({
  score,
  threshold: 5,
  isSpam: score >= 5,
  symbols: rules.map((r) => r.rule),
  rules,
});
const decide = (dmarc: { result: string; policy?: string; domain?: string }, score = 0) =>
  decideFiling({ dmarc, spam: spam(score), providerName: 'Gmail' });

describe('decideFiling', () => {
  it('refuses DMARC failures under p=reject with 550 5.7.26', () => {
    expect(decide({ result: 'fail', policy: 'reject', domain: 'x.test' })).toMatchObject({
      action: 'reject',
      code: 550,
      enhanced: '5.7.26',
      message: expect.stringContaining('Unauthenticated email from x.test'),
    });
  });

  it('files DMARC failures under p=quarantine, and spam, in Junk', () => {
    expect(decide({ result: 'fail', policy: 'quarantine' })).toMatchObject({ action: 'deliver', folder: 'Junk' });
    expect(decide({ result: 'pass', policy: 'reject' }, 5)).toMatchObject({ action: 'deliver', folder: 'Junk' });
    expect(decide({ result: 'none' }, 1000)).toMatchObject({ folder: 'Junk', reasons: ['spam score 1000 ≥ 5'] });
  });

  it('files the rest in the Inbox, including DMARC failures under p=none and negative scores', () => {
    expect(decide({ result: 'pass', policy: 'reject' }, 4.9)).toMatchObject({ folder: 'INBOX' });
    expect(decide({ result: 'fail', policy: 'none' })).toMatchObject({ folder: 'INBOX' });
    expect(decide({ result: 'none' }, -2.1)).toMatchObject({ folder: 'INBOX' });
    expect(decide({ result: 'temperror' })).toMatchObject({ folder: 'INBOX' });
  });
});

describe('trace headers', () => {
  it('writes SpamAssassin-style X-Spam fields with every rule and its points', () => {
    const headers = spamHeaders(
      spam(7.2, [
        { rule: 'MISSING_DATE', points: 2.7, description: 'Missing Date: header' },
        { rule: 'BAYES_00', points: -1.9, description: 'Bayes spam probability\nis 0 to 1%' },
      ]),
    );
    expect(headers).toBe(
      'X-Spam-Flag: YES\r\nX-Spam-Score: 7.2\r\nX-Spam-Status: Yes, score=7.2 required=5.0 tests=MISSING_DATE,BAYES_00\r\n' +
        'X-Spam-Report:\r\n\t*   2.7 MISSING_DATE Missing Date: header\r\n\t*  -1.9 BAYES_00 Bayes spam probability is 0 to 1%\r\n',
    );
    expect(spamHeaders(spam(-0.5))).toBe(
      'X-Spam-Score: -0.5\r\nX-Spam-Status: No, score=-0.5 required=5.0 tests=none\r\nX-Spam-Report: none\r\n',
    );
  });

  it('folds a long tests= list', () => {
    const rules = Array.from({ length: 12 }, (_, i) => ({ rule: `SOME_LONG_RULE_NAME_${i}`, points: 0.1, description: '' }));
    const status = spamHeaders(spam(1.2, rules))
      .split('\r\n')
      .filter((l) => l.startsWith('X-Spam-Status') || l.startsWith('\tSOME'));
    expect(status.length).toBeGreaterThan(1);
    for (const line of status) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('writes a Received line with HELO, PTR and IP', () => {
    const line = receivedHeader({
      helo: 'mail.good.test',
      ip: '127.0.0.10',
      reverseName: 'mail.good.test',
      mx: 'mx.gmail.test',
      providerName: 'Gmail',
      tls: true,
      id: 'abc',
      recipient: 'seed1@gmail.test',
      date: new Date('2025-11-25T12:00:00Z'),
    });
    expect(line).toBe(
      'Received: from mail.good.test (mail.good.test [127.0.0.10])\r\n\tby mx.gmail.test (Gmail) with ESMTPS id abc\r\n\tfor <seed1@gmail.test>; Tue, 25 Nov 2025 12:00:00 +0000\r\n',
    );
  });

  it('normalises mailauth header blocks to CRLF with one trailing line break', () => {
    expect(normaliseHeaderBlock('A: 1\nB: 2\r\n\r\n')).toBe('A: 1\r\nB: 2\r\n');
    expect(normaliseHeaderBlock('\r\n')).toBe('');
  });
});
