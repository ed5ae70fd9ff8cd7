// mail-tester's JSON as its API page describes it (common test variables: title, mark ≤ 0, displayedMark,
// status, statusClass, description, messages; main tests spamAssassin, signature, body, blacklists, links;
// messageInfo with the subject) and as clients in the wild read it (displayedMark "x/10", subtests, rules).
import { describe, expect, it } from 'vitest';
import {
  checkMailTesterReport,
  numberIn,
  parseMailTesterReport,
  plainText,
  type MailTesterObservation,
} from './mail-tester-report-check.ts';

const TOKEN = 'pqa-7f3a';

function report(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: true,
    id: 'postalqa-7f3a',
    title: 'Good stuff. Your email is almost perfect',
    mark: -1.5,
    displayedMark: '8.5/10',
    messageInfo: {
      subject: `[postal-qa ${TOKEN}] mail-tester`,
      receptionDate: '2026-12-02 11:40:03',
      bounceAddress: 'bounce@psrp.mailgoat.ai',
    },
    spamAssassin: {
      title: 'SpamAssassin likes you',
      mark: -0.5,
      displayedMark: -0.5,
      statusClass: 'warning',
      score: 0.5,
      rules: {
        MISSING_MID: { code: 'MISSING_MID', score: '0.5', description: '<p>Missing <b>Message-Id:</b> header</p>' },
        DKIM_SIGNED: { code: 'DKIM_SIGNED', score: 0.1, description: 'Message has a DKIM or DK signature' },
        DKIM_VALID: { code: 'DKIM_VALID', score: -0.1, description: 'Message has at least one valid DKIM signature' },
        BAYES: { code: 'BAYES_00', score: 0 },
      },
    },
    signature: {
      title: 'You are not properly authenticated',
      mark: -1,
      statusClass: 'failure',
      subtests: {
        spf: { title: 'Your server is authorized to use this domain', mark: 0, displayedMark: '&#10003', statusClass: 'success' },
        dkim: {
          title: 'Your DKIM signature is <i>not valid</i>',
          mark: '-1',
          statusClass: 'failure',
          messages: '<p>Check the public key</p>',
        },
      },
    },
    body: {
      title: 'Your message could be improved',
      mark: 0,
      subtests: { listUnsubscribe: { title: 'No List-Unsubscribe header', mark: 0 } },
    },
    blacklists: {
      title: "You're not blocklisted",
      mark: 0,
      blacklists: { 'zen.spamhaus.org': { name: 'Spamhaus ZEN', statusCode: 0, hitMark: 0 } },
    },
    links: { title: 'No broken links', mark: 0 },
    ...overrides,
  };
}

const observation = (json: unknown, overrides: Partial<MailTesterObservation> = {}): MailTesterObservation => ({
  address: 'postalqa-7f3a@mail-tester.com',
  reportUrl: 'https://www.mail-tester.com/postalqa-7f3a',
  report: parseMailTesterReport(json),
  waitedMs: 12_000,
  subjectToken: TOKEN,
  freshAddress: true,
  ...overrides,
});

describe('parseMailTesterReport', () => {
  it('reads the score mail-tester shows, every test that took points off, and the rules that fired', () => {
    const parsed = parseMailTesterReport(report());
    expect(parsed).toEqual({
      state: 'ready',
      score: 8.5,
      shown: '8.5/10',
      title: 'Good stuff. Your email is almost perfect',
      subject: `[postal-qa ${TOKEN}] mail-tester`,
      // signature's −1 is the sum of its subtests: only dkim is listed, not the parent again.
      deductions: [
        { path: 'signature.subtests.dkim', title: 'Your DKIM signature is not valid', points: -1 },
        { path: 'spamAssassin', title: 'SpamAssassin likes you', points: -0.5 },
      ],
      rules: [
        { code: 'MISSING_MID', score: 0.5, description: 'Missing Message-Id: header' },
        { code: 'DKIM_SIGNED', score: 0.1, description: 'Message has a DKIM or DK signature' },
        { code: 'DKIM_VALID', score: -0.1, description: 'Message has at least one valid DKIM signature' },
      ],
    });
  });

  it('takes 10 + the total mark when there is no displayedMark, and a comma decimal as a point', () => {
    expect(parseMailTesterReport(report({ displayedMark: undefined, mark: -2.3 }))).toMatchObject({ state: 'ready', score: 7.7 });
    expect(parseMailTesterReport(report({ displayedMark: '9,6/10' }))).toMatchObject({ state: 'ready', score: 9.6, shown: '9,6/10' });
    expect(parseMailTesterReport(report({ displayedMark: ' 10 / 10 ' }))).toMatchObject({ score: 10 });
    expect(parseMailTesterReport(report({ displayedMark: '-1/10' }))).toMatchObject({ score: 0 });
    expect(parseMailTesterReport(report({ displayedMark: '12/10' }))).toMatchObject({ score: 10 });
    expect(parseMailTesterReport(report({ displayedMark: undefined, mark: 0 }))).toMatchObject({ score: 10 });
  });

  it('reads the rules as an array under `rule` too (the API page names it so)', () => {
    const parsed = parseMailTesterReport(
      report({
        spamAssassin: { mark: -2, rule: [{ code: 'URIBL_BLOCKED', score: 2, suggestion: 'Use your own resolver' }, 'junk', { score: 1 }] },
      }),
    );
    expect(parsed).toMatchObject({ rules: [{ code: 'URIBL_BLOCKED', score: 2, description: 'Use your own resolver' }] });
  });

  it('is pending while mail-tester says status false, with its title as the reason', () => {
    expect(parseMailTesterReport({ status: false, title: 'Mail not found. Please wait a few seconds and try again.' })).toEqual({
      state: 'pending',
      title: 'Mail not found. Please wait a few seconds and try again.',
    });
    expect(parseMailTesterReport({ status: 'false' })).toEqual({ state: 'pending', title: '(no title)' });
    expect(parseMailTesterReport({ status: 0, title: '<b>Quota</b> exceeded' })).toEqual({ state: 'pending', title: 'Quota exceeded' });
  });

  it('never makes a score up: anything without one is unreadable, naming what it found', () => {
    expect(parseMailTesterReport([])).toEqual({ state: 'unreadable', why: 'expected a JSON object, got an array' });
    expect(parseMailTesterReport(null)).toEqual({ state: 'unreadable', why: 'expected a JSON object, got null' });
    expect(parseMailTesterReport('9/10')).toEqual({ state: 'unreadable', why: 'expected a JSON object, got string' });
    expect(parseMailTesterReport({ status: true, title: 'ok' })).toEqual({
      state: 'unreadable',
      why: 'no score in it: no displayedMark like "9.6/10" and no numeric mark (keys: status, title)',
    });
    expect(parseMailTesterReport({ status: true, mark: 'n/a', displayedMark: '&#10003' })).toMatchObject({ state: 'unreadable' });
    expect(parseMailTesterReport({ status: true, mark: 9 })).toEqual({
      state: 'unreadable',
      why: "its mark is 9, but mail-tester's marks are ≤ 0 (points taken off) and there is no displayedMark to read instead",
    });
  });

  it('lists a deducting test with its description, or its path, when it has no title', () => {
    const parsed = parseMailTesterReport(
      report({ signature: { mark: -1, subtests: { rDns: { description: 'No <b>reverse</b> DNS', mark: -1 }, mx: { mark: -0.3 } } } }),
    );
    expect(parsed).toMatchObject({
      deductions: [
        { path: 'signature.subtests.rDns', title: 'No reverse DNS', points: -1 },
        { path: 'spamAssassin', points: -0.5 },
        { path: 'signature.subtests.mx', title: 'signature.subtests.mx', points: -0.3 },
      ],
    });
  });

  it('walks arrays (blacklists as a list) and stops at a depth no real report reaches', () => {
    const parsed = parseMailTesterReport(
      report({
        spamAssassin: undefined,
        signature: undefined,
        blacklists: [{ name: 'Spamhaus ZEN', title: 'Listed on Spamhaus ZEN', mark: -3 }],
      }),
    );
    expect(parsed).toMatchObject({ deductions: [{ path: 'blacklists.0', title: 'Listed on Spamhaus ZEN', points: -3 }] });
    let deep: Record<string, unknown> = { title: 'deep', mark: -1 };
    for (let i = 0; i < 8; i++) deep = { nested: deep };
    expect(parseMailTesterReport(report({ spamAssassin: undefined, signature: undefined, deep }))).toMatchObject({ deductions: [] });
  });
});

describe('numberIn and plainText', () => {
  it('reads numbers and numeric strings only', () => {
    expect(numberIn(-1)).toBe(-1);
    expect(numberIn(' -1,5 ')).toBe(-1.5);
    expect(numberIn('+2')).toBe(2);
    expect(numberIn('1e3')).toBeUndefined();
    expect(numberIn('')).toBeUndefined();
    expect(numberIn(Number.NaN)).toBeUndefined();
    expect(numberIn(null)).toBeUndefined();
  });

  it('strips tags and entities into one bounded line', () => {
    expect(plainText('<p>a &amp; b</p>\n<p>c&nbsp;&lt;d&gt; &#10003; &#169;</p>')).toBe('a & b c <d> ✓');
    expect(plainText('x'.repeat(300))).toBe(`${'x'.repeat(199)}…`);
    expect(plainText(42)).toBe('');
  });
});

describe('checkMailTesterReport', () => {
  it('passes at or above the threshold, listing what mail-tester took off', () => {
    const verdict = checkMailTesterReport(observation(report()), 8);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('mail-tester score 8.5/10 (threshold 8); deductions: signature.subtests.dkim -1, spamAssassin -0.5');
    expect(verdict.observed).toBe('8.5/10');
    expect(checkMailTesterReport(observation(report({ displayedMark: '8/10' })), 8).outcome).toBe('pass');
    expect(checkMailTesterReport(observation(report({ displayedMark: '10/10', signature: {}, spamAssassin: {} })), 8).summary).toBe(
      'mail-tester score 10/10 (threshold 8)',
    );
  });

  it("fails below the threshold, with each deduction's fix and the report to open", () => {
    const verdict = checkMailTesterReport(
      observation(
        report({
          displayedMark: '7.9/10',
          blacklists: { mark: -3, title: 'Listed' },
          links: { mark: -0.2, title: 'broken' },
          body: { subtests: { listUnsubscribe: { mark: -0.1 } } },
          signature: { subtests: { spf: { mark: -1 }, dmarc: { mark: -1 }, rDns: { mark: -1 }, other: { mark: -0.1 } } },
        }),
      ),
      8,
    );
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'mail-tester score 7.9/10 is below 8 (blacklists -3, signature.subtests.spf -1, signature.subtests.dmarc -1, signature.subtests.rDns -1, spamAssassin -0.5)',
    );
    expect(verdict.remediation).toBe(
      [
        'Find the listing, fix its cause and request delisting (DNS-08)',
        'Authorise the sending IP in the SPF record (DNS-03)',
        'Publish a DMARC record and get an aligned SPF or DKIM pass (DNS-05, FN-04)',
        'Ask the provider for a PTR to the mail host that resolves back (DNS-06)',
        'Remove what triggers the SpamAssassin rules listed',
        'Fix or remove the broken links',
        "Read mail-tester's advice on signature.subtests.other",
        'Add List-Unsubscribe headers (RFC 8058) to bulk mail',
        "mail-tester's own advice: https://www.mail-tester.com/postalqa-7f3a",
      ].join('; '),
    );
    const dkim = checkMailTesterReport(observation(report({ displayedMark: '6/10' })), 8);
    expect(dkim.remediation).toContain('Publish the key Postal signs with and verify the domain in Postal (DNS-04, FN-04)');
    expect(checkMailTesterReport(observation(report({ displayedMark: '2/10', signature: {}, spamAssassin: {} })), 8).summary).toBe(
      'mail-tester score 2/10 is below 8 (no deduction itemised)',
    );
  });

  it('fails when the report is for another message (an address reused from an earlier run)', () => {
    const verdict = checkMailTesterReport(observation(report({ messageInfo: { subject: '[postal-qa old-run] mail-tester' } })), 8);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'the report at https://www.mail-tester.com/postalqa-7f3a is for another message (subject "[postal-qa old-run] mail-tester"), not this run\'s',
    );
  });

  it('warns when a reused address gives a report without a subject, and not when the address is new', () => {
    const noSubject = report({ messageInfo: {} });
    const reused = checkMailTesterReport(observation(noSubject, { freshAddress: false }), 8);
    expect(reused.outcome).toBe('warn');
    expect(reused.remediation).toBe('Use MAIL_TESTER_USER so every run has a new address');
    expect(checkMailTesterReport(observation(noSubject), 8).outcome).toBe('pass');
  });

  it('fails, saying what happened, when no report came', () => {
    const pending = checkMailTesterReport(observation({ status: false, title: 'Mail not found' }, { waitedMs: 180_400 }), 8);
    expect(pending.outcome).toBe('fail');
    expect(pending.summary).toBe('mail-tester had no report for postalqa-7f3a@mail-tester.com after 180 s: "Mail not found"');
    expect(pending.remediation).toBe(
      'Check Postal delivered to postalqa-7f3a@mail-tester.com (its message log), then open https://www.mail-tester.com/postalqa-7f3a',
    );

    const unread = checkMailTesterReport(observation(undefined, { report: undefined, fetchError: 'HTTP 503' }), 8);
    expect(unread.summary).toBe("mail-tester's report could not be read at https://www.mail-tester.com/postalqa-7f3a: HTTP 503");
    expect(checkMailTesterReport(observation(undefined, { report: undefined }), 8).summary).toContain(': no answer');

    const garbled = checkMailTesterReport(observation({ status: true }), 8);
    expect(garbled.outcome).toBe('fail');
    expect(garbled.summary).toMatch(
      /^mail-tester's answer at https:\/\/www\.mail-tester\.com\/postalqa-7f3a could not be read: no score in it/,
    );

    const unsent = checkMailTesterReport(observation(report(), { sendError: 'error AccessDenied' }), 8);
    expect(unsent.summary).toBe('the message to mail-tester (postalqa-7f3a@mail-tester.com) was not sent: error AccessDenied');
    expect(unsent.remediation).toBe('Fix sending through the API first (INF-05, FN-01)');
  });
});

describe('mail-tester edge cases', () => {
  it('orders rules by score, and skips what is not a rule (no code, no score, not an object, spamAssassin not an object)', () => {
    const parsed = parseMailTesterReport(
      report({
        spamAssassin: {
          mark: -1,
          rules: {
            a: { code: 'LOW', score: 0.2 },
            b: { code: 'HIGH', score: '1.2' },
            c: { code: 7, score: 1 },
            d: 'x',
            e: { code: 'NOSCORE' },
          },
        },
      }),
    );
    expect(parsed).toMatchObject({
      rules: [
        { code: 'HIGH', score: 1.2 },
        { code: 'LOW', score: 0.2 },
      ],
    });
    expect(parseMailTesterReport(report({ spamAssassin: 'high' }))).toMatchObject({ rules: [] });
    expect(parseMailTesterReport(report({ spamAssassin: { rules: 'none' } }))).toMatchObject({ rules: [] });
  });

  it('ignores a displayedMark that is not text, and a subject that is not text', () => {
    const parsed = parseMailTesterReport(report({ displayedMark: 8.5, mark: -1.2, messageInfo: { subject: 42 } }));
    expect(parsed).toEqual(expect.objectContaining({ state: 'ready', score: 8.8 }));
    expect(parsed).not.toHaveProperty('shown');
    expect(parsed).not.toHaveProperty('subject');
    expect(parseMailTesterReport(report({ displayedMark: '9.75/10' }))).toMatchObject({ score: 9.8, shown: '9.75/10' });
    const many = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'x']));
    expect(parseMailTesterReport({ status: true, ...many })).toEqual({
      state: 'unreadable',
      why: `no score in it: no displayedMark like "9.6/10" and no numeric mark (keys: status, ${Array.from({ length: 11 }, (_, i) => `k${i}`).join(', ')})`,
    });
    expect(parseMailTesterReport({})).toMatchObject({ why: expect.stringContaining('(keys: none)') });
  });

  it('gives the whole verdict: expected, observed, evidence, and a remediation for every refusal', () => {
    const passed = checkMailTesterReport(observation(report()), 8);
    expect(passed.expected).toBe('≥ 8/10 from mail-tester');
    expect(passed.evidence).toEqual([
      {
        label: 'mail-tester report',
        detail: { address: 'postalqa-7f3a@mail-tester.com', url: 'https://www.mail-tester.com/postalqa-7f3a', waitedMs: 12_000 },
      },
      { label: 'mail-tester answer', detail: parseMailTesterReport(report()) },
    ]);
    const unread = checkMailTesterReport(observation(undefined, { report: undefined, fetchError: 'HTTP 503' }), 8);
    expect(unread).toMatchObject({
      outcome: 'fail',
      expected: '≥ 8/10 from mail-tester',
      observed: unread.summary,
      remediation:
        'Check MAIL_TESTER_URL and that this machine reaches it; the message was sent, so the report can still be opened by hand',
    });
    expect(unread.evidence).toHaveLength(1);
    expect(checkMailTesterReport(observation({ status: true }), 8).remediation).toBe(
      'Open https://www.mail-tester.com/postalqa-7f3a and compare it with docs/controls.md, "FN-05 with mail-tester"',
    );
    expect(checkMailTesterReport(observation(report({ messageInfo: { subject: 'other' } })), 8).remediation).toBe(
      'Use MAIL_TESTER_USER (a new address each run), or a new MAIL_TESTER_ADDRESS from mail-tester.com',
    );
    // A reused address with a subject that carries the token: confirmed, no warning.
    expect(checkMailTesterReport(observation(report(), { freshAddress: false }), 8).outcome).toBe('pass');
  });
});
