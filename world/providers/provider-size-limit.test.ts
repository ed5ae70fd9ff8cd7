/**
 * A mailbox provider answers a message over its size limit with SMTP's own 552, and the session goes
 * on: never a reset (issue 10). A small limit keeps the message small; the path is the same at 25 MB.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';
import { DnsServer } from '../dns-server.ts';
import { SmtpDialogue } from '../postal/testing/clients.ts';
import { createCertificateAuthority } from '../tls/certificate-authority.ts';
import { startProvider, type Provider } from './provider.ts';

// Net 127.0.204 is this test's alone.
const NET = '127.0.204';
const DNS = `${NET}.53`;
const PROVIDER = `${NET}.23`;
const LIMIT = 64 * 1024;

// The limit is checked before anything judges the message, so no scorer is ever asked.
const spamScorer: SpamScorer = {
  check: () => Promise.reject(new Error('a message over the limit must not be scored')),
};

let dns: DnsServer;
let provider: Provider;
let dataDir: string;

beforeAll(async () => {
  dns = new DnsServer({
    address: DNS,
    records: [
      { name: 'gmail.test', type: 'SOA', ttl: 60, data: 'ns1.world.test hostmaster.gmail.test 1 3600 600 86400 60' },
      { name: 'mx.gmail.test', type: 'A', ttl: 60, data: PROVIDER },
    ],
  });
  await dns.start();
  dataDir = mkdtempSync(join(tmpdir(), 'provider-size-'));
  chmodSync(dataDir, 0o711); // Dovecot's mail user must pass through to the Maildirs
  provider = await startProvider({
    domain: 'gmail.test',
    displayName: 'Gmail',
    address: PROVIDER,
    dnsServer: dns.endpoint,
    ca: await createCertificateAuthority(),
    spamScorer,
    seeds: ['seed1'],
    dataDir,
    maxMessageBytes: LIMIT,
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([provider?.stop(), dns?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const oversized = (): string =>
  [
    'From: <a@sender.test>',
    'To: <seed1@gmail.test>',
    'Subject: big',
    '',
    ...Array.from({ length: (2 * LIMIT) / 64 }, () => 'x'.repeat(62)),
    '.',
  ].join('\r\n');

describe('a provider with a message over its size limit', () => {
  it('reads it to the end and answers 552, then carries on with the session', async () => {
    const { dialogue } = await SmtpDialogue.open(PROVIDER, 25);
    try {
      expect(await dialogue.send('EHLO sender.test')).toMatch(new RegExp(`250[ -]SIZE ${LIMIT}`));
      expect(await dialogue.send('MAIL FROM:<a@sender.test>')).toMatch(/^250/);
      expect(await dialogue.send('RCPT TO:<seed1@gmail.test>')).toMatch(/^250/);
      expect(await dialogue.send('DATA')).toMatch(/^354/);
      expect(await dialogue.send(oversized())).toBe('552 5.3.4 Message size exceeds fixed limit');
      expect(await dialogue.send('QUIT')).toMatch(/^221/);
    } finally {
      dialogue.close();
    }
  });

  it('answers 552 at MAIL FROM when the client declares a size over the limit (RFC 1870)', async () => {
    const { dialogue } = await SmtpDialogue.open(PROVIDER, 25);
    try {
      expect(await dialogue.send('EHLO sender.test')).toMatch(new RegExp(`250[ -]SIZE ${LIMIT}`));
      expect(await dialogue.send(`MAIL FROM:<a@sender.test> SIZE=${LIMIT + 1}`)).toMatch(/^552 /);
      expect(await dialogue.send('QUIT')).toMatch(/^221/);
    } finally {
      dialogue.close();
    }
  });
});
