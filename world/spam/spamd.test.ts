import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEmptyUpdateDirs, startSpamd, type Spamd } from './spamd.ts';

// world net 127.0.72 for this folder's tests: never clashes with a running world or other tests.
const ADDRESS = '127.0.72.60';
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

const message = (subject: string, body: string): Buffer =>
  Buffer.from(
    [
      'From: Alice Example <alice@example.com>',
      'To: Bob Example <bob@example.org>',
      `Subject: ${subject}`,
      'Date: Tue, 25 Nov 2025 12:00:00 +0000',
      'Message-ID: <20251125120000.1234@mail.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  );

let spamd: Spamd;
let startMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  spamd = await startSpamd({ address: ADDRESS, port: 783 });
  startMs = performance.now() - t0;
  console.log(`startSpamd ready in ${startMs.toFixed(0)} ms (SpamAssassin ${spamd.version})`);
});
afterAll(async () => {
  await spamd?.stop();
});

describe('startSpamd', () => {
  it('announces its version and answers PING', async () => {
    expect(spamd.version).toMatch(/^\d+\.\d+/);
    expect(await spamd.scorer.ping()).toBe(true);
  });

  it('scores a clean message low', async () => {
    const verdict = await spamd.scorer.check(message('Lunch tomorrow', 'Hi Bob, shall we have lunch at noon tomorrow?\r\nAlice'));
    expect(verdict.isSpam).toBe(false);
    expect(verdict.score).toBeLessThan(2);
    expect(verdict.threshold).toBe(5);
    expect(verdict.symbols).toEqual(verdict.rules.map((r) => r.rule));
  });

  it('scores the GTUBE test string as spam, with the rule listed', async () => {
    const verdict = await spamd.scorer.check(message('Test', GTUBE));
    expect(verdict.isSpam).toBe(true);
    expect(verdict.score).toBeGreaterThanOrEqual(5);
    expect(verdict.rules).toContainEqual(expect.objectContaining({ rule: 'GTUBE', points: 1000 }));
  });

  it('stop() frees the port and is idempotent', async () => {
    const other = await startSpamd({ address: '127.0.72.61', port: 783 });
    await Promise.all([other.stop(), other.stop()]);
    await expect(other.scorer.ping(300)).rejects.toThrow(/ECONNREFUSED/);
    expect(() => process.kill(other.pid, 0)).toThrow();
  });
});

describe('findEmptyUpdateDirs', () => {
  it('finds a version folder with no rules in it, and not one with rules', () => {
    const root = mkdtempSync(join(tmpdir(), 'sa-update-'));
    try {
      mkdirSync(join(root, '4.000001', 'updates_spamassassin_org'), { recursive: true });
      mkdirSync(join(root, '3.004006', 'updates_spamassassin_org'), { recursive: true });
      writeFileSync(join(root, '3.004006', 'updates_spamassassin_org', '20_head.cf'), '# rules');
      mkdirSync(join(root, 'compiled'));
      expect(findEmptyUpdateDirs(root)).toEqual([join(root, '4.000001')]);
      expect(findEmptyUpdateDirs(join(root, 'missing'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
