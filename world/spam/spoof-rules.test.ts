import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spoofRules } from './spoof-rules.ts';

const rules = spoofRules('mail.mailgoat.ai', [{ domain: 'mailgoat.ai', ips: ['127.0.9.10'] }, { domain: 'sender.test', ips: ['127.0.9.30'] }]);
const message = (from: string, ip: string, by = 'mail.mailgoat.ai'): string =>
  [`Received: from client.example (client.example [${ip}]) by ${by} with SMTP; Sun, 06 Dec 2026 22:00:00 +0000`, `From: <${from}>`, 'To: qa@mailgoat.ai', 'Subject: invoice', 'Message-ID: <a1b2c3d4e5@client.example>', 'Date: Sun, 06 Dec 2026 22:00:00 +0000', '', 'Please pay the invoice today.', ''].join('\r\n');

/** SpamAssassin itself (Debian's, local tests only) judges the rules: the names of the rules that hit. */
function hits(raw: string): string[] {
  const out = execFileSync('spamassassin', ['-L', '-t', ...rules.map((r) => `--cf=${r}`), '--cf=score ALL_TRUSTED 0', '--cf=use_bayes 0'], { input: raw, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
  return /^X-Spam-Status: .*tests=([^\s]*)/m.exec(out.replace(/\n\t/g, ' '))?.[1]?.split(',').filter((t) => t.startsWith('POSTAL_QA_')) ?? [];
}

describe('spoofRules', () => {
  it('scores own-domain and p=reject-domain mail handed over by an address their SPF does not list, not the same mail from a listed one', () => {
    expect(hits(message('ceo@mailgoat.ai', '127.0.9.99'))).toEqual(['POSTAL_QA_SPOOF_1']);
    expect(hits(message('billing@sender.test', '127.0.9.99'))).toEqual(['POSTAL_QA_SPOOF_2']);
    expect(hits(message('ceo@mailgoat.ai', '127.0.9.10'))).toEqual([]);
    expect(hits(message('billing@sender.test', '127.0.9.30'))).toEqual([]);
    // At a provider the first hop is its own MX: the rules stay quiet.
    expect(hits(message('ceo@mailgoat.ai', '127.0.9.99', 'mx.gmail.test'))).toEqual([]);
    expect(hits(message('someone@other.test', '127.0.9.99'))).toEqual([]);
  }, 60_000);
});
