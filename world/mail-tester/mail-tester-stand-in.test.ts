// The mail-tester stand-in through clients nobody here wrote: swaks sends (from its own source address,
// so SPF and PTR mean something), curl reads the report the way the live FN-05 reads mail-tester.com.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dkimSign } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';
import { BLOCKLISTS, blocklistQuery } from '../../core/dnsbl/blocklists.ts';
import type { SpamScorer } from '../../core/spam/spam-scorer.ts';
import { DnsServer } from '../dns-server.ts';
import { record as r, soaRecord as soa } from '../testing/test-records.ts';
import { dkimKey } from '../sender/dkim-key.ts';
import { createCertificateAuthority, type WorldCertificateAuthority } from '../tls/certificate-authority.ts';
import { startMailTester, type MailTesterStandIn } from './mail-tester-stand-in.ts';

const run = promisify(execFile);
// world net 127.0.77: this file's own addresses.
const NET = '127.0.77';
const DNS = `${NET}.53`;
const TESTER = `${NET}.70`;
const GOOD_IP = `${NET}.31`; // good.test's SPF, PTR mail.good.test
const ROGUE_IP = `${NET}.32`; // no SPF, no PTR, listed on Spamhaus ZEN

const goodKey = dkimKey('good.test', 'sel');
const zen = BLOCKLISTS.find((b) => b.zone === 'zen.spamhaus.org')!;
const records: DnsRecord[] = [
  soa('mail-tester.test'),
  r('mail-tester.test', 'MX', '10 mx.mail-tester.test'),
  r('mx.mail-tester.test', 'A', TESTER),
  r('www.mail-tester.test', 'A', TESTER),
  soa('good.test'),
  r('good.test', 'TXT', `v=spf1 ip4:${GOOD_IP} -all`),
  r('mail.good.test', 'A', GOOD_IP),
  r(goodKey.record.name, 'TXT', goodKey.record.value),
  r('_dmarc.good.test', 'TXT', 'v=DMARC1; p=reject'),
  soa('rogue.test'),
  r('_dmarc.rogue.test', 'TXT', 'v=DMARC1; p=none'),
  soa('77.0.127.in-addr.arpa'),
  r('31.77.0.127.in-addr.arpa', 'PTR', 'mail.good.test'),
  soa(zen.zone),
  r(blocklistQuery(zen, ROGUE_IP), 'A', '127.0.0.2'),
];
/** SpamAssassin itself is the world's spamd elsewhere; here one rule fires on every message. */
const scored: string[] = [];
const spamScorer: SpamScorer = {
  check: (raw) =>
    Promise.resolve(
      (scored.push(raw.toString('utf8')),
      {
        score: 0.3,
        threshold: 5,
        isSpam: false,
        symbols: ['HTML_SHORT'],
        rules: [{ rule: 'HTML_SHORT', points: 0.3, description: 'a short message' }],
      }),
    ),
};

let ca: WorldCertificateAuthority;
let dns: DnsServer;
let tester: MailTesterStandIn;
let dir: string;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  dns = new DnsServer({ address: DNS, records });
  await dns.start();
  tester = await startMailTester({ address: TESTER, dnsServer: dns.endpoint, ca, spamScorer });
  dir = mkdtempSync(join(tmpdir(), 'mail-tester-test-'));
  writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([tester?.stop(), dns?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function swaks(from: string, localInterface: string, to: string, data?: string): Promise<string> {
  const args = [
    '--server',
    TESTER,
    '--port',
    '25',
    '--local-interface',
    localInterface,
    '--from',
    from,
    '--to',
    to,
    '--helo',
    from.split('@')[1]!,
    '--timeout',
    '10',
  ];
  if (data !== undefined) {
    const file = join(dir, `${to}.eml`);
    writeFileSync(file, data);
    args.push('--data', file);
  } else args.push('--header', `Subject: probe for ${to}`);
  const { stdout } = await run('swaks', args).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
  }));
  return stdout;
}

async function curl(path: string): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', [
    '-sS',
    '--max-time',
    '10',
    '--cacert',
    join(dir, 'ca.pem'),
    '--resolve',
    `www.mail-tester.test:443:${TESTER}`,
    '-w',
    '\n%{http_code}',
    `https://www.mail-tester.test${path}`,
  ]);
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

async function signedGoodMessage(subject: string): Promise<string> {
  const raw = `From: Agent <agent@good.test>\r\nTo: account-good@mail-tester.test\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${Date.now()}@good.test>\r\n\r\nHello.\r\n`;
  const signed = await dkimSign(raw, {
    signatureData: [{ signingDomain: 'good.test', selector: 'sel', privateKey: goodKey.privateKeyPem }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  return signed.signatures + raw;
}

describe('the mail-tester stand-in', () => {
  it("scores an authenticated message from a host with a PTR, in mail-tester's JSON shape", async () => {
    expect(await swaks('agent@good.test', GOOD_IP, 'account-good@mail-tester.test', await signedGoodMessage('[run good] hello'))).toContain(
      '250 2.0.0 OK',
    );
    const { status, body } = await curl('/account-good&format=json');
    expect(status).toBe(200);
    const report = JSON.parse(body);
    expect(report).toMatchObject({
      status: true,
      id: 'account-good',
      mark: -0.3,
      displayedMark: '9.7/10',
      messageInfo: { subject: '[run good] hello', bounceAddress: 'agent@good.test' },
      spamAssassin: { mark: -0.3, statusClass: 'warning', score: 0.3, rules: { HTML_SHORT: { code: 'HTML_SHORT', score: 0.3 } } },
      signature: {
        mark: 0,
        statusClass: 'success',
        subtests: {
          spf: { mark: 0, displayedMark: '&#10003' },
          dkim: { mark: 0 },
          dkimAlignment: { mark: 0 },
          dmarc: { mark: 0 },
          rDns: { mark: 0 },
        },
      },
      body: { mark: 0 },
      blacklists: { mark: 0, blacklists: {} },
      links: { mark: 0 },
    });
    // SpamAssassin sees the message as delivered: Return-Path (its envelope rules read it), then the MX's Received.
    expect(scored.at(-1)).toMatch(/^Return-Path: <agent@good\.test>\r\nReceived: from good\.test \(mail\.good\.test \[127\.0\.77\.31\]\)/);
    expect(report.messageInfo.receptionDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // The ?format=json form and &test=<one main test>: only that test beside the summary.
    const only = JSON.parse((await curl('/account-good?format=json&test=signature')).body);
    expect(Object.keys(only).sort()).toEqual(['displayedMark', 'id', 'mark', 'messageInfo', 'signature', 'status', 'title']);
  });

  it('takes off for every failure of an unauthenticated, blocklisted host without a PTR', async () => {
    expect(await swaks('someone@rogue.test', ROGUE_IP, 'account-rogue@mail-tester.test')).toContain('250 2.0.0 OK');
    const report = JSON.parse((await curl('/account-rogue&format=json')).body);
    // 10 − 0.3 (SpamAssassin) − SPF none 0.5 − DKIM 1 − alignment 1 − DMARC 1 − PTR 1 − blocklist 3
    expect(report.displayedMark).toBe('2.2/10');
    expect(report.mark).toBe(-7.8);
    expect(report.signature.subtests).toMatchObject({
      spf: { mark: -0.5, statusClass: 'warning' },
      dkim: { mark: -1, statusClass: 'failure' },
      dkimAlignment: { mark: -1 },
      dmarc: { mark: -1 },
      rDns: { mark: -1 },
    });
    expect(report.blacklists).toMatchObject({ mark: -3, blacklists: { 'zen.spamhaus.org': { name: 'Spamhaus ZEN', hitMark: -3 } } });
    expect(report.signature.subtests.dkim.messages).toContain('Publish the key Postal signs with');
  });

  it('answers status false for a test id it has no message for, and refuses what is not a report request', async () => {
    const none = await curl('/nobody-here&format=json');
    expect(none.status).toBe(200);
    expect(JSON.parse(none.body)).toMatchObject({ status: false, id: 'nobody-here' });
    expect((await curl('/account-good')).status).toBe(404);
    expect((await curl('/account-good&format=html')).status).toBe(404);
  });

  it('takes mail for its own domain only', async () => {
    expect(await swaks('agent@good.test', GOOD_IP, 'someone@elsewhere.test')).toMatch(/550 5\.1\.1/);
    expect(tester.received()).not.toContain('someone');
  });
});
