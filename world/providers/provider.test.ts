import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { DnsServer } from '../dns-server.ts';
import { record as r, soaRecord as soa } from '../testing/test-records.ts';
import { dkimKey } from '../sender/dkim-key.ts';
import { startOutsideSender, type OutsideSender } from '../sender/outside-sender.ts';
import { startSpamd, type Spamd } from '../spam/spamd.ts';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { startProvider, type Provider } from './provider.ts';

// world net 127.0.72 (this assignment's tests); addresses distinct from spamd.test and dovecot.test,
// which vitest may run at the same time.
const NET = '127.0.72';
const DNS = `${NET}.53`;
const GMAIL = `${NET}.23`;
const SPAMD = `${NET}.62`;
const SENDER = `${NET}.30`;
const GOOD_IP = `${NET}.31`; // authorised by good.test's and quarantine.test's SPF
const ROGUE_IP = `${NET}.32`; // authorised by nobody
const BLOCKED_IP = `${NET}.33`;
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

const goodKey = dkimKey('good.test', 'sel');
const baseRecords: DnsRecord[] = [
  soa('gmail.test'),
  r('gmail.test', 'MX', '10 mx.gmail.test'),
  r('mx.gmail.test', 'A', GMAIL),
  soa('good.test'),
  r('good.test', 'TXT', `v=spf1 ip4:${GOOD_IP} -all`),
  r('mail.good.test', 'A', GOOD_IP),
  r(goodKey.record.name, 'TXT', goodKey.record.value),
  r('_dmarc.good.test', 'TXT', 'v=DMARC1; p=reject; rua=mailto:dmarc@good.test'),
  soa('quarantine.test'),
  r('quarantine.test', 'TXT', `v=spf1 ip4:${GOOD_IP} -all`),
  r('_dmarc.quarantine.test', 'TXT', 'v=DMARC1; p=quarantine'),
  soa('sender.test'),
  r('sender.test', 'MX', '10 mx.sender.test'),
  r('mx.sender.test', 'A', SENDER),
  r('sender.test', 'TXT', `v=spf1 ip4:${SENDER} -all`),
  r('_dmarc.sender.test', 'TXT', 'v=DMARC1; p=reject'),
  soa('72.0.127.in-addr.arpa'),
  r(`31.72.0.127.in-addr.arpa`, 'PTR', 'mail.good.test'),
  r(`30.72.0.127.in-addr.arpa`, 'PTR', 'mx.sender.test'),
];

let ca: WorldCertificateAuthority;
let dns: DnsServer;
let spamd: Spamd;
let gmail: Provider;
let sender: OutsideSender;
let dataDir: string;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  dns = new DnsServer({ address: DNS, records: baseRecords });
  await dns.start();
  let t0 = performance.now();
  spamd = await startSpamd({ address: SPAMD });
  const spamdMs = performance.now() - t0;
  dataDir = mkdtempSync(join(tmpdir(), 'provider-test-'));
  chmodSync(dataDir, 0o711); // Dovecot's mail user must pass through to the Maildirs
  t0 = performance.now();
  gmail = await startProvider({
    domain: 'gmail.test',
    displayName: 'Gmail',
    address: GMAIL,
    dnsServer: dns.endpoint,
    ca,
    spamScorer: spamd.scorer,
    seeds: ['seed1', 'seed2'],
    dataDir: join(dataDir, 'gmail'),
  });
  const providerMs = performance.now() - t0;
  t0 = performance.now();
  sender = await startOutsideSender({ address: SENDER, dnsServer: dns.endpoint, ca });
  const senderMs = performance.now() - t0;
  dns.setRecords([...baseRecords, r(sender.dkimRecord.name, 'TXT', sender.dkimRecord.value)]);
  console.log(
    `startSpamd ${spamdMs.toFixed(0)} ms, startProvider (with Dovecot) ${providerMs.toFixed(0)} ms, startOutsideSender ${senderMs.toFixed(0)} ms`,
  );
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([gmail?.stop(), sender?.stop(), spamd?.stop(), dns?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let counter = 0;
function compose(from: string, to: string, body: string): { raw: string; subject: string } {
  counter += 1;
  const subject = `World test ${counter} ${Date.now()}`;
  const raw = [
    `From: Test Sender <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <test-${counter}-${Date.now()}@${from.split('@')[1]}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    body,
    '',
  ].join('\r\n');
  return { raw, subject };
}

async function signGood(raw: string): Promise<string> {
  const signed = await dkimSign(raw, {
    signatureData: [{ signingDomain: 'good.test', selector: 'sel', privateKey: goodKey.privateKeyPem }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  return signed.signatures + raw;
}

function sendFrom(localAddress: string, helo: string, envelope: { from: string; to: string[] }, raw: string) {
  const transport = nodemailer.createTransport({
    host: GMAIL,
    port: 25,
    name: helo,
    localAddress,
    tls: { ca: [ca.certificatePem], servername: 'mx.gmail.test' },
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 15_000,
  });
  return transport.sendMail({ envelope, raw }).finally(() => transport.close());
}

/** Reads one message by subject from a seed's folder over IMAP (STARTTLS). */
async function readFromImap(seedIndex: number, folder: string, subject: string): Promise<string | undefined> {
  const seed = gmail.seeds[seedIndex]!;
  const imap = new ImapFlow({
    host: gmail.endpoints.imap.address,
    port: gmail.endpoints.imap.port,
    secure: false,
    auth: { user: seed.user, pass: seed.password },
    tls: { ca: [ca.certificatePem], servername: 'imap.gmail.test' },
    logger: false,
    connectionTimeout: 5000,
  });
  await imap.connect();
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      for await (const message of imap.fetch('1:*', { envelope: true, source: true })) {
        if (message.envelope?.subject === subject) return message.source?.toString('utf8');
      }
      return undefined;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

const headerBlock = (source: string): string => source.slice(0, source.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');

describe('startProvider (gmail.test)', () => {
  it('gives each seed an address and an IMAP login', () => {
    expect(gmail.seeds.map((s) => s.address)).toEqual(['seed1@gmail.test', 'seed2@gmail.test']);
    expect(gmail.endpoints).toEqual({ smtp: { address: GMAIL, port: 25 }, imap: { address: GMAIL, port: 143 } });
  });

  it('greets as mx.gmail.test and offers STARTTLS but no AUTH', async () => {
    const dialogue = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = createConnection({ host: GMAIL, port: 25, localAddress: GOOD_IP });
      const timer = setTimeout(() => socket.destroy(new Error(`no EHLO answer: ${text}`)), 5000);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (/^220 /m.test(text) && !text.includes('EHLO-SENT')) {
          text += 'EHLO-SENT\n';
          socket.write('EHLO mail.good.test\r\n');
        }
        if (/^250 /m.test(text)) {
          clearTimeout(timer);
          socket.end('QUIT\r\n');
          resolve(text);
        }
      });
      socket.once('error', reject);
    });
    expect(dialogue).toMatch(/^220 mx\.gmail\.test ESMTP Gmail ready/);
    expect(dialogue).toMatch(/^250-STARTTLS/m);
    expect(dialogue).not.toMatch(/AUTH/);
  });

  it('files a signed message from an SPF-authorised IP in the Inbox with spf/dkim/dmarc=pass and a spam score', async () => {
    const { raw, subject } = compose(
      'news@good.test',
      'seed1@gmail.test',
      'Hello seed, this is a perfectly ordinary message about our meeting.',
    );
    const info = await sendFrom(GOOD_IP, 'mail.good.test', { from: 'bounce@good.test', to: ['seed1@gmail.test'] }, await signGood(raw));
    expect(info.response).toMatch(/^250 /);

    const source = await readFromImap(0, 'INBOX', subject);
    expect(source).toBeDefined();
    const head = headerBlock(source!);
    expect(head).toMatch(/^Return-Path: <[^>]*>\r?\nDelivered-To: seed1@gmail\.test/);
    expect(head).toMatch(/Authentication-Results: mx\.gmail\.test;.*spf=pass/);
    expect(head).toMatch(/dkim=pass header\.i=@good\.test header\.s=sel/);
    expect(head).toMatch(/dmarc=pass/);
    expect(head).toMatch(/X-Spam-Score: -?\d+\.\d/);
    expect(head).toMatch(/X-Spam-Status: No, score=/);
    expect(head).not.toMatch(/ALL_TRUSTED/); // loopback hops must not earn SpamAssassin's trust bonus
    expect(head).toMatch(
      new RegExp(
        `Received: from mail\\.good\\.test \\(mail\\.good\\.test \\[${GOOD_IP.replace(/\./g, '\\.')}\\]\\) by mx\\.gmail\\.test \\(Gmail\\) with ESMTPS`,
      ),
    );

    const receipt = gmail.receipts().find((x) => x.outcome === 'inbox' && x.recipients.includes('seed1@gmail.test'));
    expect(receipt).toMatchObject({ remoteAddress: GOOD_IP, helo: 'mail.good.test', spf: 'pass', tls: true });
  });

  it('refuses mail failing DMARC with p=reject: 550 5.7.26', async () => {
    const { raw } = compose('news@good.test', 'seed1@gmail.test', 'Spoofed from an IP good.test never authorised.');
    const sending = sendFrom(ROGUE_IP, 'rogue.example', { from: 'bounce@good.test', to: ['seed1@gmail.test'] }, raw);
    await expect(sending).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/5\.7\.26 Unauthenticated email from good\.test/),
    });
    expect(gmail.receipts().at(-1)).toMatchObject({
      outcome: 'rejected',
      remoteAddress: ROGUE_IP,
      spf: 'fail',
      dmarc: { result: 'fail', policy: 'reject' },
    });
  });

  it('files mail failing DMARC with p=quarantine in Junk', async () => {
    const { raw, subject } = compose('news@quarantine.test', 'seed2@gmail.test', 'This one fails SPF and has no DKIM signature at all.');
    await sendFrom(ROGUE_IP, 'rogue.example', { from: 'bounce@quarantine.test', to: ['seed2@gmail.test'] }, raw);
    const source = await readFromImap(1, 'Junk', subject);
    expect(source).toBeDefined();
    expect(headerBlock(source!)).toMatch(/dmarc=fail/);
    expect(await readFromImap(1, 'INBOX', subject)).toBeUndefined();
  });

  it('files GTUBE in Junk even when fully authenticated', async () => {
    const { raw, subject } = compose('news@good.test', 'seed1@gmail.test', GTUBE);
    await sendFrom(GOOD_IP, 'mail.good.test', { from: 'bounce@good.test', to: ['seed1@gmail.test'] }, await signGood(raw));
    const source = await readFromImap(0, 'Junk', subject);
    expect(source).toBeDefined();
    const head = headerBlock(source!);
    expect(head).toMatch(/X-Spam-Flag: YES/);
    expect(head).toMatch(/X-Spam-Status: Yes, score=\d+/);
    expect(head).toMatch(/X-Spam-Report: .*GTUBE/);
    expect(head).toMatch(/dmarc=pass/);
  });

  it('refuses an unknown recipient with 550 5.1.1', async () => {
    const { raw } = compose('news@good.test', 'nobody@gmail.test', 'hi');
    await expect(sendFrom(GOOD_IP, 'mail.good.test', { from: 'bounce@good.test', to: ['nobody@gmail.test'] }, raw)).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/5\.1\.1/),
    });
  });

  it('refuses a blocklisted client IP at connect', async () => {
    gmail.setBlocklist([BLOCKED_IP]);
    try {
      const { raw } = compose('news@good.test', 'seed1@gmail.test', 'hi');
      await expect(
        sendFrom(BLOCKED_IP, 'mail.good.test', { from: 'bounce@good.test', to: ['seed1@gmail.test'] }, raw),
      ).rejects.toMatchObject({
        responseCode: 554,
      });
    } finally {
      gmail.setBlocklist([]);
    }
  });
});

describe('startOutsideSender (sender.test) relaying into gmail.test', () => {
  it('signs with d=sender.test and relays from its own address', async () => {
    const submission = nodemailer.createTransport({
      host: sender.endpoints.submission.address,
      port: sender.endpoints.submission.port,
      auth: { user: sender.credentials.user, pass: sender.credentials.password },
      requireTLS: true,
      tls: { ca: [ca.certificatePem], servername: 'mx.sender.test' },
      connectionTimeout: 5000,
      socketTimeout: 20_000,
    });
    const subject = `From outside ${Date.now()}`;
    try {
      const info = await submission.sendMail({
        from: 'Outside Person <person@sender.test>',
        to: 'seed2@gmail.test',
        subject,
        text: 'Hello from the outside world. This is a normal note between colleagues.',
      });
      expect(info.response).toMatch(/^250 .*gmail\.test: 250/);
    } finally {
      submission.close();
    }
    const source = await readFromImap(1, 'INBOX', subject);
    expect(source).toBeDefined();
    const head = headerBlock(source!);
    expect(head).toMatch(/spf=pass/);
    expect(head).toMatch(/dkim=pass header\.i=@sender\.test header\.s=mail/);
    expect(head).toMatch(/dmarc=pass/);
    expect(gmail.receipts().at(-1)).toMatchObject({ remoteAddress: SENDER, helo: 'mx.sender.test', outcome: 'inbox' });
    expect(sender.relays().at(-1)).toMatchObject({ domain: 'gmail.test', accepted: true, mx: 'mx.gmail.test', ip: GMAIL });
  });

  it('refuses submission without authentication, and senders outside its domain', async () => {
    const anonymous = nodemailer.createTransport({
      host: SENDER,
      port: 587,
      tls: { ca: [ca.certificatePem], servername: 'mx.sender.test' },
      connectionTimeout: 5000,
    });
    await expect(anonymous.sendMail({ from: 'person@sender.test', to: 'seed1@gmail.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 530,
    });
    anonymous.close();
    const spoofing = nodemailer.createTransport({
      host: SENDER,
      port: 587,
      auth: { user: sender.credentials.user, pass: sender.credentials.password },
      tls: { ca: [ca.certificatePem], servername: 'mx.sender.test' },
      connectionTimeout: 5000,
    });
    await expect(spoofing.sendMail({ from: 'ceo@good.test', to: 'seed1@gmail.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 553,
    });
    spoofing.close();
  });
});
