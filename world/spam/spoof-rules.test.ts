import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spoofRules } from './spoof-rules.ts';

const rules = spoofRules('mail.mailgoat.ai', [
  { domain: 'mailgoat.ai', ips: ['127.0.9.10'] },
  { domain: 'sender.test', ips: ['127.0.9.30'] },
]);
let n = 0;
const message = (from: string, ip: string, by = 'mail.mailgoat.ai'): string =>
  [
    `Received: from client.example (client.example [${ip}]) by ${by} with SMTP; Sun, 06 Dec 2026 22:00:00 +0000`,
    `From: <${from}>`,
    'To: qa@mailgoat.ai',
    `Subject: invoice ${++n}`,
    'Message-ID: <a1b2c3d4e5@client.example>',
    'Date: Sun, 06 Dec 2026 22:00:00 +0000',
    '',
    'Please pay the invoice today.',
    '',
  ].join('\r\n');

/** SpamAssassin itself (Debian's, local tests only) judges the rules — all messages in one mbox, one rule compile: the rules each one hit. */
function hits(raws: string[]): string[][] {
  const mbox = raws.map((raw) => `From judge@postal-qa.invalid Sun Dec  6 22:00:00 2026\n${raw.replace(/\r\n/g, '\n')}\n`).join('');
  const out = execFileSync(
    'spamassassin',
    ['-L', '-t', '--mbox', ...rules.map((r) => `--cf=${r}`), '--cf=score ALL_TRUSTED 0', '--cf=use_bayes 0'],
    { input: mbox, encoding: 'utf8', env: { ...process.env, LANG: 'C' } },
  );
  // spamassassin may answer in another order: each message is found again by its numbered subject.
  const judged = new Map<string, string[]>();
  for (const block of out.replace(/\n\t/g, ' ').split(/^From judge@/m)) {
    const subject = /^Subject: (invoice \d+)/m.exec(block)?.[1];
    const tests = /^X-Spam-Status: .*tests=([^\s]*)/m.exec(block)?.[1];
    if (subject && tests !== undefined)
      judged.set(
        subject,
        tests.split(',').filter((t) => t.startsWith('POSTAL_QA_')),
      );
  }
  return raws.map((raw) => judged.get(/^Subject: (invoice \d+)/m.exec(raw)![1]!) ?? ['(not judged)']);
}

describe('spoofRules', () => {
  it('scores own-domain and p=reject-domain mail handed over by an address their SPF does not list, not the same mail from a listed one', () => {
    const judged = hits([
      message('ceo@mailgoat.ai', '127.0.9.99'),
      message('billing@sender.test', '127.0.9.99'),
      message('ceo@mailgoat.ai', '127.0.9.10'),
      message('billing@sender.test', '127.0.9.30'),
      // At a provider the first hop is its own MX: the rules stay quiet.
      message('ceo@mailgoat.ai', '127.0.9.99', 'mx.gmail.test'),
      message('someone@other.test', '127.0.9.99'),
    ]);
    expect(judged, JSON.stringify(judged)).toEqual([['POSTAL_QA_SPOOF_1'], ['POSTAL_QA_SPOOF_2'], [], [], [], []]);
  }, 120_000);
});
