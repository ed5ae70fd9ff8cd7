import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rspamdScorer, startRspamd, type Rspamd } from './rspamd.ts';

// world net 127.0.73 for this file: never clashes with a running world or other tests. No DNS server
// listens at .53, so rspamd's lookups time out (as they would for any name the world does not serve).
const ADDRESS = '127.0.73.61';
const envelope = { mailFrom: 'ceo@mailgoat.ai', rcptTo: 'qa@mailgoat.ai', queueId: 'tok1' };
const good = Buffer.from(
  'From: CEO <ceo@mailgoat.ai>\r\nTo: QA <qa@mailgoat.ai>\r\nSubject: Plan review\r\nDate: Wed, 02 Dec 2026 07:00:00 +0000\r\n' +
    'Message-ID: <a1@mailgoat.ai>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi,\r\nplease review the plan before Friday.\r\nThanks\r\n',
);
// No From, no Date, no Message-ID, a shouting subject: rules every spam filter scores.
const bad = Buffer.from('To: qa@mailgoat.ai\r\nSubject: FREE MONEY!!! ACT NOW!!!\r\n\r\nCLICK HERE NOW http://198.51.100.7/win\r\n');

let dir: string;
let rspamd: Rspamd;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-rspamd-test-'));
  rspamd = await startRspamd({ address: ADDRESS, dir: join(dir, 'rspamd'), dnsServer: '127.0.73.53', threshold: 5, timeoutMs: 100_000 });
}, 120_000);
afterAll(async () => {
  await rspamd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Debian's rspamd as the world runs it for Postal", () => {
  it('scores a malformed, shouting message higher than a plain one, with the symbols Postal records', async () => {
    const plain = await rspamd.scorer.check(good, envelope);
    const spammy = await rspamd.scorer.check(bad, envelope);
    expect(rspamd.version).toMatch(/^\d+\.\d+/);
    expect(spammy.symbols).toEqual(expect.arrayContaining(['MISSING_FROM', 'MISSING_DATE', 'MISSING_MID']));
    expect(spammy.score).toBeGreaterThan(plain.score);
    expect(plain.symbols).not.toContain('ERROR');
  }, 60_000);

  it("gives Postal's ERROR check worth 0 when rspamd cannot be reached", async () => {
    const scorer = rspamdScorer({ address: '127.0.73.62', port: 11333 }, 5);
    expect(await scorer.check(good, envelope)).toMatchObject({ score: 0, symbols: ['ERROR'] });
    await scorer.close();
  });

  it('leaves nothing running after stop', async () => {
    const pid = rspamd.pid;
    await rspamd.stop();
    expect(() => process.kill(-pid, 0)).toThrow();
  }, 30_000);
});
