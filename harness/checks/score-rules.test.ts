// Spam score and throughput: every deduction row with its fix, the score's edges, the throughput
// lines (rate, duration, errors) and their exact texts.
import { describe, expect, it } from 'vitest';
import { checkSpamScore, mailTesterScore, SPAM_SCORE_FORMULA, type SpamScoreInput } from './spam-score-check.ts';
import { checkThroughput, type ThroughputInput } from './throughput-check.ts';

const clean: SpamScoreInput = {
  spamAssassin: { score: 0, rules: [] },
  spf: 'PASS',
  dkim: 'Pass',
  dmarc: 'pass',
  aligned: true,
  ptrOk: true,
  hasMessageId: true,
  hasDate: true,
  threshold: 8,
};
const SPF_FIX = 'Authorise the sending IP in the SPF of the return-path domain (DNS-03)';

describe('mailTesterScore deductions', () => {
  it('makes one row per failed item, with its description and fix', () => {
    const worst = {
      ...clean,
      spf: 'FAIL',
      dkim: 'none',
      dmarc: 'temperror',
      aligned: false,
      ptrOk: false,
      hasMessageId: false,
      hasDate: false,
      blocklisted: true,
    };
    expect(mailTesterScore(worst).deductions).toEqual([
      { source: 'authentication', item: 'SPF_FAIL', points: -1, description: 'SPF fail', fix: SPF_FIX },
      {
        source: 'authentication',
        item: 'DKIM_NOT_PASS',
        points: -1,
        description: 'DKIM none',
        fix: 'Publish the key Postal signs with (DNS-04)',
      },
      {
        source: 'authentication',
        item: 'DMARC_NOT_PASS',
        points: -1,
        description: 'DMARC temperror',
        fix: 'Get an aligned SPF or DKIM pass (FN-04)',
      },
      {
        source: 'authentication',
        item: 'DKIM_NOT_ALIGNED',
        points: -1,
        description: 'DKIM d= is not aligned with the From domain',
        fix: "Verify the domain's DKIM record in Postal so it signs with d=<From domain> (FN-04)",
      },
      {
        source: 'reverse DNS',
        item: 'NO_FCRDNS',
        points: -1,
        description: 'the sending IP has no PTR that resolves back to it',
        fix: 'Ask the provider for a PTR to the mail host (DNS-06)',
      },
      {
        source: 'headers',
        item: 'MISSING_MESSAGE_ID',
        points: -0.5,
        description: 'no Message-ID header',
        fix: 'Send through an API/client that sets Message-ID (Postal adds one to send/message mail)',
      },
      { source: 'headers', item: 'MISSING_DATE', points: -0.5, description: 'no Date header', fix: 'Set a Date header on every message' },
      {
        source: 'reputation',
        item: 'BLOCKLISTED',
        points: -3,
        description: 'the sending IP or domain is on a blocklist',
        fix: 'Find the listing (e.g. Spamhaus lookup), fix the cause, request delisting; with a new IP, warm up slowly',
      },
    ]);
  });

  it('takes a full point for SPF permerror, half a point for the other non-passes', () => {
    expect(mailTesterScore({ ...clean, spf: 'permerror' }).deductions).toEqual([
      { source: 'authentication', item: 'SPF_FAIL', points: -1, description: 'SPF permerror', fix: SPF_FIX },
    ]);
    for (const spf of ['softfail', 'neutral', 'none', 'temperror']) {
      expect(mailTesterScore({ ...clean, spf }).deductions).toEqual([
        { source: 'authentication', item: 'SPF_NOT_PASS', points: -0.5, description: `SPF ${spf}`, fix: SPF_FIX },
      ]);
    }
    expect(mailTesterScore(clean)).toEqual({ score: 10, deductions: [] });
    expect(mailTesterScore({ ...clean, blocklisted: false }).deductions).toEqual([]);
  });

  it('turns SpamAssassin rules into rows: penalties with a fix, bonuses without, zero-point rules left out', () => {
    const { deductions } = mailTesterScore({
      ...clean,
      spamAssassin: {
        score: 0.5,
        rules: [
          { rule: 'BAYES_50', points: 0.8, description: 'Bayes 40-60%' },
          { rule: 'FREEMAIL', points: 0.7 },
          { rule: 'DKIM_VALID', points: -1 },
          { rule: 'ZERO', points: 0 },
        ],
      },
    });
    expect(deductions).toEqual([
      {
        source: 'SpamAssassin',
        item: 'BAYES_50',
        points: -0.8,
        description: 'Bayes 40-60%',
        fix: 'Remove what triggers BAYES_50 (Bayes 40-60%)',
      },
      { source: 'SpamAssassin', item: 'FREEMAIL', points: -0.7, description: '', fix: 'Remove what triggers FREEMAIL' },
      { source: 'SpamAssassin', item: 'DKIM_VALID', points: 1, description: '', fix: '' },
    ]);
  });

  it('explains an unlisted part of the total beyond 0.05 either way', () => {
    const unlisted = (score: number) =>
      mailTesterScore({ ...clean, spamAssassin: { score, rules: [{ rule: 'R', points: 1 }] } }).deductions.slice(1);
    expect(unlisted(1.04)).toEqual([]);
    expect(unlisted(0.96)).toEqual([]);
    // Exactly 0.05 off is still rounding.
    expect(mailTesterScore({ ...clean, spamAssassin: { score: 0.05, rules: [] } }).deductions).toEqual([]);
    expect(mailTesterScore({ ...clean, spamAssassin: { score: -0.05, rules: [] } }).deductions).toEqual([]);
    expect(unlisted(1.2)).toEqual([
      {
        source: 'SpamAssassin',
        item: 'UNLISTED',
        points: -0.2,
        description: 'SpamAssassin total not explained by the listed rules',
        fix: 'Read the full SpamAssassin report for the missing rules',
      },
    ]);
    expect(unlisted(0.8)).toEqual([
      {
        source: 'SpamAssassin',
        item: 'UNLISTED',
        points: 0.2,
        description: 'SpamAssassin total not explained by the listed rules',
        fix: '',
      },
    ]);
  });

  it('caps at 10 before the fixed deductions, floors at 0 and rounds to one decimal', () => {
    expect(mailTesterScore({ ...clean, spamAssassin: { score: -5, rules: [] }, hasDate: false }).score).toBe(9.5);
    expect(mailTesterScore({ ...clean, spamAssassin: { score: 9.6, rules: [] }, hasDate: false }).score).toBe(0);
    expect(mailTesterScore({ ...clean, spamAssassin: { score: 1.26, rules: [] } }).score).toBe(8.7);
    expect(SPAM_SCORE_FORMULA).toBe(
      'score = 10 − SpamAssassin points (negative rules add back, capped at 10) − fixed deductions: SPF fail/permerror −1, SPF softfail/neutral/none/temperror −0.5, DKIM not pass −1, DMARC not pass −1, DKIM not aligned with From −1, missing or not forward-confirmed PTR −1, missing Message-ID −0.5, missing Date −0.5, listed on a blocklist −3; floored at 0, rounded to one decimal',
    );
  });
});

describe('checkSpamScore', () => {
  it('passes with exact texts and evidence (fixes left out of the rows)', () => {
    expect(checkSpamScore({ ...clean, spamAssassin: { score: 1, rules: [{ rule: 'R', points: 1, description: 'd' }] } })).toEqual({
      outcome: 'pass',
      summary: 'spam score 9/10 (threshold 8); deductions: R -1',
      expected: '≥ 8/10',
      observed: '9/10',
      evidence: [
        { label: 'formula', detail: SPAM_SCORE_FORMULA },
        { label: 'deductions', detail: [{ source: 'SpamAssassin', item: 'R', points: -1, description: 'd' }] },
        { label: 'score', detail: { score: 9, threshold: 8, spamAssassinScore: 1 } },
      ],
    });
    expect(checkSpamScore(clean).summary).toBe('spam score 10/10 (threshold 8)');
  });

  it('fails below the threshold naming the five worst deductions, each fix once, bonuses left out', () => {
    const verdict = checkSpamScore({
      ...clean,
      spf: 'softfail',
      dkim: 'fail',
      dmarc: 'fail',
      ptrOk: false,
      hasMessageId: false,
      hasDate: false,
      spamAssassin: { score: -0.5, rules: [{ rule: 'BONUS', points: -0.5 }] },
    });
    expect(verdict.summary).toBe(
      'spam score 5.5/10 is below 8 (DKIM_NOT_PASS -1, DMARC_NOT_PASS -1, NO_FCRDNS -1, SPF_NOT_PASS -0.5, MISSING_MESSAGE_ID -0.5)',
    );
    expect(verdict.remediation).toBe(
      'Publish the key Postal signs with (DNS-04); Get an aligned SPF or DKIM pass (FN-04); Ask the provider for a PTR to the mail host (DNS-06); Authorise the sending IP in the SPF of the return-path domain (DNS-03); Send through an API/client that sets Message-ID (Postal adds one to send/message mail); Set a Date header on every message',
    );
    expect(checkSpamScore({ ...clean, threshold: 10, spamAssassin: { score: 0.1, rules: [] } }).summary).toBe(
      'spam score 9.9/10 is below 10 (UNLISTED -0.1)',
    );
  });

  it('fails without a SpamAssassin score', () => {
    for (const score of [Number.NaN, Infinity]) {
      const verdict = checkSpamScore({ ...clean, spamAssassin: { score, rules: [] } });
      expect(verdict.summary).toBe('SpamAssassin gave no score');
      expect(verdict.remediation).toBe('Check spamd is reachable from the client and re-run');
    }
  });
});

describe('checkThroughput', () => {
  const good: ThroughputInput = {
    target: { messagesPerSecond: 10, durationSeconds: 60 },
    sent: 600,
    errors: [],
    elapsedMs: 60_000,
    arrived: 600,
    arrivalWindowMs: 59_000,
    notArrived: [],
    recipient: 'team@mailgoat.ai',
  };
  const SCALE =
    'Give Postal more capacity: raise worker.threads in postal.yml (default 2) and the web server threads, add CPU (about 10 messages/s on 2 vCPU is typical), and check the database is not the bottleneck';

  it('passes with exact texts and evidence', () => {
    expect(checkThroughput(good)).toEqual({
      outcome: 'pass',
      summary: '10 messages/s delivered over 60.0 s (600 of 600 arrived, target 10/s × 60 s), no errors',
      expected: '≥ 10 messages/s delivered for 60 s, every accepted message arrived, 0 errors',
      observed: '10 messages/s delivered, 600 arrived of 600 accepted, 0 errors',
      evidence: [
        {
          label: 'throughput',
          detail: {
            sent: 600,
            arrived: 600,
            elapsedMs: 60_000,
            arrivalWindowMs: 59_000,
            messagesPerSecond: 10,
            target: good.target,
            planned: 600,
          },
        },
        { label: 'errors', detail: [] },
        { label: 'not arrived', detail: [] },
      ],
    });
  });

  it('fails a rate below the target, not one at it', () => {
    const slow = checkThroughput({ ...good, arrived: 599 });
    expect(slow.summary).toBe('9.98 messages/s delivered, below the target of 10/s');
    expect(slow.remediation).toBe(SCALE);
    expect(
      checkThroughput({
        ...good,
        target: { messagesPerSecond: 2.5, durationSeconds: 1 },
        sent: 5,
        arrived: 5,
        elapsedMs: 2000,
        arrivalWindowMs: 1000,
      }).outcome,
    ).toBe('pass');
    // The arrival window, when longer, is the one the rate is judged over.
    expect(checkThroughput({ ...good, arrivalWindowMs: 60_100 }).summary).toBe('9.98 messages/s delivered, below the target of 10/s');
  });

  it('fails a run shorter than 90 % of the duration, not one at 90 %', () => {
    const burst = checkThroughput({ ...good, sent: 540, arrived: 540, elapsedMs: 53_999, arrivalWindowMs: 53_000 });
    expect(burst.summary).toBe('the run lasted 54.0 s of the 60 s target: a burst, not a sustained rate');
    expect(burst.remediation).toBe('Send at 10/s for the full 60 s (600 messages)');
    expect(checkThroughput({ ...good, sent: 540, arrived: 540, elapsedMs: 54_000, arrivalWindowMs: 53_000 }).outcome).toBe('pass');
    expect(
      checkThroughput({
        ...good,
        target: { messagesPerSecond: 0.5, durationSeconds: 3 },
        sent: 2,
        arrived: 2,
        elapsedMs: 2000,
        arrivalWindowMs: 1000,
      }).remediation,
    ).toBe('Send at 0.5/s for the full 3 s (2 messages)');
  });

  it('fails when nothing arrived, or no time passed', () => {
    const none = checkThroughput({ ...good, sent: 0, arrived: 0 });
    expect(none.summary).toBe('nothing arrived (0 accepted, 0 refused, in 60.0 s)');
    expect(none.remediation).toBe('Check the API accepts a single send (INF-06) and re-run');
    const lost = checkThroughput({ ...good, arrived: 0, errors: [{ status: 'error' }] });
    expect(lost.summary).toBe('nothing arrived (600 accepted, 1 refused, in 60.0 s); 1 send failed (1× error)');
    expect(lost.remediation).toMatch(/^See FN-01: mail to team@mailgoat\.ai must arrive before it can be counted/);
    expect(checkThroughput({ ...good, elapsedMs: 0, arrivalWindowMs: 0 }).observed).toBe(
      '0 messages/s delivered, 600 arrived of 600 accepted, 0 errors',
    );
  });

  it('fails on errors, grouped by code, most frequent first', () => {
    const verdict = checkThroughput({ ...good, errors: [{ status: 'error', code: 'A' }, { status: 'timeout' }, { status: 'timeout' }] });
    expect(verdict.summary).toBe('3 sends failed (2× timeout, 1× error A)');
    expect(verdict.remediation).toBe(
      'Look at the errors by code: transport errors or timeouts mean the web process is saturated (give Postal more capacity: raise worker.threads in postal.yml (default 2) and the web server threads, add CPU (about 10 messages/s on 2 vCPU is typical), and check the database is not the bottleneck); Postal error codes name the rejected request',
    );
    expect(verdict.evidence[1]).toEqual({
      label: 'errors',
      detail: [
        { error: 'timeout', count: 2 },
        { error: 'error A', count: 1 },
      ],
    });
    expect(checkThroughput({ ...good, errors: [{ status: 'error', code: 'A' }] }).summary).toBe('1 send failed (1× error A)');
  });
});
